/**
 * Detection's partitions (issue 12, scale-out): an alert belongs to the partition of its
 * correlation key — the address that acts (source, else the host), else the target — so every
 * correlation window grouped by it lives on one detection worker, and N workers file what one does.
 */
import { createHash } from 'node:crypto';
import type { Alert } from '../alert/alert.js';

/** Partitions of the alert stream: the most detection workers that can share the work. */
export const PARTITIONS = 16;

export function partitionOf(alert: Alert): number {
  const key = alert.source?.ip ?? alert.host?.ip?.[0] ?? alert.host?.name?.toLowerCase() ?? alert.destination?.ip ?? '';
  return createHash('sha1').update(key).digest().readUInt32BE(0) % PARTITIONS;
}

/** Which partitions worker `index` of `count` owns. */
export function partitionsOf(index: number, count: number): number[] {
  return Array.from({ length: PARTITIONS }, (_, k) => k).filter((k) => k % count === index);
}

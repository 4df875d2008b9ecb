/**
 * A thread's share of the CPU. On Linux every thread is a task with its own nice value: a thread
 * that answers unbounded reads (free-text search) lowers its own, so that under load the threads
 * that store and detect keep the processors and a search waits instead — it still runs at full
 * speed when the machine is idle. Elsewhere this does nothing.
 */
import fs from 'node:fs';
import os from 'node:os';

/** Sets the calling thread's nice value (higher: less CPU under contention); whether it could. */
export function setThisThreadNice(nice: number): boolean {
  try {
    // /proc/thread-self → "<pid>/task/<tid>": the task of the thread that reads it
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    os.setPriority(tid, nice);
    return os.getPriority(tid) === nice;
  } catch {
    return false;
  }
}

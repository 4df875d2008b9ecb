/**
 * The API thread's heap kept near what it holds (issue 12, bounded memory). Under sustained
 * intake the API thread's short-lived request and response objects (headers, serialized answers)
 * are often still alive when the young generation is swept and move to the old generation, where
 * they wait for a full collection that V8 puts off until the old generation has grown by half or
 * more: measured, 1–1.5 MB/s of such garbage, the thread's heap swinging 40–60 MB and the process's
 * resident memory with it. The workers bound their own heaps (resourceLimits); the main thread
 * cannot, so this asks V8 for a full, non-blocking collection whenever the old generation has grown
 * by LIMITS.apiHeapSlackMB since the last one. Never ends the process: a failure is reported once.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { LIMITS } from './limits.js';

type Gc = (o: { type: 'major'; execution: 'async' }) => Promise<void>;

/** V8's collector as a function: `--expose-gc` set now installs it in a new context (never in the program's own). */
function collector(): Gc | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as Gc) : undefined;
  } catch {
    return undefined;
  }
}

function oldGenerationUsedMB(): number {
  let used = 0;
  for (const s of v8.getHeapSpaceStatistics()) if (s.space_name === 'old_space' || s.space_name === 'large_object_space') used += s.space_used_size;
  return used / 1048576;
}

export interface HeapTrim {
  /** looks once: asks for a full collection (and waits for it) when the slack is used up; whether it asked */
  check(): Promise<boolean>;
  /** collections asked for so far */
  collections(): number;
  stop(): void;
}

/** Starts the check (every LIMITS.apiHeapCheckMs). */
export function startHeapTrim(onError: (e: unknown) => void): HeapTrim {
  const gc = collector();
  let asked = 0;
  let baseline = oldGenerationUsedMB();
  let running = false;
  let failed = false;
  const fail = (e: unknown) => {
    if (!failed) onError(e);
    failed = true;
  };
  const check = async (): Promise<boolean> => {
    if (!gc || running) return false;
    const used = oldGenerationUsedMB();
    // a collection V8 ran by itself lowers the mark
    if (used < baseline) baseline = used;
    if (used - baseline < LIMITS.apiHeapSlackMB) return false;
    running = true;
    asked++;
    try {
      await gc({ type: 'major', execution: 'async' });
      baseline = oldGenerationUsedMB();
      return true;
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => {
    try {
      check().catch(fail);
    } catch (e) {
      fail(e);
    }
  }, LIMITS.apiHeapCheckMs);
  timer.unref();
  if (!gc) fail(new Error('V8 does not offer its collector here; the API thread\'s memory is left to V8'));
  return { check, collections: () => asked, stop: () => clearInterval(timer) };
}

/**
 * The API thread's heap kept near what it holds (issue 12): objects that reached the old
 * generation and died there are not left waiting for V8's own full collection once they fill
 * LIMITS.apiHeapSlackMB — a collection is asked for and the old generation comes back down;
 * objects still held are kept; below the slack nothing is asked.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { startHeapTrim } from '../src/runtime/heap-trim.js';
import { LIMITS } from '../src/runtime/limits.js';

const oldUsedMB = () => v8.getHeapSpaceStatistics().filter((s) => s.space_name === 'old_space' || s.space_name === 'large_object_space').reduce((n, s) => n + s.space_used_size, 0) / 1048576;
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as (o: { type: 'minor' | 'major' }) => void;

describe('heap trim', () => {
  const errors: unknown[] = [];
  const trim = startHeapTrim((e) => errors.push(e));
  afterAll(() => trim.stop());

  it('asks for a collection once dead objects fill the slack, and the old generation shrinks; live ones stay', async () => {
    gc({ type: 'major' });
    await trim.check(); // the mark: what the heap holds now
    const kept = Array.from({ length: 1000 }, (_, i) => ({ i, text: `kept-${i}` }));
    // small objects that live through two young-generation sweeps (as requests waiting for intake do) and so move to the old generation
    let dying: string[][] | undefined = [];
    for (let mb = 0; mb < LIMITS.apiHeapSlackMB * 3; mb++) dying.push(Array.from({ length: 1024 }, (_, i) => `${mb}:${i}:`.padEnd(1000, 'x')));
    gc({ type: 'minor' });
    gc({ type: 'minor' });
    // they die now, in the old generation
    dying = undefined;
    const before = oldUsedMB();
    expect(await trim.check()).toBe(true);
    expect(trim.collections()).toBe(1);
    expect(oldUsedMB()).toBeLessThan(before - LIMITS.apiHeapSlackMB);
    // nothing more to collect: below the slack nothing is asked
    expect(await trim.check()).toBe(false);
    expect(trim.collections()).toBe(1);
    expect(kept[999]).toEqual({ i: 999, text: 'kept-999' });
    expect(errors).toEqual([]);
    expect(dying).toBeUndefined();
  });
});

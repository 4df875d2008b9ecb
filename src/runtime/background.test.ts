import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackgroundLoop, Health } from './background.js';

describe('a background loop', () => {
  afterEach(() => vi.useRealTimers());

  it('backs off after each failure (doubling up to the ceiling), reports it, and returns to its interval once a pass succeeds', async () => {
    vi.useFakeTimers();
    const logged: string[] = [];
    const health = new Health(() => new Date(), { error: (_o, m) => logged.push(m), warn: () => undefined, info: (_o, m) => logged.push(m) });
    const at: number[] = [];
    let fail = 4;
    const loop = new BackgroundLoop(
      'notify',
      async () => {
        at.push(Date.now());
        if (fail-- > 0) throw new Error('SQLITE_BUSY: database is locked');
      },
      health,
      { intervalMs: 1000, maxBackoffMs: 5000 },
    );
    const t0 = Date.now();
    loop.start();
    expect(health.components()).toEqual([{ name: 'notify', state: 'ok', failures: 0 }]);
    await vi.advanceTimersByTimeAsync(1000); // first pass fails
    expect(health.degraded()).toBe(true);
    expect(health.components()[0]).toMatchObject({ state: 'failing', failures: 1, lastError: 'SQLITE_BUSY: database is locked' });
    await vi.advanceTimersByTimeAsync(1000 + 2000 + 4000 + 5000 + 1000 + 1000);
    loop.trigger(); // no effect on timing checks below: passes are counted by time
    await loop.stop();
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    expect(at[0]! - t0).toBe(1000);
    expect(gaps.slice(0, 5)).toEqual([1000, 2000, 4000, 5000, 1000]);
    expect(health.degraded()).toBe(false);
    expect(logged[0]).toMatch(/background loop notify failed \(1 in a row\); retrying in 1 s/);
    expect(logged).toContain('background loop notify recovered after 4 failed pass(es)');
  });

  it('records passes run outside it, and its rejections never go unhandled', async () => {
    const health = new Health();
    const loop = new BackgroundLoop('detection', async () => undefined, health, { intervalMs: 1000 });
    loop.observe(Promise.reject(new Error('disk full')));
    await new Promise((r) => setTimeout(r, 0));
    expect(health.components()[0]).toMatchObject({ name: 'detection', state: 'failing', failures: 1, lastError: 'disk full' });
    loop.observe(Promise.resolve());
    await new Promise((r) => setTimeout(r, 0));
    expect(health.degraded()).toBe(false);
  });
});

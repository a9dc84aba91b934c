import { describe, expect, it } from 'vitest';
import { runLimited } from './run-limited';

describe('runLimited', () => {
  it('keeps at most `limit` items in flight and returns results in item order', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await runLimited(
      [5, 1, 4, 2, 3],
      2,
      async (n) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        for (let i = 0; i < n; i++) await Promise.resolve();
        inFlight--;
        return n * 10;
      },
      undefined,
    );
    expect(peak).toBe(2);
    expect(results).toEqual([50, 10, 40, 20, 30]);
  });

  it('starts no item after the signal aborts; unstarted items are undefined', async () => {
    const ac = new AbortController();
    const started: number[] = [];
    const results = await runLimited(
      [0, 1, 2, 3],
      1,
      async (n) => {
        started.push(n);
        if (n === 1) ac.abort();
        return n;
      },
      ac.signal,
    );
    expect(started).toEqual([0, 1]);
    expect(results).toEqual([0, 1, undefined, undefined]);
  });
});

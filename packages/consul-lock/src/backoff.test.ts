import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff';

describe('backoffDelayMs', () => {
  it('doubles its ceiling per attempt up to maxMs, never below half the base', () => {
    const low = (attempt: number) => backoffDelayMs(attempt, { baseMs: 100, maxMs: 2_000, random: () => 0 });
    const high = (attempt: number) =>
      backoffDelayMs(attempt, { baseMs: 100, maxMs: 2_000, random: () => 0.999999 });
    expect([0, 1, 2, 3, 4, 5, 10].map(high)).toEqual([100, 200, 400, 800, 1_600, 2_000, 2_000]);
    expect([0, 1, 5].map(low)).toEqual([50, 50, 50]);
  });
});

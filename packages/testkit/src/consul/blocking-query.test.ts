import { describe, expect, it } from 'vitest';
import { blockingTimeoutMs } from './blocking-query';

const limits = { defaultQueryTimeMs: 300_000, maxQueryTimeMs: 600_000 };

describe('blockingTimeoutMs (rule 61)', () => {
  it('defaults a missing or non-positive wait to 300 s', () => {
    expect(blockingTimeoutMs(undefined, limits, () => 0)).toBe(300_000);
    expect(blockingTimeoutMs(0, limits, () => 0)).toBe(300_000);
  });

  it('caps the wait at 600 s and adds the jitter after the cap', () => {
    expect(blockingTimeoutMs(900_000, limits, () => 0)).toBe(600_000);
    expect(blockingTimeoutMs(900_000, limits, () => 0.999999)).toBeCloseTo(637_500, 0);
  });

  it('adds a uniform jitter in [0, wait/16)', () => {
    expect(blockingTimeoutMs(2000, limits, () => 0.5)).toBe(2062.5);
    expect(blockingTimeoutMs(2000, limits, () => 0.999)).toBeLessThan(2125);
  });
});

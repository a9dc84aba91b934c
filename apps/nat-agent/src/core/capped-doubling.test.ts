import { describe, expect, it } from 'vitest';
import { cappedDoublingMs } from './capped-doubling';

describe('cappedDoublingMs', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => cappedDoublingMs(n, 250, 5_000))).toEqual([
      250, 500, 1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
  });
  it('stays finite for huge steps and treats a negative step as the first', () => {
    expect(cappedDoublingMs(10_000, 1_000, 30_000)).toBe(30_000);
    expect(cappedDoublingMs(-3, 1_000, 30_000)).toBe(1_000);
  });
});

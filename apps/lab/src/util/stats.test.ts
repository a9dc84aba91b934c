import { describe, expect, it } from 'vitest';
import { percentile, summarize } from './stats';

describe('percentile (nearest rank)', () => {
  it('returns a measured value, never an interpolation', () => {
    const values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(100);
    expect(percentile(values, 10)).toBe(10);
  });

  it('does not depend on input order', () => {
    expect(percentile([3, 1, 2], 50)).toBe(2);
  });

  it('is null for no values and rejects a percentile outside (0, 100]', () => {
    expect(percentile([], 50)).toBeNull();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('reports runs, p50, p95, max', () => {
    const s = summarize([1200, 800, 1000, 3000]);
    expect(s).toMatchObject({ runs: 4, p50: 1000, p95: 3000, max: 3000, min: 800 });
    expect(s.mean).toBe(1500);
  });

  it('is all null for an empty list', () => {
    expect(summarize([])).toEqual({ runs: 0, p50: null, p95: null, max: null, min: null, mean: null });
  });
});

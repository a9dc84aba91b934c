import { describe, expect, it } from 'vitest';
import { fullJitterDelayMs } from './backoff';

describe('fullJitterDelayMs (§1.4 full jitter)', () => {
  it('spans [0, base * 2^retry) and doubles per retry', () => {
    expect(fullJitterDelayMs(0, 250, 5000, () => 0)).toBe(0);
    expect(fullJitterDelayMs(0, 250, 5000, () => 0.999)).toBe(249);
    expect(fullJitterDelayMs(1, 250, 5000, () => 0.5)).toBe(250);
    expect(fullJitterDelayMs(3, 250, 5000, () => 0.5)).toBe(1000);
  });

  it('never exceeds the cap', () => {
    expect(fullJitterDelayMs(20, 250, 5000, () => 0.999999)).toBeLessThan(5000);
    expect(fullJitterDelayMs(20, 250, 5000, () => 0.5)).toBe(2500);
  });
});

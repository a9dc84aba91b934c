import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseGoDurationMs } from './go-duration';

describe('Go durations (§2.1 TTL)', () => {
  it('parses what Consul reports', () => {
    expect(parseGoDurationMs('10s')).toBe(10_000);
    expect(parseGoDurationMs('1m30s')).toBe(90_000);
    expect(parseGoDurationMs('1500ms')).toBe(1_500);
    expect(parseGoDurationMs('1.5s')).toBe(1_500);
    expect(parseGoDurationMs('0')).toBe(0);
    expect(parseGoDurationMs('')).toBeUndefined();
    expect(parseGoDurationMs('10')).toBeUndefined();
    expect(parseGoDurationMs('abc')).toBeUndefined();
  });
  it('formats ms the way Consul parses them', () => {
    expect(formatGoDuration(1_500)).toBe('1500ms');
    expect(formatGoDuration(0)).toBe('0s');
  });
});

import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseDurationMs } from './duration';

describe('durations', () => {
  it('parses what operators type', () => {
    expect(parseDurationMs('--x', '500ms')).toBe(500);
    expect(parseDurationMs('--x', '1s')).toBe(1_000);
    expect(parseDurationMs('--x', '1.5s')).toBe(1_500);
    expect(parseDurationMs('--x', '2m')).toBe(120_000);
    expect(parseDurationMs('--x', '1h')).toBe(3_600_000);
  });

  it('rejects bare numbers and junk, naming the flag', () => {
    expect(() => parseDurationMs('--timeout', '10')).toThrow(
      '--timeout must be a duration such as 500ms, 1s, 1.5s or 2m (got "10")',
    );
    expect(() => parseDurationMs('--timeout', '1.0005s')).toThrow(/whole number of milliseconds/);
    expect(() => parseDurationMs('--timeout', '-1s')).toThrow(/must be a duration/);
  });

  it('formats the shortest Go duration Consul reads back exactly', () => {
    expect(formatGoDuration(500)).toBe('500ms');
    expect(formatGoDuration(1_000)).toBe('1s');
    expect(formatGoDuration(1_500)).toBe('1500ms');
    expect(formatGoDuration(90_000)).toBe('90s');
    expect(formatGoDuration(120_000)).toBe('2m');
    expect(formatGoDuration(7_200_000)).toBe('2h');
    expect(formatGoDuration(0)).toBe('0s');
  });
});

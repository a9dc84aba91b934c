import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseGoDuration } from './go-duration';

describe('parseGoDuration (Go time.ParseDuration)', () => {
  it.each([
    ['0', 0n],
    ['10s', 10_000_000_000n],
    ['1500ms', 1_500_000_000n],
    ['1.5s', 1_500_000_000n],
    ['1h30m', 5_400_000_000_000n],
    ['-5s', -5_000_000_000n],
    ['+2m', 120_000_000_000n],
    ['20ns', 20n],
    ['3\u00b5s', 3000n],
    ['.5s', 500_000_000n],
    ['86400s', 86_400_000_000_000n],
  ])('parses %s', (text, ns) => {
    expect(parseGoDuration(text)).toBe(ns);
  });

  it('rejects a number without a unit with Go\'s "missing unit" text (rules 8, 62)', () => {
    expect(() => parseGoDuration('5')).toThrow('time: missing unit in duration "5"');
    expect(() => parseGoDuration('10')).toThrow('time: missing unit in duration "10"');
  });

  it('rejects garbage with Go\'s "invalid duration" text (rule 4)', () => {
    expect(() => parseGoDuration('abc')).toThrow('time: invalid duration "abc"');
    expect(() => parseGoDuration('')).toThrow('time: invalid duration ""');
    expect(() => parseGoDuration('.s')).toThrow('time: invalid duration ".s"');
  });

  it('names an unknown unit', () => {
    expect(() => parseGoDuration('5x')).toThrow('time: unknown unit "x" in duration "5x"');
  });

  it('rejects overflow past int64', () => {
    expect(() => parseGoDuration('9223372036854775808ns')).toThrow('time: invalid duration');
    expect(parseGoDuration('9223372036854775807ns')).toBe(9223372036854775807n);
  });

  it('escapes non-ASCII bytes like Go time.quote', () => {
    expect(() => parseGoDuration('é')).toThrow('time: invalid duration "\\xc3\\xa9"');
  });
});

describe('formatGoDuration (Go Duration.String)', () => {
  it.each([
    [0n, '0s'],
    [10_000_000_000n, '10s'],
    [86_400_000_000_000n, '24h0m0s'],
    [1_500_000_000n, '1.5s'],
    [500_000_000n, '500ms'],
    [1_500_000n, '1.5ms'],
    [1500n, '1.5\u00b5s'],
    [20n, '20ns'],
    [-90_000_000_000n, '-1m30s'],
    [3_661_000_000_000n, '1h1m1s'],
  ])('formats %s as %s', (ns, text) => {
    expect(formatGoDuration(ns)).toBe(text);
  });
});

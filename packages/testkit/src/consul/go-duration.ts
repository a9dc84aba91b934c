/**
 * Go `time.ParseDuration` and `time.Duration.String`, ported so that the emulator accepts, rejects
 * and prints durations byte for byte like Consul does: `?wait=10` must be a 400 (rule 62),
 * `{"LockDelay":"5"}` a decode error (rule 8), and the TTL bounds message reads
 * `[10s=24h0m0s]` (spec §2.2). Durations are nanoseconds held in a `bigint` (Go's int64).
 */

const NS = 1n;
const US = 1000n * NS;
const MS = 1000n * US;
const SECOND = 1000n * MS;
const MINUTE = 60n * SECOND;
const HOUR = 60n * MINUTE;

const UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', NS],
  ['us', US],
  ['\u00b5s', US], // U+00B5 micro sign
  ['\u03bcs', US], // U+03BC Greek mu
  ['ms', MS],
  ['s', SECOND],
  ['m', MINUTE],
  ['h', HOUR],
]);

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** Thrown with Go's exact error text (`time: invalid duration "abc"`). */
export class GoDurationError extends Error {
  override readonly name = 'GoDurationError';
}

const HEX = '0123456789abcdef';

/** Go's `time.quote`: ASCII printable kept, `"` and `\` escaped, every other byte as `\xNN`. */
export function goTimeQuote(s: string): string {
  const bytes = Buffer.from(s, 'utf8');
  let out = '"';
  for (const b of bytes) {
    if (b >= 0x80 || b < 0x20) {
      out += `\\x${HEX[b >> 4]}${HEX[b & 0xf]}`;
    } else {
      const c = String.fromCharCode(b);
      if (c === '"' || c === '\\') out += '\\';
      out += c;
    }
  }
  return `${out}"`;
}

const isDigit = (c: string | undefined): boolean => c != null && c >= '0' && c <= '9';

/** Parses a Go duration string into nanoseconds, with Go's errors. */
export function parseGoDuration(input: string): bigint {
  const invalid = (): GoDurationError => new GoDurationError(`time: invalid duration ${goTimeQuote(input)}`);
  let s = input;
  let neg = false;
  if (s !== '') {
    const c = s[0];
    if (c === '-' || c === '+') {
      neg = c === '-';
      s = s.slice(1);
    }
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  let total = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) throw invalid();
    // leadingInt
    let i = 0;
    let v = 0n;
    while (i < s.length && isDigit(s[i])) {
      if (v > (1n << 63n) / 10n) throw invalid();
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > 1n << 63n) throw invalid();
      i++;
    }
    const pre = i > 0;
    s = s.slice(i);
    let post = false;
    let frac = 0n;
    let scale = 1;
    if (s !== '' && s[0] === '.') {
      s = s.slice(1);
      // leadingFraction: stop accumulating (but keep consuming) once f would overflow.
      let j = 0;
      let overflow = false;
      while (j < s.length && isDigit(s[j])) {
        if (!overflow) {
          if (frac > ((1n << 63n) - 1n) / 10n) {
            overflow = true;
          } else {
            const next = frac * 10n + BigInt(s.charCodeAt(j) - 48);
            if (next < 0n || next > 1n << 63n) overflow = true;
            else {
              frac = next;
              scale *= 10;
            }
          }
        }
        j++;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) throw invalid();
    let k = 0;
    while (k < s.length && !(s[k] === '.' || isDigit(s[k]))) k++;
    if (k === 0) throw new GoDurationError(`time: missing unit in duration ${goTimeQuote(input)}`);
    const unitName = s.slice(0, k);
    s = s.slice(k);
    const unit = UNITS.get(unitName);
    if (unit == null) {
      throw new GoDurationError(
        `time: unknown unit ${goTimeQuote(unitName)} in duration ${goTimeQuote(input)}`,
      );
    }
    if (v > (1n << 63n) / unit) throw invalid();
    v *= unit;
    if (frac > 0n) {
      // Go computes the fraction in float64 ("nanosecond accurate for fractions of hours").
      v += BigInt(Math.trunc(Number(frac) * (Number(unit) / scale)));
      if (v > 1n << 63n) throw invalid();
    }
    total += v;
    if (total > 1n << 63n) throw invalid();
  }
  if (neg) return -total;
  if (total > INT64_MAX) throw invalid();
  return total;
}

/** Like {@link parseGoDuration} but returns `undefined` instead of throwing. */
export function tryParseGoDuration(input: string): bigint | undefined {
  try {
    return parseGoDuration(input);
  } catch {
    return undefined;
  }
}

function fmtFrac(v: bigint, prec: number): { text: string; rest: bigint } {
  let text = '';
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print = print || digit !== 0n;
    if (print) text = String(digit) + text;
    v /= 10n;
  }
  if (print) text = `.${text}`;
  return { text, rest: v };
}

/** Go's `time.Duration.String()`: `1.5s`, `500ms`, `24h0m0s`, `0s`. */
export function formatGoDuration(ns: bigint): string {
  if (ns < INT64_MIN) ns = INT64_MIN;
  if (ns > INT64_MAX) ns = INT64_MAX;
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < SECOND) {
    if (u === 0n) return '0s';
    let prec: number;
    let unit: string;
    if (u < US) {
      prec = 0;
      unit = 'ns';
    } else if (u < MS) {
      prec = 3;
      unit = '\u00b5s';
    } else {
      prec = 6;
      unit = 'ms';
    }
    const f = fmtFrac(u, prec);
    out = `${f.rest}${f.text}${unit}`;
  } else {
    const f = fmtFrac(u, 9);
    u = f.rest;
    out = `${u % 60n}${f.text}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

/** Nanoseconds to whole milliseconds (Go truncates toward zero). */
export function nsToMs(ns: bigint): number {
  return Number(ns / MS);
}

export function msToNs(ms: number): bigint {
  return BigInt(Math.trunc(ms)) * MS;
}

export const DURATION = { NS, US, MS, SECOND, MINUTE, HOUR, INT64_MAX, INT64_MIN } as const;

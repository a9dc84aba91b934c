import { isIP } from 'node:net';
import { NetHealthError } from './errors';

/** Eager option validation (house style 11): every message names the option and what it got. */
export function invalid(option: string, expectation: string, got: unknown): NetHealthError {
  const shown = typeof got === 'string' ? JSON.stringify(got) : String(got);
  return new NetHealthError('INVALID_OPTION', `${option} must be ${expectation}; got ${shown}`);
}

export function integerOption(
  option: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalid(option, `an integer from ${min} to ${max}`, v);
  }
  return v;
}

export function msOption(option: string, value: unknown, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw invalid(option, `a number of milliseconds from ${min} to ${max}`, v);
  }
  return v;
}

export function stringOption(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(option, 'a non-empty string', value);
  return value;
}

export function familyOption(option: string, value: unknown, fallback: 4 | 6 = 4): 4 | 6 {
  const v = value ?? fallback;
  if (v !== 4 && v !== 6) throw invalid(option, '4 or 6', v);
  return v;
}

/** An IP literal of the given family. */
export function ipOption(option: string, value: unknown, family: 4 | 6): string {
  if (typeof value !== 'string' || isIP(value) !== family) {
    throw invalid(option, `an IPv${family} address literal`, value);
  }
  return value;
}

export function portOption(option: string, value: unknown, fallback?: number): number {
  return integerOption(option, value, fallback ?? Number.NaN, 1, 65535);
}

export function booleanOption(option: string, value: unknown, fallback: boolean): boolean {
  const v = value ?? fallback;
  if (typeof v !== 'boolean') throw invalid(option, 'a boolean', v);
  return v;
}

/** A host name or an IP literal; an IP literal must be of `family` (no silent IPv6 in an IPv4 set-up). */
export function hostOption(option: string, value: unknown, family: 4 | 6): string {
  const host = stringOption(option, value);
  const literal = isIP(host);
  if (literal !== 0 && literal !== family) {
    throw invalid(
      option,
      `a host name or an IPv${family} address (set family: ${literal} for IPv${literal})`,
      host,
    );
  }
  if (/\s/.test(host)) throw invalid(option, 'a host name without whitespace', host);
  return host;
}

import { invalidOption } from './errors';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/**
 * Parses a Go-style duration as operators write them on the command line (`500ms`, `1s`, `1.5s`,
 * `2m`) into whole milliseconds. A bare number is rejected: `10` could mean seconds or milliseconds.
 */
export function parseDurationMs(name: string, text: string): number {
  const match = DURATION.exec(text.trim());
  if (match == null) {
    invalidOption(name, 'must be a duration such as 500ms, 1s, 1.5s or 2m', text);
  }
  const value = Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  if (!Number.isSafeInteger(value)) {
    invalidOption(name, 'must be a whole number of milliseconds', text);
  }
  return value;
}

/** Formats milliseconds as the shortest Go duration Consul parses back exactly (`1s`, `500ms`). */
export function formatGoDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`not a duration in ms: ${ms}`);
  if (ms !== 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms !== 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

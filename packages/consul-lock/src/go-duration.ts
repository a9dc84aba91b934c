const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a Go duration (`"10s"`, `"1m30s"`, `"1500ms"`, `"0"`) into milliseconds, or `undefined` when it
 * is not one. Consul reports a session's `TTL` in this form (§2.1) and renew may change it (§2.5).
 */
export function parseGoDurationMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (trimmed === '0') return 0;
  const sign = trimmed.startsWith('-') ? -1 : 1;
  let rest = trimmed.replace(/^[+-]/, '');
  let total = 0;
  const part = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (rest !== '') {
    const match = part.exec(rest);
    if (match == null) return undefined;
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    rest = rest.slice(match[0].length);
  }
  return sign * total;
}

/** Formats milliseconds the way Consul accepts durations on the wire (`"1500ms"`). */
export function formatGoDuration(ms: number): string {
  return ms === 0 ? '0s' : `${Math.round(ms)}ms`;
}

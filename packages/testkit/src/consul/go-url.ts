/**
 * The bits of Go's `net/url`, `strconv` and `net/http.ServeMux` that shape Consul's HTTP surface:
 * query parsing (presence flags, spec §1.5), `Values.Encode` (the `Conflicting flags:` body, rule
 * 25), `strconv.ParseUint` / `ParseBool` errors, `strconv.Quote` (`invalid session "S"`), and the
 * mux's path cleaning (a non-canonical path is redirected, not served).
 */

/** Go's `url.Values`: ordered keys, each with its list of values. */
export class GoValues {
  private readonly map = new Map<string, string[]>();

  add(key: string, value: string): void {
    const list = this.map.get(key);
    if (list == null) this.map.set(key, [value]);
    else list.push(value);
  }

  /** Presence, whatever the value: `?recurse=false` still recurses (spec §1.5). */
  has(key: string): boolean {
    return this.map.has(key);
  }

  /** The first value, or `''` (Go's `Values.Get`). */
  get(key: string): string {
    return this.map.get(key)?.[0] ?? '';
  }

  /** Every value of `key`, in order. */
  getAll(key: string): string[] {
    return [...(this.map.get(key) ?? [])];
  }

  keys(): string[] {
    return [...this.map.keys()];
  }

  /** Go's `Values.Encode`: keys sorted, `QueryEscape`d, `k=v` joined by `&`. */
  encode(): string {
    const parts: string[] = [];
    for (const key of [...this.map.keys()].sort(byBytes)) {
      for (const value of this.map.get(key) ?? [])
        parts.push(`${goQueryEscape(key)}=${goQueryEscape(value)}`);
    }
    return parts.join('&');
  }
}

function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const HEX_UPPER = '0123456789ABCDEF';

/** Go's `url.QueryEscape`. */
export function goQueryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${HEX_UPPER[b >> 4]}${HEX_UPPER[b & 0xf]}`;
  }
  return out;
}

export class GoUrlError extends Error {
  override readonly name = 'GoUrlError';
}

function unescape(s: string, plusIsSpace: boolean): string {
  const bytes: number[] = [];
  const src = Buffer.from(s, 'utf8');
  for (let i = 0; i < src.length; i++) {
    const b = src[i] as number;
    if (b === 0x25 /* % */) {
      const hex = src.subarray(i + 1, i + 3).toString('latin1');
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
        const bad = src.subarray(i, Math.min(i + 3, src.length)).toString('latin1');
        throw new GoUrlError(`invalid URL escape ${JSON.stringify(bad)}`);
      }
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (b === 0x2b /* + */ && plusIsSpace) {
      bytes.push(0x20);
    } else {
      bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Go's `url.PathUnescape` (`+` stays `+`). */
export function goPathUnescape(s: string): string {
  return unescape(s, false);
}

/**
 * Go's `url.ParseQuery`: returns the values and the first error, if any. Consul's `wrap` answers
 * a request whose query fails to parse with an empty 500.
 */
export function goParseQuery(raw: string): { values: GoValues; error?: GoUrlError } {
  const values = new GoValues();
  let error: GoUrlError | undefined;
  for (const part of raw === '' ? [] : raw.split('&')) {
    if (part.includes(';')) {
      error ??= new GoUrlError('invalid semicolon separator in query');
      continue;
    }
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    try {
      values.add(unescape(rawKey, true), unescape(rawValue, true));
    } catch (err) {
      error ??= err as GoUrlError;
    }
  }
  return error == null ? { values } : { values, error };
}

/** Go's `strconv.Quote` for the strings the emulator echoes back (ids, keys, names). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0x80 && code < 0xa0) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

export class GoStrconvError extends Error {
  override readonly name = 'GoStrconvError';
}

const UINT64_MAX = (1n << 64n) - 1n;

/** Go's `strconv.ParseUint(s, 10, 64)`, exact to 2^64−1, with Go's error texts. */
export function goParseUint(s: string): bigint {
  if (!/^[0-9]+$/.test(s))
    throw new GoStrconvError(`strconv.ParseUint: parsing ${goQuote(s)}: invalid syntax`);
  const v = BigInt(s);
  if (v > UINT64_MAX)
    throw new GoStrconvError(`strconv.ParseUint: parsing ${goQuote(s)}: value out of range`);
  return v;
}

/** Go's `strconv.ParseBool`. */
export function goParseBool(s: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  throw new GoStrconvError(`strconv.ParseBool: parsing ${goQuote(s)}: invalid syntax`);
}

/** Go's `path.Clean`. */
export function goPathClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** `net/http.ServeMux`'s `cleanPath`: the canonical form a request path is redirected to. */
export function goServeMuxCleanPath(p: string): string {
  if (p === '') return '/';
  if (!p.startsWith('/')) p = `/${p}`;
  let np = goPathClean(p);
  if (p.endsWith('/') && np !== '/') np += '/';
  return np;
}

/** `unicode.IsPrint` for the path check Consul's `cleanhttp.PrintablePathCheckHandler` makes. */
export function isGoPrintable(s: string): boolean {
  // Control characters (C0, DEL, C1) and the Unicode "other" categories are not printable.
  return (
    !/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u.test(s) &&
    !/[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/.test(s)
  );
}

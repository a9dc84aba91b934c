/**
 * JSON the way Consul's Go code writes and reads it.
 *
 * Writing (`encoding/json.Marshal`): struct fields keep declaration order (plain objects keep
 * insertion order here), Go maps are emitted with sorted keys (pass a `Map`), `uint64` values such
 * as `Flags` are exact (pass a `bigint`; spec §9: `LockFlagValue` = 3304740253564472344 is above
 * 2^53), `undefined` fields are omitted (`omitempty`), and `<`, `>`, `&`, U+2028, U+2029 are escaped
 * as Go does by default. `?pretty` uses `MarshalIndent(obj, "", "    ")` plus a newline (spec §1.2).
 *
 * Reading (`json.Decoder.Decode`): only the first JSON value of the body is read (trailing bytes are
 * ignored, as Go's decoder does), struct fields match case-insensitively, and errors carry Go-like
 * texts so that `Request decode failed: …` bodies look familiar.
 */

export type GoJsonValue =
  | null
  | undefined
  | boolean
  | number
  | bigint
  | string
  | readonly GoJsonValue[]
  | ReadonlyMap<string, GoJsonValue>
  | { readonly [key: string]: GoJsonValue };

function escapeString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    const ch = s[i] as string;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += ch + (s[i + 1] as string);
        i++;
      } else {
        out += '\\ufffd'; // Go replaces invalid UTF-8 with U+FFFD
      }
      continue;
    }
    if (code >= 0xdc00 && code <= 0xdfff) {
      out += '\\ufffd';
      continue;
    }
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\f':
        out += '\\f';
        break;
      case '<':
      case '>':
      case '&':
      case '\u2028':
      case '\u2029':
        out += `\\u${code.toString(16).padStart(4, '0')}`;
        break;
      default:
        out += code < 0x20 ? `\\u${code.toString(16).padStart(4, '0')}` : ch;
    }
  }
  return `${out}"`;
}

/** Go sorts map keys by their UTF-8 bytes. */
function goKeyOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function encodeNumber(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError(`json: unsupported value: ${n}`);
  // JavaScript's shortest round-trip formatting matches Go's float64 encoding, including the
  // switch to exponent form below 1e-6 and at 1e21.
  return JSON.stringify(n);
}

function encode(value: GoJsonValue, indent: string | undefined, depth: number): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return encodeNumber(value);
  if (typeof value === 'bigint') return value.toString(10);
  if (typeof value === 'string') return escapeString(value);
  const nl = indent == null ? '' : `\n${indent.repeat(depth + 1)}`;
  const close = indent == null ? '' : `\n${indent.repeat(depth)}`;
  const colon = indent == null ? ':' : ': ';
  if (Array.isArray(value)) {
    const items = value as readonly GoJsonValue[];
    if (items.length === 0) return '[]';
    return `[${items.map((v) => nl + encode(v, indent, depth + 1)).join(',')}${close}]`;
  }
  let entries: [string, GoJsonValue][];
  if (value instanceof Map) {
    entries = [...(value as ReadonlyMap<string, GoJsonValue>).entries()].sort((a, b) =>
      goKeyOrder(a[0], b[0]),
    );
  } else {
    entries = Object.entries(value as Record<string, GoJsonValue>).filter(([, v]) => v !== undefined);
  }
  if (entries.length === 0) return '{}';
  return `{${entries.map(([k, v]) => nl + escapeString(k) + colon + encode(v, indent, depth + 1)).join(',')}${close}}`;
}

/** `json.Marshal`, or `json.MarshalIndent(v, "", "    ")` + "\n" when `pretty`. */
export function encodeGoJson(value: GoJsonValue, pretty = false): string {
  return pretty ? `${encode(value, '    ', 0)}\n` : encode(value, undefined, 0);
}

/** A Go-style JSON decode error (the text after `Request decode failed: `). */
export class GoJsonError extends Error {
  override readonly name = 'GoJsonError';
}

/** Index just past the first JSON value in `text` (starting at `start`), or -1 when incomplete. */
function endOfFirstValue(text: string, start: number): number {
  const first = text[start];
  if (first === '{' || first === '[') {
    let depth = 0;
    let inString = false;
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return -1;
  }
  if (first === '"') {
    for (let i = start + 1; i < text.length; i++) {
      if (text[i] === '\\') i++;
      else if (text[i] === '"') return i + 1;
    }
    return -1;
  }
  let i = start;
  while (i < text.length && !/[\s,\]}]/.test(text[i] as string)) i++;
  return i;
}

function describeChar(c: string | undefined): string {
  if (c == null) return 'EOF';
  return c === "'" ? "'\\''" : `'${c}'`;
}

/**
 * Decodes the first JSON value of a request body like Go's `json.NewDecoder(body).Decode(&v)`.
 * An empty body is Go's `EOF` error.
 */
export function decodeGoJsonBody(body: Buffer | string): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  let start = 0;
  while (start < text.length && /\s/.test(text[start] as string)) start++;
  if (start >= text.length) throw new GoJsonError('EOF');
  const end = endOfFirstValue(text, start);
  if (end < 0) throw new GoJsonError('unexpected EOF');
  const slice = text.slice(start, end);
  try {
    return JSON.parse(slice) as unknown;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const at = /position (\d+)/.exec(message);
    const pos = at?.[1] == null ? 0 : Number(at[1]);
    const context = pos === 0 ? 'looking for beginning of value' : 'after top-level value';
    throw new GoJsonError(`invalid character ${describeChar(slice[pos])} ${context}`);
  }
}

/** The JSON type name Go uses in `cannot unmarshal <type> into …`. */
export function goJsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return 'object';
  }
}

/**
 * Reads struct fields from a decoded JSON object the way Go matches them: case-insensitively, the
 * last matching key winning. `known` lists the struct's field names; with `disallowUnknown` (Consul's
 * `lib.DecodeJSON`) any other key fails with `json: unknown field "X"`.
 */
export function goStructFields(
  raw: unknown,
  structName: string,
  known: readonly string[],
  disallowUnknown: boolean,
): Map<string, unknown> {
  if (raw === null) return new Map();
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new GoJsonError(
      `json: cannot unmarshal ${goJsonTypeName(raw)} into Go value of type structs.${structName}`,
    );
  }
  const byLower = new Map(known.map((k) => [k.toLowerCase(), k]));
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const field = byLower.get(key.toLowerCase());
    if (field == null) {
      if (disallowUnknown) throw new GoJsonError(`json: unknown field ${JSON.stringify(key)}`);
      continue;
    }
    out.set(field, value);
  }
  return out;
}

function typeError(structName: string, field: string, value: unknown, goType: string): GoJsonError {
  return new GoJsonError(
    `json: cannot unmarshal ${goJsonTypeName(value)} into Go struct field ${structName}.${field} of type ${goType}`,
  );
}

/** A Go `string` field: JSON null leaves the current value. */
export function goString(structName: string, field: string, value: unknown, current: string): string {
  if (value === null || value === undefined) return current;
  if (typeof value !== 'string') throw typeError(structName, field, value, 'string');
  return value;
}

/** A Go `[]string` field: JSON null sets it to nil. */
export function goStringSlice(structName: string, field: string, value: unknown): string[] | null {
  if (value === null) return null;
  if (!Array.isArray(value)) throw typeError(structName, field, value, '[]string');
  return value.map((v) => {
    if (typeof v !== 'string') throw typeError(structName, field, v, 'string');
    return v;
  });
}

/** A Go integer field (`int`, `uint64`…), as a JavaScript number. */
export function goInt(
  structName: string,
  field: string,
  value: unknown,
  current: number,
  goType = 'int',
): number {
  if (value === null || value === undefined) return current;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw typeError(structName, field, value, goType);
  return value;
}

/** A Go `bool` field. */
export function goBool(structName: string, field: string, value: unknown, current: boolean): boolean {
  if (value === null || value === undefined) return current;
  if (typeof value !== 'boolean') throw typeError(structName, field, value, 'bool');
  return value;
}

/** A Go `map[string]string` field. */
export function goStringMap(structName: string, field: string, value: unknown): Map<string, string> | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value))
    throw typeError(structName, field, value, 'map[string]string');
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string') throw typeError(structName, field, v, 'string');
    out.set(k, v);
  }
  return out;
}

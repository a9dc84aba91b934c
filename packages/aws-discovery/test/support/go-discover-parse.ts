/**
 * A test oracle: a TypeScript reading of hashicorp/go-discover `config.go` `parse`/`lex`, the
 * parser Consul runs on a `retry_join` auto-join string (consul-http-api.md §8.3). Unquoted text
 * ends at a space or `=` and is trimmed; a double-quoted token is passed to Go's
 * `strconv.Unquote`, modelled here for the escapes Go accepts in interpreted string literals.
 */
export function parseGoDiscoverConfig(input: string): Record<string, string> {
  const out: Record<string, string> = {};
  let s = [...input.trim()];
  let state: 'key' | 'equal' | 'val' = 'key';
  let key = '';
  while (s.length > 0) {
    const [item, val, n] = lex(s);
    s = s.slice(n);
    if (state === 'key') {
      if (item !== 'text') throw new Error(`${key}: ${val}`);
      key = val;
      if (key in out) throw new Error(`${key}: duplicate key`);
      state = 'equal';
    } else if (state === 'equal') {
      if (item !== 'equal') throw new Error(`${key}: missing '='`);
      state = 'val';
    } else {
      if (item === 'error') throw new Error(`${key}: ${val}`);
      if (item !== 'text') throw new Error(`${key}: missing value`);
      out[key] = val;
      state = 'key';
    }
  }
  if (state !== 'key') throw new Error(`${key}: missing ${state === 'equal' ? "'='" : 'value'}`);
  return out;
}

type Item = 'text' | 'equal' | 'error';

function lex(s: string[]): [Item, string, number] {
  let state: 'start' | 'equal' | 'text' | 'qtext' | 'qtextend' | 'qtextesc' = 'start';
  for (let i = 0; i < s.length; i++) {
    const r = s[i]!;
    switch (state) {
      case 'start':
        if (r === ' ') break;
        if (r === '=') state = 'equal';
        else if (r === '"') state = 'qtext';
        else state = 'text';
        break;
      case 'equal':
        return ['equal', '', i];
      case 'text':
        if (r === '=' || r === ' ') return ['text', goTrimSpace(s.slice(0, i).join('')), i];
        break;
      case 'qtext':
        if (r === '"') state = 'qtextend';
        else if (r === '\\') state = 'qtextesc';
        break;
      case 'qtextesc':
        state = 'qtext';
        break;
      case 'qtextend':
        try {
          return ['text', goUnquote(goTrimSpace(s.slice(0, i).join(''))), i];
        } catch (err) {
          return ['error', (err as Error).message, i];
        }
    }
  }
  switch (state) {
    case 'equal':
      return ['equal', '', s.length];
    case 'qtext':
      return ['error', 'unbalanced quotes', s.length];
    case 'qtextesc':
      return ['error', 'unterminated escape sequence', s.length];
    case 'qtextend':
      try {
        return ['text', goUnquote(goTrimSpace(s.join(''))), s.length];
      } catch (err) {
        return ['error', (err as Error).message, s.length];
      }
    default:
      return ['text', goTrimSpace(s.join('')), s.length];
  }
}

function goTrimSpace(v: string): string {
  return v.replace(/^[\t\n\v\f\r \u0085\u00a0]+|[\t\n\v\f\r \u0085\u00a0]+$/g, '');
}

/** Go `strconv.Unquote` for a double-quoted literal: raw newlines and stray quotes are errors. */
function goUnquote(q: string): string {
  if (q.length < 2 || !q.startsWith('"') || !q.endsWith('"')) throw new Error('invalid syntax');
  const body = [...q.slice(1, -1)];
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '"' || c === '\n') throw new Error('invalid syntax');
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, string> = {
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '\\': '\\',
      '"': '"',
    };
    if (e != null && e in simple) {
      out += simple[e];
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len).join('');
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new Error('invalid syntax');
      out += String.fromCodePoint(parseInt(hex, 16));
      i += len;
    } else {
      throw new Error('invalid syntax');
    }
  }
  return out;
}

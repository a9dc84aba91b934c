import {
  assertPrintable,
  entriesOf,
  isConfigObject,
  type ConfigObject,
  type ConfigValue,
} from './config-value';
import { BootstrapError } from './errors';

/**
 * Prints a config tree as HCL that means the same thing to two parsers:
 *
 * - Consul reads agent config with HCL **1** (`github.com/hashicorp/hcl`, `hcl.Decode` in
 *   consul:agent/config/config.go), whose string unquoting copies `${…}` verbatim and has no `$${`
 *   escape;
 * - HCL 2 tools (and the tests' independent parser) treat `${` and `%{` as template syntax, with
 *   `$${` / `%%{` as their escapes.
 *
 * So strings use only the escapes both understand — `\"`, `\\`, `\n`, `\r`, `\t`, `\uNNNN`,
 * `\UNNNNNNNN` — and a `$` or `%` that precedes `{` is written as `\u0024` / `\u0025`, which both
 * decode to the plain character without starting a template sequence. Control and other invisible
 * format characters (Cc, Cf, line/paragraph separators) are escaped too, so a hostile value can
 * neither break out of its string nor hide in the file.
 *
 * Nested objects are written as `key = { … }` (an HCL 1 object and an HCL 2 object constructor)
 * rather than `key { … }` blocks: Consul decodes both alike, and HCL 2 parsers turn blocks into
 * lists, which would make the parsed HCL differ from the JSON rendering for no reason.
 */
export interface RenderHclOptions {
  /** Lines written as `# …` comments before the body (no timestamps: output must be stable). */
  headerComment?: readonly string[];
}

const INDENT = '  ';
const BARE_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
// HCL 1 lexes these as literals, not identifiers, so they cannot be bare object keys.
const RESERVED_KEYS = new Set(['true', 'false', 'null']);
const NEEDS_ESCAPE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const INLINE_LIST_MAX_CHARS = 100;

export function renderHcl(document: ConfigObject, options: RenderHclOptions = {}): string {
  assertPrintable(document, '');
  const lines: string[] = [];
  for (const comment of options.headerComment ?? []) {
    lines.push(comment === '' ? '#' : `# ${comment.replace(/[\r\n]+/g, ' ')}`);
  }
  for (const [key, value] of entriesOf(document)) {
    if (!BARE_KEY.test(key) || RESERVED_KEYS.has(key)) {
      // HCL 2 attribute names must be identifiers; only nested object keys may be quoted.
      throw new BootstrapError(
        'INVALID_CONFIG',
        `top-level key ${JSON.stringify(key)} is not an HCL identifier`,
      );
    }
    lines.push(`${key} = ${renderValue(value, 0)}`);
  }
  return `${lines.join('\n')}\n`;
}

function renderValue(value: ConfigValue, depth: number): string {
  if (typeof value === 'string') return quoteHclString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return renderList(value as readonly ConfigValue[], depth);
  if (isConfigObject(value)) return renderObject(value, depth);
  throw new BootstrapError('INVALID_CONFIG', 'unsupported value type');
}

function renderObject(object: ConfigObject, depth: number): string {
  const entries = entriesOf(object);
  if (entries.length === 0) return '{}';
  const inner = INDENT.repeat(depth + 1);
  const body = entries.map(([key, value]) => `${inner}${hclKey(key)} = ${renderValue(value, depth + 1)}`);
  return `{\n${body.join('\n')}\n${INDENT.repeat(depth)}}`;
}

function renderList(items: readonly ConfigValue[], depth: number): string {
  if (items.length === 0) return '[]';
  const scalars = items.every((item) => typeof item !== 'object');
  if (scalars) {
    const inline = `[${items.map((item) => renderValue(item, depth)).join(', ')}]`;
    if (inline.length <= INLINE_LIST_MAX_CHARS) return inline;
  }
  const inner = INDENT.repeat(depth + 1);
  const body = items.map((item) => `${inner}${renderValue(item, depth + 1)},`);
  return `[\n${body.join('\n')}\n${INDENT.repeat(depth)}]`;
}

function hclKey(key: string): string {
  return BARE_KEY.test(key) && !RESERVED_KEYS.has(key) ? key : quoteHclString(key);
}

/** A double-quoted HCL string literal that HCL 1 and HCL 2 both decode to exactly `value`. */
export function quoteHclString(value: string): string {
  let out = '"';
  const chars = [...value];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    const next = chars[i + 1];
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if ((ch === '$' || ch === '%') && next === '{') out += unicodeEscape(ch);
    else if (NEEDS_ESCAPE.test(ch)) out += unicodeEscape(ch);
    else out += ch;
  }
  return `${out}"`;
}

function unicodeEscape(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  const hex = code.toString(16).toUpperCase();
  return code > 0xffff ? `\\U${hex.padStart(8, '0')}` : `\\u${hex.padStart(4, '0')}`;
}

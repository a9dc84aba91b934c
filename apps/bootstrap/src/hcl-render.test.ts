import { parse as parseHcl2 } from '@cdktn/hcl2json';
import { describe, expect, it } from 'vitest';
import { HOSTILE_STRINGS } from '../test/hostile-values';
import type { ConfigObject } from './config-value';
import { quoteHclString, renderHcl } from './hcl-render';
import { renderJson } from './json-render';

/**
 * hcl2json prints Terraform's JSON syntax, where a literal `${` / `%{` is written `$${` / `%%{`.
 * Encoding the expected strings the same way keeps the comparison exact: an unescaped template
 * sequence in our HCL would come back as a bare `${` and fail the match. Object keys get the same
 * treatment.
 */
function terraformString(value: string): string {
  return value.replace(/([$%])\{/g, '$1$1{');
}

function asTerraformJson(value: unknown): unknown {
  if (typeof value === 'string') return terraformString(value);
  if (Array.isArray(value)) return value.map(asTerraformJson);
  if (value != null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => [terraformString(key), asTerraformJson(v)]),
    );
  }
  return value;
}

async function hcl2(text: string): Promise<unknown> {
  return parseHcl2('test.hcl', text);
}

const hostileDocument = (): ConfigObject => ({
  single: 'x',
  strings: [...HOSTILE_STRINGS],
  nested: Object.fromEntries(HOSTILE_STRINGS.filter((s) => s !== '').map((s, i) => [`k${i}`, s])),
  keys: Object.fromEntries(HOSTILE_STRINGS.filter((s) => s !== '').map((s, i) => [s, i])),
  objects: [
    { a: 'b"', c: [{ d: '${e}' }] },
    { f: true, g: -3, h: 0 },
  ],
  empty_list: [],
  empty_object: {},
});

describe('renderHcl', () => {
  it('round-trips every hostile string through an independent HCL 2 parser exactly', async () => {
    for (const value of HOSTILE_STRINGS) {
      const parsed = await hcl2(renderHcl({ value }));
      expect(parsed, JSON.stringify(value)).toEqual(asTerraformJson({ value }));
    }
  });

  it('parses back to the same tree as the JSON rendering, hostile keys and nesting included', async () => {
    const document = hostileDocument();
    const fromHcl = await hcl2(renderHcl(document, { headerComment: ['evil\nheader = "x"'] }));
    expect(fromHcl).toEqual(asTerraformJson(JSON.parse(renderJson(document))));
  });

  it('escapes a template opener as \\u0024{ / \\u0025{, the one spelling HCL 1 and HCL 2 both read literally', () => {
    expect(quoteHclString('${x}')).toBe('"\\u0024{x}"');
    expect(quoteHclString('%{x}')).toBe('"\\u0025{x}"');
    // `$${` is HCL 2's escape only: HCL 1 (Consul) would keep both dollars. Never emit it.
    expect(quoteHclString('$${x}')).toBe('"$\\u0024{x}"');
    expect(quoteHclString('$ {} %')).toBe('"$ {} %"');
  });

  it('uses only escapes both HCL versions understand', () => {
    expect(quoteHclString('a"b\\c\nd\re\tf')).toBe('"a\\"b\\\\c\\nd\\re\\tf"');
    expect(quoteHclString('\u0000\u001b\u007f\u0085')).toBe('"\\u0000\\u001B\\u007F\\u0085"');
    expect(quoteHclString('\u2028\u202E\uFEFF')).toBe('"\\u2028\\u202E\\uFEFF"');
    expect(quoteHclString('\u{E0001}')).toBe('"\\U000E0001"');
    expect(quoteHclString('é 日本 😀')).toBe('"é 日本 😀"');
    const text = renderHcl({ value: HOSTILE_STRINGS.join('|') });
    // Nothing but the final newline may break a line; no \a \b \f \v \x or octal escapes.
    expect(text.trimEnd()).not.toMatch(/[\n\r\u2028\u2029]/);
    expect(text).not.toMatch(/\\[abfvx0-7]/);
  });

  it('quotes object keys that are not plain identifiers, and HCL 1 literals used as keys', () => {
    const text = renderHcl({ meta: { plain_key: 1, 'with space': 2, 'dotted.key': 3, true: 4, '${k}': 5 } });
    expect(text).toContain('  plain_key = 1\n');
    expect(text).toContain('  "with space" = 2\n');
    expect(text).toContain('  "dotted.key" = 3\n');
    expect(text).toContain('  "true" = 4\n');
    expect(text).toContain('  "\\u0024{k}" = 5\n');
  });

  it('writes nested objects as `key = { … }`, lists inline when short and one item per line when long', () => {
    const text = renderHcl({
      performance: { raft_multiplier: 1 },
      short: ['a', 'b'],
      long: Array.from({ length: 12 }, (_, i) => `10.0.${i}.10`),
    });
    expect(text).toBe(
      [
        'performance = {',
        '  raft_multiplier = 1',
        '}',
        'short = ["a", "b"]',
        'long = [',
        ...Array.from({ length: 12 }, (_, i) => `  "10.0.${i}.10",`),
        ']',
        '',
      ].join('\n'),
    );
  });

  it('skips undefined members and prefixes header lines as comments that cannot break out', async () => {
    const text = renderHcl({ a: 1, b: undefined }, { headerComment: ['one', '', 'two\nc = 3'] });
    expect(text).toBe('# one\n#\n# two c = 3\na = 1\n');
    expect(await hcl2(text)).toEqual({ a: 1 });
  });

  it('refuses values it cannot print faithfully, naming the key', () => {
    expect(() => renderHcl({ a: { b: 'x\uD800y' } })).toThrow(/a\.b contains an unpaired UTF-16 surrogate/);
    expect(() => renderHcl({ a: [1.5] })).toThrow(/a\[0\] must be an integer/);
    expect(() => renderHcl({ a: Number.POSITIVE_INFINITY })).toThrow(/a must be an integer/);
    expect(() => renderHcl({ 'not ident': 1 })).toThrow(/top-level key "not ident" is not an HCL identifier/);
    expect(() => renderHcl({ a: { '': 1 } })).toThrow(/empty or malformed key/);
  });
});

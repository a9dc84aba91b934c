import { describe, expect, it } from 'vitest';
import { HOSTILE_STRINGS } from '../test/hostile-values';
import { renderJson } from './json-render';

describe('renderJson', () => {
  it('round-trips every hostile string and key through JSON.parse exactly', () => {
    const document = {
      strings: [...HOSTILE_STRINGS],
      keys: Object.fromEntries(HOSTILE_STRINGS.filter((s) => s !== '').map((s, i) => [s, i])),
    };
    expect(JSON.parse(renderJson(document))).toEqual(document);
  });

  it('keeps template sequences literal (Consul reads JSON without templates) and escapes U+2028/2029', () => {
    const text = renderJson({ a: '${x} %{y}', b: 'l\u2028p\u2029' });
    expect(text).toContain('"a": "${x} %{y}"');
    expect(text).toContain('"b": "l\\u2028p\\u2029"');
    expect(text).not.toMatch(/[\u2028\u2029]/);
  });

  it('skips undefined members, ends with a newline and refuses unpaired surrogates', () => {
    expect(renderJson({ a: 1, b: undefined })).toBe('{\n  "a": 1\n}\n');
    expect(() => renderJson({ list: ['\uDC00'] })).toThrow(/list\[0\] contains an unpaired UTF-16 surrogate/);
  });
});

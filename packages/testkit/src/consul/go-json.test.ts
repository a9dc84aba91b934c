import { describe, expect, it } from 'vitest';
import { decodeGoJsonBody, encodeGoJson, goStructFields } from './go-json';

describe('encodeGoJson', () => {
  it('writes uint64 values exactly, beyond 2^53 (spec §9, rule 79)', () => {
    expect(encodeGoJson({ Flags: 3304740253564472344n })).toBe('{"Flags":3304740253564472344}');
    expect(encodeGoJson({ Flags: 18446744073709551615n })).toBe('{"Flags":18446744073709551615}');
  });

  it('keeps struct field order, omits undefined fields and writes null', () => {
    expect(encodeGoJson({ LockIndex: 0, Key: 'a', Value: null, Session: undefined, CreateIndex: 5 })).toBe(
      '{"LockIndex":0,"Key":"a","Value":null,"CreateIndex":5}',
    );
  });

  it('sorts Go map keys by bytes', () => {
    expect(
      encodeGoJson(
        new Map([
          ['b', 1],
          ['10', 2],
          ['9', 3],
          ['a', 4],
        ]),
      ),
    ).toBe('{"10":2,"9":3,"a":4,"b":1}');
  });

  it('escapes HTML characters and line separators like Go', () => {
    expect(encodeGoJson('<a>&\u2028\b\u0001')).toBe('"\\u003ca\\u003e\\u0026\\u2028\\b\\u0001"');
  });

  it('indents with four spaces and a trailing newline for ?pretty', () => {
    expect(encodeGoJson([{ ID: 'x', A: [] }], true)).toBe(
      '[\n    {\n        "ID": "x",\n        "A": []\n    }\n]\n',
    );
  });
});

describe('decodeGoJsonBody', () => {
  it('reads only the first value, like json.Decoder', () => {
    expect(decodeGoJsonBody('{"TTL":"10s"} trailing')).toEqual({ TTL: '10s' });
  });

  it('reports an empty body as EOF', () => {
    expect(() => decodeGoJsonBody('  ')).toThrow('EOF');
  });

  it('reports a syntax error with Go-like text', () => {
    expect(() => decodeGoJsonBody('{"a":}')).toThrow(/invalid character/);
    expect(() => decodeGoJsonBody('{"a":1')).toThrow('unexpected EOF');
  });
});

describe('goStructFields', () => {
  it('matches fields case-insensitively, last key winning', () => {
    const f = goStructFields({ ttl: '10s', TTL: '20s', name: 'n' }, 'Session', ['TTL', 'Name'], true);
    expect(f.get('TTL')).toBe('20s');
    expect(f.get('Name')).toBe('n');
  });

  it('rejects unknown fields when asked (lib.DecodeJSON)', () => {
    expect(() => goStructFields({ Bogus: 1 }, 'Session', ['TTL'], true)).toThrow(
      'json: unknown field "Bogus"',
    );
    expect(goStructFields({ Bogus: 1 }, 'Session', ['TTL'], false).size).toBe(0);
  });
});

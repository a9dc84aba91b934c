import { describe, expect, it } from 'vitest';
import { goParseBool, goParseQuery, goParseUint, goQuote, goServeMuxCleanPath } from './go-url';

describe('goParseQuery', () => {
  it('treats a present key as set whatever its value (spec §1.5)', () => {
    const { values } = goParseQuery('recurse=false&keys&separator=%2F');
    expect(values.has('recurse')).toBe(true);
    expect(values.has('keys')).toBe(true);
    expect(values.get('keys')).toBe('');
    expect(values.get('separator')).toBe('/');
    expect(values.has('raw')).toBe(false);
  });

  it('encodes like Go Values.Encode for the Conflicting flags body (rule 25)', () => {
    const { values } = goParseQuery('cas=1&acquire=a b&flags=2');
    expect(values.encode()).toBe('acquire=a+b&cas=1&flags=2');
  });

  it('reports bad escapes and semicolons as parse errors', () => {
    expect(goParseQuery('a=%zz').error?.message).toBe('invalid URL escape "%zz"');
    expect(goParseQuery('a=1;b=2').error?.message).toBe('invalid semicolon separator in query');
  });
});

describe('goParseUint', () => {
  it('is exact up to 2^64-1', () => {
    expect(goParseUint('18446744073709551615')).toBe(18446744073709551615n);
    expect(goParseUint('3304740253564472344')).toBe(3304740253564472344n);
  });

  it('uses strconv error texts', () => {
    expect(() => goParseUint('abc')).toThrow('strconv.ParseUint: parsing "abc": invalid syntax');
    expect(() => goParseUint('-1')).toThrow('invalid syntax');
    expect(() => goParseUint('18446744073709551616')).toThrow('value out of range');
  });
});

describe('goParseBool', () => {
  it('accepts Go spellings only', () => {
    expect(goParseBool('T')).toBe(true);
    expect(goParseBool('0')).toBe(false);
    expect(() => goParseBool('yes')).toThrow('invalid syntax');
  });
});

describe('goQuote', () => {
  it('quotes like strconv.Quote', () => {
    expect(goQuote('a"b\\c\n')).toBe('"a\\"b\\\\c\\n"');
    expect(goQuote('é')).toBe('"é"');
  });
});

describe('goServeMuxCleanPath', () => {
  it('keeps canonical paths and cleans others', () => {
    expect(goServeMuxCleanPath('/v1/kv/a/b')).toBe('/v1/kv/a/b');
    expect(goServeMuxCleanPath('/v1/kv/')).toBe('/v1/kv/');
    expect(goServeMuxCleanPath('/v1/kv/a//b')).toBe('/v1/kv/a/b');
    expect(goServeMuxCleanPath('/v1/kv/a/../b/')).toBe('/v1/kv/b/');
  });
});

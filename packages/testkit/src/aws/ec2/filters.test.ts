import { describe, expect, it } from 'vitest';
import { ApiError } from '../query/api-error';
import { applyFilters, wildcardMatcher } from './filters';

interface Item {
  id: string;
  az: string;
  flag: boolean;
  routes: string[];
  tags: Record<string, string>;
}

const items: Item[] = [
  {
    id: 'a',
    az: 'us-east-1a',
    flag: true,
    routes: ['active', 'blackhole'],
    tags: { Role: 'nat', Name: 'nat a' },
  },
  { id: 'b', az: 'us-east-1b', flag: false, routes: ['active'], tags: { Role: 'nat*', Name: 'b' } },
  { id: 'c', az: 'us-east-1c', flag: false, routes: [], tags: { Env: 'prod' } },
];
const table = {
  'item-id': (i: Item) => i.id,
  az: (i: Item) => i.az,
  flag: (i: Item) => i.flag,
  'route.state': (i: Item) => i.routes,
};
const ids = (filters: { name: string; values: string[] }[]): string[] =>
  applyFilters(items, filters, table, (i) => i.tags).map((i) => i.id);

describe('EC2 filters', () => {
  it('rule 13: `*` matches any run, `?` zero or one character, backslash escapes, case-sensitive', () => {
    expect(wildcardMatcher('us-east-1*')('us-east-1a')).toBe(true);
    expect(wildcardMatcher('us-east-?a')('us-east-1a')).toBe(true);
    expect(wildcardMatcher('us-east-1?')('us-east-1')).toBe(true);
    expect(wildcardMatcher('us-east-1?')('us-east-1ab')).toBe(false);
    expect(wildcardMatcher('nat\\*')('nat*')).toBe(true);
    expect(wildcardMatcher('nat\\*')('nat-a')).toBe(false);
    expect(wildcardMatcher('a\\\\b')('a\\b')).toBe(true);
    expect(wildcardMatcher('NAT')('nat')).toBe(false);
    expect(wildcardMatcher('a.c')('abc')).toBe(false);
  });

  it('rule 13: values OR-ed within a filter, filters AND-ed', () => {
    expect(ids([{ name: 'az', values: ['us-east-1a', 'us-east-1b'] }])).toEqual(['a', 'b']);
    expect(
      ids([
        { name: 'az', values: ['us-east-1a', 'us-east-1b'] },
        { name: 'flag', values: ['false'] },
      ]),
    ).toEqual(['b']);
  });

  it('rule 13: tag:<key> matches key and value, tag-key the key only, tag-value the value only', () => {
    expect(ids([{ name: 'tag:Role', values: ['nat'] }])).toEqual(['a']);
    expect(ids([{ name: 'tag:Role', values: ['nat*'] }])).toEqual(['a', 'b']);
    expect(ids([{ name: 'tag:Role', values: ['nat\\*'] }])).toEqual(['b']);
    expect(ids([{ name: 'tag:Name', values: ['nat a'] }])).toEqual(['a']);
    expect(ids([{ name: 'tag-key', values: ['Env'] }])).toEqual(['c']);
    expect(ids([{ name: 'tag-value', values: ['prod', 'b'] }])).toEqual(['b', 'c']);
  });

  it('rule 29: a multi-valued attribute matches when any value matches', () => {
    expect(ids([{ name: 'route.state', values: ['blackhole'] }])).toEqual(['a']);
    expect(ids([{ name: 'route.state', values: ['active'] }])).toEqual(['a', 'b']);
  });

  it('rule 14: an unknown filter name is InvalidParameterValue, never match-all', () => {
    try {
      ids([{ name: 'colour', values: ['blue'] }]);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe('InvalidParameterValue');
      expect((err as ApiError).message).toBe("The filter 'colour' is invalid");
    }
  });

  it('a filter without values matches nothing', () => {
    expect(ids([{ name: 'az', values: [] }])).toEqual([]);
  });
});

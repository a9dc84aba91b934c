import { describe, expect, it } from 'vitest';
import { paginate } from './pagination';
import { QueryParams } from './params';

const items = Array.from({ length: 12 }, (_, i) => i);
const limits = { min: 5, max: 100 };

describe('paginate', () => {
  it('rule 16: pages with MaxResults and NextToken until exhausted', () => {
    const seen: number[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const entries: [string, string][] = [
        ['MaxResults', '5'],
        ['Filter.1.Name', 'x'],
      ];
      if (token != null) entries.push(['NextToken', token]);
      const page = paginate(items, new QueryParams(entries), limits);
      seen.push(...page.items);
      token = page.nextToken;
      pages++;
    } while (token != null);
    expect(seen).toEqual(items);
    expect(pages).toBe(3);
  });

  it('returns everything in one page without MaxResults', () => {
    expect(paginate(items, new QueryParams([]), limits)).toEqual({ items });
  });

  it('rejects MaxResults out of range and foreign or forged tokens', () => {
    expect(() => paginate(items, new QueryParams([['MaxResults', '4']]), limits)).toThrow(
      /between 5 and 100/,
    );
    const first = paginate(
      items,
      new QueryParams([
        ['MaxResults', '5'],
        ['Filter.1.Name', 'x'],
      ]),
      limits,
    );
    // The same token with a different selection is a foreign token.
    expect(() =>
      paginate(
        items,
        new QueryParams([
          ['MaxResults', '5'],
          ['Filter.1.Name', 'y'],
          ['NextToken', first.nextToken as string],
        ]),
        limits,
      ),
    ).toThrow(/NextToken|nextToken/);
    expect(() => paginate(items, new QueryParams([['NextToken', 'garbage']]), limits)).toThrow(/is invalid/);
  });
});

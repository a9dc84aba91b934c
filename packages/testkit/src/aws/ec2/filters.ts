/**
 * EC2 Describe filters (rules 13, 14, 29): values of one filter are OR-ed, filters are AND-ed,
 * matching is case-sensitive with `*` (zero or more characters) and `?` (zero or one character)
 * wildcards and `\*`, `\?`, `\\` escapes [D-FILTER]. A resource matches a filter when any of its
 * values for that name matches (a table matches `route.state=blackhole` if any route is
 * blackhole). An unknown filter name is 400 InvalidParameterValue, never a silent match-all.
 */
import { invalidParameterValue } from '../query/api-error';
import type { Filter } from '../query/params';

export type FilterValue = string | number | boolean | undefined;

/** Filter name → the resource's values for it. */
export type FilterTable<T> = Readonly<Record<string, (item: T) => FilterValue | readonly FilterValue[]>>;

/** Compiles an EC2 filter value into a predicate. */
export function wildcardMatcher(pattern: string): (value: string) => boolean {
  if (!/[*?\\]/.test(pattern)) return (value) => value === pattern;
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '\\' && i + 1 < pattern.length) {
      const next = pattern[i + 1] as string;
      if (next === '*' || next === '?' || next === '\\') {
        source += `\\${next}`;
        i++;
        continue;
      }
    }
    if (ch === '*') source += '[\\s\\S]*';
    else if (ch === '?') source += '[\\s\\S]?';
    else source += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  const re = new RegExp(`^${source}$`);
  return (value) => re.test(value);
}

function asStrings(v: FilterValue | readonly FilterValue[]): string[] {
  const list = Array.isArray(v) ? (v as readonly FilterValue[]) : [v as FilterValue];
  return list.filter((x): x is string | number | boolean => x != null).map((x) => String(x));
}

/**
 * Compiles filters into one predicate, validating every name first (so an unknown filter is
 * reported before a DryRun verdict). `tagsOf` enables `tag:<key>`, `tag-key` and `tag-value`.
 */
export function compileFilters<T>(
  filters: readonly Filter[],
  table: FilterTable<T>,
  tagsOf?: (item: T) => Record<string, string>,
): (item: T) => boolean {
  const compiled = filters.map((f) => {
    const matchers = f.values.map(wildcardMatcher);
    const anyMatch = (values: string[]): boolean => values.some((v) => matchers.some((m) => m(v)));
    if (tagsOf != null && f.name.startsWith('tag:')) {
      const key = f.name.slice(4);
      return (item: T): boolean => {
        const tags = tagsOf(item);
        return Object.prototype.hasOwnProperty.call(tags, key) && anyMatch([tags[key] as string]);
      };
    }
    if (tagsOf != null && f.name === 'tag-key')
      return (item: T): boolean => anyMatch(Object.keys(tagsOf(item)));
    if (tagsOf != null && f.name === 'tag-value')
      return (item: T): boolean => anyMatch(Object.values(tagsOf(item)));
    const accessor = Object.prototype.hasOwnProperty.call(table, f.name) ? table[f.name] : undefined;
    if (accessor == null) throw invalidParameterValue(`The filter '${f.name}' is invalid`);
    return (item: T): boolean => anyMatch(asStrings(accessor(item)));
  });
  return (item) => compiled.every((match) => match(item));
}

/** Returns the items matching every filter (see `compileFilters`). */
export function applyFilters<T>(
  items: readonly T[],
  filters: readonly Filter[],
  table: FilterTable<T>,
  tagsOf?: (item: T) => Record<string, string>,
): T[] {
  return items.filter(compileFilters(filters, table, tagsOf));
}

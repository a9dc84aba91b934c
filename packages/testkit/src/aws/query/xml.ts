/**
 * A tiny XML writer for the Query protocols' responses: elements, escaped text, `<xSet><item>`
 * lists (EC2) and `<X><member>` lists (Auto Scaling). Booleans are lower case and times ISO-8601
 * UTC with `Z` (rule 7).
 */

export type XmlScalar = string | number | boolean;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] as string);
}

/** `<name>value</name>`; nothing when `value` is undefined (absent member). */
export function leaf(name: string, value: XmlScalar | undefined | null): string {
  if (value == null) return '';
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `<name>…children…</name>`, or `<name/>` when empty. */
export function node(name: string, ...children: string[]): string {
  const inner = children.join('');
  return inner === '' ? `<${name}/>` : `<${name}>${inner}</${name}>`;
}

/** EC2 list: `<name><item>…</item>…</name>`; `<name/>` when empty. */
export function itemSet<T>(name: string, items: readonly T[], render: (item: T) => string): string {
  return node(name, ...items.map((i) => node('item', render(i))));
}

/** Auto Scaling list: `<name><member>…</member>…</name>`. */
export function memberList<T>(name: string, items: readonly T[], render: (item: T) => string): string {
  return node(name, ...items.map((i) => node('member', render(i))));
}

/** EC2 `tagSet` from a key → value map. */
export function tagSet(tags: Record<string, string>): string {
  return itemSet('tagSet', Object.entries(tags), ([k, v]) => leaf('key', k) + leaf('value', v));
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

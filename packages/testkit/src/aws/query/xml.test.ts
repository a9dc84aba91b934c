import { describe, expect, it } from 'vitest';
import { escapeXml, itemSet, leaf, memberList, node, tagSet } from './xml';

describe('xml', () => {
  it('escapes text and omits absent members', () => {
    expect(escapeXml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
    expect(leaf('x', undefined)).toBe('');
    expect(leaf('x', 'a&b')).toBe('<x>a&amp;b</x>');
  });

  it('rule 7: lowercase booleans, empty sets as self-closing elements, item and member lists', () => {
    expect(leaf('main', true)).toBe('<main>true</main>');
    expect(leaf('main', false)).toBe('<main>false</main>');
    expect(itemSet('routeSet', [], () => '')).toBe('<routeSet/>');
    expect(itemSet('s', [1, 2], (n) => leaf('n', n))).toBe(
      '<s><item><n>1</n></item><item><n>2</n></item></s>',
    );
    expect(memberList('Zones', ['a'], (z) => z)).toBe('<Zones><member>a</member></Zones>');
    expect(node('empty')).toBe('<empty/>');
    expect(tagSet({ Name: 'x' })).toBe('<tagSet><item><key>Name</key><value>x</value></item></tagSet>');
  });
});

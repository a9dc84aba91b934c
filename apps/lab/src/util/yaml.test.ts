import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { toYaml } from './yaml';

describe('toYaml', () => {
  it('round-trips an agent.yaml-shaped document through a real YAML parser', () => {
    const doc = {
      consul: { address: 'http://127.0.0.1:8500', lockDelayMs: 1500 },
      http: { host: '127.0.0.1', port: 0 },
      health: { targets: [{ type: 'tcp', host: '127.0.0.1', port: 40123 }], rise: 3 },
      dataplane: { mode: 'off', manageNat: false },
      groups: [
        { name: 'vpc', routeTables: { tags: { 'nat-ha:managed': 'true' } }, destinations: ['0.0.0.0/0'] },
      ],
    };
    expect(parse(toYaml(doc))).toEqual(doc);
  });

  it('quotes strings YAML would otherwise reinterpret', () => {
    const doc = { a: 'on', b: '1e3', c: 'key: value', d: '', e: 'null', f: '#x' };
    expect(parse(toYaml(doc))).toEqual(doc);
  });

  it('omits undefined keys and writes empty collections inline', () => {
    const text = toYaml({ a: undefined, b: [], c: {}, d: null });
    expect(parse(text)).toEqual({ b: [], c: {}, d: null });
    expect(text).not.toContain('a:');
  });

  it('writes a comment header', () => {
    const text = toYaml({ a: 1 }, 'written by the lab\nfor nat-a');
    expect(text.startsWith('# written by the lab\n# for nat-a\n')).toBe(true);
    expect(parse(text)).toEqual({ a: 1 });
  });

  it('rejects non-finite numbers', () => {
    expect(() => toYaml({ a: Number.NaN })).toThrow(RangeError);
  });
});

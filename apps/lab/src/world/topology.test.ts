import { defaultWorld } from '@nat-ha/testkit';
import { describe, expect, it } from 'vitest';
import { buildTopology, parseTopologyName } from './topology';

describe('buildTopology', () => {
  it('vpc: one group owning every private table, every instance a primary, the EIP following', () => {
    const t = buildTopology(defaultWorld(), 'vpc');
    expect(t.groups).toHaveLength(1);
    const [g] = t.groups;
    expect(g?.name).toBe('vpc');
    expect(g?.key).toBe('nat-ha/groups/vpc/leader');
    expect(g?.tableIds).toHaveLength(3);
    expect(g?.primaries).toHaveLength(3);
    expect(g?.rescues).toEqual([]);
    expect(g?.eipAllocationId).toMatch(/^eipalloc-/);
    expect(t.instances.map((i) => i.name)).toEqual(['nat-a', 'nat-b', 'nat-c']);
    expect(t.lifecycleHookName).toBe('nat-ha-drain');
  });

  it('per-az: one group per AZ with its own instance primary and the others rescues', () => {
    const t = buildTopology(defaultWorld(), 'per-az');
    expect(t.groups.map((g) => g.name)).toEqual(['az-a', 'az-b', 'az-c']);
    const a = t.groups[0]!;
    expect(a.selector).toEqual({ azPrivate: 'us-east-1a' });
    expect(a.primaries).toEqual([t.instances[0]!.instanceId]);
    expect(a.rescues).toHaveLength(2);
    expect(a.tableIds).toHaveLength(1);
    expect(a.eipAllocationId).toBeUndefined();
  });

  it('maps every managed table to exactly one group and every ENI to its instance', () => {
    const world = defaultWorld({ privateRouteTables: 10, natInstances: 5 });
    for (const name of ['vpc', 'per-az'] as const) {
      const t = buildTopology(world, name);
      expect(t.tableGroup.size).toBe(10);
      expect(t.eniInstance.size).toBe(5);
    }
  });

  it('can leave the EIP out', () => {
    expect(buildTopology(defaultWorld(), 'vpc', { eip: false }).groups[0]?.eipAllocationId).toBeUndefined();
  });

  it('rejects an unknown topology name, naming the option', () => {
    expect(() => parseTopologyName('mesh')).toThrow(/--topology must be one of vpc, per-az/);
  });
});

import { describe, expect, it } from 'vitest';
import { TestkitError } from '../errors';
import { WORLD_TAGS, defaultWorld } from './default-world';
import { validateWorld } from './parse-world';

describe('defaultWorld', () => {
  it('is the lab world: us-east-1, 3 AZs, a tagged private table per AZ, one NAT instance per AZ, 1 EIP', () => {
    const w = defaultWorld();
    expect(w.region).toBe('us-east-1');
    const azs = new Set(w.subnets.map((s) => s.availabilityZone));
    expect([...azs]).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    expect(w.subnets.filter((s) => s.tags?.tier === 'public')).toHaveLength(3);
    expect(w.subnets.filter((s) => s.tags?.tier === 'private')).toHaveLength(3);
    const managed = w.routeTables.filter((t) => t.tags?.[WORLD_TAGS.managed] === 'true');
    expect(managed.map((t) => t.tags?.[WORLD_TAGS.az])).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    expect(w.routeTables.filter((t) => t.main === true)).toHaveLength(1);
    expect(w.instances).toHaveLength(3);
    for (const inst of w.instances) {
      expect(inst.tags?.[WORLD_TAGS.cluster]).toBe('lab');
      expect(inst.networkInterfaces).toHaveLength(1);
      expect(inst.networkInterfaces[0]?.macAddress).toMatch(/^0e(:[0-9a-f]{2}){5}$/);
      expect(inst.iamRole?.accessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    }
    expect(new Set(w.instances.map((i) => i.iamRole?.accessKeyId)).size).toBe(3);
    expect(w.addresses).toHaveLength(1);
    expect(w.natGateways).toEqual([]);
    expect(w.autoScalingGroups?.map((g) => g.instanceIds.length)).toEqual([1, 1, 1]);
  });

  it('points each private table at the NAT instance of its own AZ', () => {
    const w = defaultWorld();
    for (const t of w.routeTables.filter((x) => x.tags?.[WORLD_TAGS.managed] === 'true')) {
      const eni = t.routes?.[0]?.networkInterfaceId;
      const nat = w.instances.find((i) => i.networkInterfaces[0]?.networkInterfaceId === eni);
      const natAz = w.subnets.find((s) => s.subnetId === nat?.subnetId)?.availabilityZone;
      expect(natAz).toBe(t.tags?.[WORLD_TAGS.az]);
    }
  });

  it('is valid and plain JSON', () => {
    const w = defaultWorld({ natGateways: true });
    expect(validateWorld(w).problems).toEqual([]);
    expect(JSON.parse(JSON.stringify(w))).toEqual(w);
    expect(w.natGateways).toHaveLength(3);
  });

  it('scales to 100 route tables and 10 NAT candidates', () => {
    const w = defaultWorld({ privateRouteTables: 100, natInstances: 10 });
    expect(validateWorld(w).problems).toEqual([]);
    expect(w.routeTables.filter((t) => t.tags?.[WORLD_TAGS.managed] === 'true')).toHaveLength(100);
    expect(w.instances).toHaveLength(10);
    expect(w.instances.map((i) => i.tags?.Name).slice(0, 4)).toEqual(['nat-a', 'nat-b', 'nat-c', 'nat-a2']);
  });

  it('rejects out-of-range options naming the option', () => {
    expect(() => defaultWorld({ availabilityZones: 7 })).toThrow(/availabilityZones/);
    expect(() => defaultWorld({ privateRouteTables: 0 })).toThrow(TestkitError);
    expect(() => defaultWorld({ region: 'mars' })).toThrow(/region/);
  });
});

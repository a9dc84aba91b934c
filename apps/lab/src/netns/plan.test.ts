import { describe, expect, it } from 'vitest';
import { batches, buildCommands, netnsPlan, ownerPid } from './plan';

const instances = [
  { instanceId: 'i-a', privateIp: '10.0.0.10' },
  { instanceId: 'i-b', privateIp: '10.0.1.10' },
  { instanceId: 'i-c', privateIp: '10.0.2.10' },
];

describe('netnsPlan', () => {
  it('names every namespace after the lab pid, so a crashed lab is recognisable', () => {
    const plan = netnsPlan(4242, instances);
    expect(plan.core).toBe('nhl4242-core');
    expect(plan.nats.map((n) => n.netns)).toEqual(['nhl4242-n0', 'nhl4242-n1', 'nhl4242-n2']);
    expect(ownerPid('nhl4242-n1')).toBe(4242);
    expect(ownerPid('docker-abc')).toBeUndefined();
  });

  it('gives each NAT its world private IP inside the VPC, a management and an outside address', () => {
    const plan = netnsPlan(1, instances);
    expect(plan.nats[1]).toEqual({
      index: 1,
      instanceId: 'i-b',
      netns: 'nhl1-n1',
      mgmtIp: '198.18.0.12',
      vpcIp: '10.0.1.10',
      outIp: '203.0.113.12',
    });
  });

  it('uses only documentation, benchmark and VPC ranges', () => {
    const plan = netnsPlan(1, instances);
    const addrs = buildCommands(plan).flatMap((c) =>
      [...c.line.matchAll(/(\d+\.\d+\.\d+\.\d+)/g)].map((m) => m[1]!),
    );
    for (const a of addrs) expect(a).toMatch(/^(198\.18\.|203\.0\.113\.|10\.0\.)/);
  });

  it('keeps interface names within the kernel limit and never creates one in the root namespace', () => {
    const plan = netnsPlan(4_194_304, instances);
    for (const { netns, line } of buildCommands(plan)) {
      // In the root namespace: only namespaces, and veth pairs whose two ends go elsewhere.
      if (netns == null)
        expect(line).toMatch(/^(netns add \S+|link add \S+ netns \S+ type veth peer name \S+ netns \S+)$/);
      for (const m of line.matchAll(/(?:link add|peer name|master|dev) (\S+)/g))
        expect(m[1]!.length).toBeLessThanOrEqual(15);
    }
  });
});

describe('batches', () => {
  it('groups consecutive commands of one namespace, keeping the order', () => {
    expect(
      batches([
        { netns: null, line: 'netns add a' },
        { netns: null, line: 'netns add b' },
        { netns: 'a', line: 'link set lo up' },
        { netns: null, line: 'link add x netns a type veth peer name y netns b' },
        { netns: 'a', line: 'link set x up' },
      ]),
    ).toEqual([
      { netns: null, lines: ['netns add a', 'netns add b'] },
      { netns: 'a', lines: ['link set lo up'] },
      { netns: null, lines: ['link add x netns a type veth peer name y netns b'] },
      { netns: 'a', lines: ['link set x up'] },
    ]);
  });
});

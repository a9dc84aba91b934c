import { describe, expect, it } from 'vitest';
import { TestkitError } from '../errors';
import { defaultWorld } from './default-world';
import { parseWorld, validateWorld } from './parse-world';

// Fixtures are mutated freely to build broken worlds.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Mutable = Record<string, any>;

describe('parseWorld', () => {
  it('returns a copy of a valid world', () => {
    const w = defaultWorld();
    const parsed = parseWorld(w);
    expect(parsed).toEqual(JSON.parse(JSON.stringify(w)));
    expect(parsed).not.toBe(w);
  });

  it('reports every problem at once, each with its JSON path', () => {
    const w = defaultWorld() as unknown as Mutable;
    w.region = 'nowhere';
    w.instances[1].networkInterfaces[0].privateIpAddress = '10.0.0.300';
    w.instances[2].state = 'sleeping';
    w.routeTables[0].colour = 'blue';
    const { problems, world } = validateWorld(w);
    expect(world).toBeUndefined();
    expect(problems.map((p) => p.path)).toEqual(
      expect.arrayContaining([
        '$.region',
        '$.instances[1].networkInterfaces[0].privateIpAddress',
        '$.instances[2].state',
        '$.routeTables[0].colour',
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('throws INVALID_OPTION listing the problems', () => {
    const w = defaultWorld() as unknown as Mutable;
    delete w.accountId;
    try {
      parseWorld(w);
      expect.unreachable();
    } catch (err) {
      expect(TestkitError.isInstance(err) && err.code).toBe('INVALID_OPTION');
      expect((err as Error).message).toContain('$.accountId: is required');
    }
  });

  it('checks references: unknown targets, foreign VPCs, duplicate ids, addresses outside subnets', () => {
    const w = defaultWorld() as unknown as Mutable;
    w.routeTables[2].routes[0].networkInterfaceId = 'eni-999';
    w.subnets[1].subnetId = w.subnets[0].subnetId;
    w.instances[0].networkInterfaces[0].privateIpAddress = '10.0.5.5';
    w.addresses[0].association.networkInterfaceId = 'eni-404';
    const paths = validateWorld(w).problems.map((p) => `${p.path}: ${p.message}`);
    expect(paths.join('\n')).toMatch(
      /\$\.routeTables\[2\]\.routes\[0\]\.networkInterfaceId: unknown network interface 'eni-999'/,
    );
    expect(paths.join('\n')).toMatch(/\$\.subnets\[1\]: duplicate id/);
    expect(paths.join('\n')).toMatch(
      /\$\.instances\[0\]\.networkInterfaces\[0\]\.privateIpAddress: 10\.0\.5\.5 is not inside subnet/,
    );
    expect(paths.join('\n')).toMatch(
      /\$\.addresses\[0\]\.association\.networkInterfaceId: unknown network interface 'eni-404'/,
    );
  });

  it('requires one destination and one target per route', () => {
    const w = defaultWorld() as unknown as Mutable;
    w.routeTables[1].routes[0].natGatewayId = 'nat-1';
    delete w.routeTables[2].routes[0].destinationCidrBlock;
    const messages = validateWorld(w).problems.map((p) => `${p.path}: ${p.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^\$\.routeTables\[1\]\.routes\[0\]: must have exactly one target .* \(got 2\)$/),
      '$.routeTables[2].routes[0]: must have exactly one of destinationCidrBlock, destinationIpv6CidrBlock',
    ]);
  });

  it('requires exactly one main table per VPC', () => {
    const w = defaultWorld() as unknown as Mutable;
    w.routeTables[0].main = false;
    expect(validateWorld(w).problems).toEqual([
      { path: '$.routeTables', message: 'VPC vpc-00000000000000001 has no main route table (main: true)' },
    ]);
    w.routeTables[0].main = true;
    w.routeTables[1].main = true;
    expect(validateWorld(w).problems[0]?.path).toBe('$.routeTables[1].main');
  });

  it('rejects an instance route to a multi-ENI instance (rule 26 holds for worlds too)', () => {
    const w = defaultWorld() as unknown as Mutable;
    w.instances[0].networkInterfaces.push({
      networkInterfaceId: 'eni-0000000000000a001',
      privateIpAddress: '10.0.0.99',
    });
    w.routeTables[2].routes[0] = { destinationCidrBlock: '0.0.0.0/0', instanceId: w.instances[0].instanceId };
    const messages = validateWorld(w)
      .problems.map((p) => p.message)
      .join('\n');
    expect(messages).toMatch(/has several ENIs/);
  });

  it('rejects non-objects at the root', () => {
    expect(validateWorld(null).problems).toEqual([{ path: '$', message: 'must be an object, got null' }]);
    expect(validateWorld([]).problems[0]?.message).toMatch(/must be an object/);
  });
});

import { ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { createVirtualClock, type VirtualClock } from '@nat-ha/testkit';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFakeEc2, type FakeEc2 } from '../test/support/fake-ec2';
import { settle } from '../test/support/virtual-time';
import { createRouteSwitcher } from './route-switcher';

let clock: VirtualClock;
let ec2: FakeEc2;

function addTables(n: number, prefix: string): string[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `rtb-${prefix}${i}`;
    ec2.addTable({ id, routes: { '0.0.0.0/0': { networkInterfaceId: 'eni-old' } } });
    return id;
  });
}

beforeEach(() => {
  clock = createVirtualClock();
  ec2 = createFakeEc2({ clock });
  ec2.addEni({ id: 'eni-old' });
  ec2.addEni({ id: 'eni-new' });
});

describe('createRouteSwitcher', () => {
  it('validates options at creation', () => {
    expect(() => createRouteSwitcher({ ec2: ec2.client, concurrency: -1 })).toThrow('concurrency');
  });

  it('validates claim input before any call, naming the field', async () => {
    const s = createRouteSwitcher({ ec2: ec2.client, clock });
    await expect(s.claim({ tables: [], target: { networkInterfaceId: 'eni-1' } })).rejects.toThrow(
      'claim.tables must be a non-empty array',
    );
    await expect(s.claim({ tables: ['rtb-1'], target: { instanceId: 'i-1' } as never })).rejects.toThrow(
      'claim.target.instanceId is not supported',
    );
    await expect(
      s.claim({ tables: ['rtb-1'], target: { networkInterfaceId: 'eni-1' }, destinations: ['0.0.0.0'] }),
    ).rejects.toThrow('claim.destinations[0] must be an IPv4 or IPv6 CIDR block');
    await expect(
      s.claim({ tables: ['rtb-1'], target: { networkInterfaceId: 'eni-1' }, callTimeoutMs: 0 }),
    ).rejects.toThrow('claim.callTimeoutMs');
    expect(ec2.mock.calls()).toHaveLength(0);
  });

  it('keeps its token buckets across claims: a second claim right after a 50-write burst is paced', async () => {
    const first = addTables(50, 'a');
    const second = addTables(5, 'b');
    const times: number[] = [];
    ec2.mock
      .on(ReplaceRouteCommand)
      .callsFake(async (input: { RouteTableId: string; NetworkInterfaceId: string }) => {
        times.push(clock.now());
        ec2.tables
          .get(input.RouteTableId)!
          .routes.set('0.0.0.0/0', { networkInterfaceId: input.NetworkInterfaceId });
        return {};
      });
    const s = createRouteSwitcher({ ec2: ec2.client, clock });
    const t0 = clock.now();
    await settle(clock, s.claim({ tables: first, target: { networkInterfaceId: 'eni-new' } }));
    await settle(clock, s.claim({ tables: second, target: { networkInterfaceId: 'eni-new' } }));
    expect(times[49]! - t0).toBeLessThan(50);
    expect(times[54]! - t0).toBeGreaterThanOrEqual(1000);
  });

  it('rateLimits: false sends without pacing', async () => {
    const ids = addTables(60, 'c');
    const s = createRouteSwitcher({ ec2: ec2.client, clock, rateLimits: false, concurrency: 60 });
    const t0 = clock.now();
    const r = await settle(clock, s.claim({ tables: ids, target: { networkInterfaceId: 'eni-new' } }));
    expect(r.ok).toBe(true);
    expect(clock.now() - t0).toBeLessThan(50);
  });

  it('fallback points the tables at the configured NAT gateway, only away from the expected targets', async () => {
    const ids = addTables(2, 'f');
    ec2.tables.get(ids[1]!)!.routes.set('0.0.0.0/0', { networkInterfaceId: 'eni-new' });
    const s = createRouteSwitcher({ ec2: ec2.client, clock, fallbackTarget: { natGatewayId: 'nat-0abc' } });
    const r = await settle(clock, s.fallback({ tables: ids, expectCurrent: ['eni-old'] }));
    expect(ec2.writes()).toEqual([
      {
        action: 'ReplaceRoute',
        input: { RouteTableId: ids[0], DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-0abc' },
      },
    ]);
    expect(r.target).toEqual({ natGatewayId: 'nat-0abc' });
    expect(r.tables[0]!.ok).toBe(true);
    expect(r.tables[1]!.routes[0]!.error?.code).toBe('EXPECT_CURRENT_MISMATCH');
  });

  it('fallback without a configured target is INVALID_OPTION', async () => {
    const s = createRouteSwitcher({ ec2: ec2.client, clock });
    await expect(s.fallback({ tables: ['rtb-1'] })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });
});

import { DescribeRouteTablesCommand } from '@aws-sdk/client-ec2';
import { createVirtualClock, type VirtualClock } from '@nat-ha/testkit';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFakeEc2, type FakeEc2 } from '../test/support/fake-ec2';
import { settle } from '../test/support/virtual-time';
import type { RouteSwitcherError } from './errors';
import { createRouteSwitcher } from './route-switcher';

let clock: VirtualClock;
let ec2: FakeEc2;

beforeEach(() => {
  clock = createVirtualClock();
  ec2 = createFakeEc2({ clock, latencyMs: 5 });
  // vpc-1: a main table (public: igw route), a private table per AZ, and a public table.
  ec2.addTable({ id: 'rtb-main', main: true, routes: { '0.0.0.0/0': { gatewayId: 'igw-1' } } });
  ec2.addTable({
    id: 'rtb-priva',
    subnetIds: ['subnet-a1', 'subnet-a2'],
    tags: { 'nat-ha:group': 'az-a' },
    routes: { '0.0.0.0/0': { networkInterfaceId: 'eni-1' } },
  });
  ec2.addTable({ id: 'rtb-privb', subnetIds: ['subnet-b1'], tags: { 'nat-ha:group': 'az-b' } });
  ec2.addTable({ id: 'rtb-puba', subnetIds: ['subnet-pa'], routes: { '0.0.0.0/0': { gatewayId: 'igw-1' } } });
  // vpc-2: a private main table.
  ec2.addTable({ id: 'rtb-main2', vpcId: 'vpc-2', main: true });
  ec2.subnets.set('subnet-a1', { vpcId: 'vpc-1', az: 'us-east-1a', tags: {} });
  ec2.subnets.set('subnet-a2', { vpcId: 'vpc-1', az: 'us-east-1a', tags: {} });
  ec2.subnets.set('subnet-pa', { vpcId: 'vpc-1', az: 'us-east-1a', tags: {} });
  ec2.subnets.set('subnet-b1', { vpcId: 'vpc-1', az: 'us-east-1b', tags: {} });
  ec2.subnets.set('subnet-implicit', { vpcId: 'vpc-2', az: 'us-east-1a', tags: {} });
});

const sw = () => createRouteSwitcher({ ec2: ec2.client, clock });

describe('selectTables', () => {
  it('explicit ids: validates every id with one read', async () => {
    const r = await settle(clock, sw().selectTables({ routeTableIds: ['rtb-priva', 'rtb-privb'] }));
    expect(r.routeTableIds).toEqual(['rtb-priva', 'rtb-privb']);
    expect(r.tables[0]).toMatchObject({ vpcId: 'vpc-1', main: false, tags: { 'nat-ha:group': 'az-a' } });
    expect(ec2.mock.calls()).toHaveLength(1);
  });

  it('explicit ids: an unknown table is a clear error naming it', async () => {
    const err = (await settle(
      clock,
      sw().selectTables({ routeTableIds: ['rtb-priva', 'rtb-typo', 'rtb-gone'] }),
    ).catch((e: unknown) => e)) as RouteSwitcherError;
    expect(err.code).toBe('ROUTE_TABLE_NOT_FOUND');
    expect(err.message).toBe('route table(s) not found: rtb-typo, rtb-gone');
    expect(err.details).toEqual({ routeTableIds: ['rtb-typo', 'rtb-gone'] });
  });

  it('tags: filters on tag:<key> (and vpc-id), sorted by id', async () => {
    const r = await settle(
      clock,
      sw().selectTables({ tags: { 'nat-ha:group': ['az-a', 'az-b'] }, vpcId: 'vpc-1' }),
    );
    expect(r.routeTableIds).toEqual(['rtb-priva', 'rtb-privb']);
    expect(ec2.mock.commandCalls(DescribeRouteTablesCommand)[0]!.args[0].input.Filters).toEqual([
      { Name: 'tag:nat-ha:group', Values: ['az-a', 'az-b'] },
      { Name: 'vpc-id', Values: ['vpc-1'] },
    ]);
  });

  it('tags: matching nothing is NO_ROUTE_TABLES naming the tags', async () => {
    const err = (await settle(clock, sw().selectTables({ tags: { 'nat-ha:group': 'az-z' } })).catch(
      (e: unknown) => e,
    )) as RouteSwitcherError;
    expect(err.code).toBe('NO_ROUTE_TABLES');
    expect(err.message).toContain('nat-ha:group=az-z');
  });

  it('subnets: explicit associations, and the VPC main table for a subnet without one', async () => {
    const r = await settle(
      clock,
      sw().selectTables({ subnetIds: ['subnet-a1', 'subnet-b1', 'subnet-implicit'] }),
    );
    expect(r.routeTableIds).toEqual(['rtb-main2', 'rtb-priva', 'rtb-privb']);
    expect(r.tables.find((t) => t.routeTableId === 'rtb-main2')).toMatchObject({
      main: true,
      subnetIds: ['subnet-implicit'],
    });
  });

  it('subnets: an unknown subnet is SUBNET_NOT_FOUND naming it', async () => {
    const err = (await settle(clock, sw().selectTables({ subnetIds: ['subnet-a1', 'subnet-nope'] })).catch(
      (e: unknown) => e,
    )) as RouteSwitcherError;
    expect(err.code).toBe('SUBNET_NOT_FOUND');
    expect(err.message).toContain('subnet-nope');
  });

  it('AZ: the private subnets of one AZ — tables with an Internet gateway route are left out', async () => {
    const r = await settle(clock, sw().selectTables({ vpcId: 'vpc-1', availabilityZone: 'us-east-1a' }));
    expect(r.routeTableIds).toEqual(['rtb-priva']);
    expect(r.tables[0]!.subnetIds.sort()).toEqual(['subnet-a1', 'subnet-a2']);
    const all = await settle(
      clock,
      sw().selectTables({ vpcId: 'vpc-1', availabilityZone: 'us-east-1a', privateOnly: false }),
    );
    expect(all.routeTableIds).toEqual(['rtb-priva', 'rtb-puba']);
  });

  it('AZ: no private table is NO_ROUTE_TABLES', async () => {
    ec2.subnets.set('subnet-c1', { vpcId: 'vpc-1', az: 'us-east-1c', tags: {} });
    const err = (await settle(
      clock,
      sw().selectTables({ vpcId: 'vpc-1', availabilityZone: 'us-east-1c' }),
    ).catch((e: unknown) => e)) as RouteSwitcherError;
    // subnet-c1 falls back to the main table, which is public.
    expect(err.code).toBe('NO_ROUTE_TABLES');
  });

  it('validates the selector before any call', async () => {
    const s = sw();
    await expect(s.selectTables({ routeTableIds: ['rtb-1'], tags: { a: 'b' } })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
    await expect(s.selectTables({ routeTableIds: ['subnet-1'] })).rejects.toThrow(
      'selector.routeTableIds[0] must look like rtb-',
    );
    await expect(s.selectTables({ tags: {} })).rejects.toThrow('selector.tags must name at least one tag');
    await expect(s.selectTables({ vpcId: 'vpc-1', availabilityZone: '' })).rejects.toThrow(
      'selector.availabilityZone',
    );
    expect(ec2.mock.calls()).toHaveLength(0);
  });
});

import { DescribeRouteTablesCommand } from '@aws-sdk/client-ec2';
import { createVirtualClock, type VirtualClock } from '@nat-ha/testkit';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFakeEc2, type FakeEc2 } from '../test/support/fake-ec2';
import { settle } from '../test/support/virtual-time';
import { createRouteSwitcher } from './route-switcher';

let clock: VirtualClock;
let ec2: FakeEc2;

beforeEach(() => {
  clock = createVirtualClock();
  ec2 = createFakeEc2({ clock, latencyMs: 10 });
  ec2.addEni({ id: 'eni-me' });
  ec2.addEni({ id: 'eni-other' });
});

describe('checkDrift (the reconcile loop check)', () => {
  it('costs one DescribeRouteTables for all tables of a group, filtered by route-table-id', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 80; i++) {
      const id = `rtb-${i}`;
      ec2.addTable({ id, routes: { '0.0.0.0/0': { networkInterfaceId: 'eni-me' } } });
      ids.push(id);
    }
    const s = createRouteSwitcher({ ec2: ec2.client, clock });
    const report = await settle(
      clock,
      s.checkDrift({ tables: ids, target: { networkInterfaceId: 'eni-me' } }),
    );
    expect(report.inSync).toBe(true);
    expect(report.describeCalls).toBe(1);
    expect(ec2.mock.calls()).toHaveLength(1);
    expect(ec2.mock.commandCalls(DescribeRouteTablesCommand)[0]!.args[0].input.Filters).toEqual([
      { Name: 'route-table-id', Values: ids },
    ]);
    expect(ec2.writes()).toEqual([]);
  });

  it('reports each route as ok, drifted, missing-route or missing-table', async () => {
    ec2.addTable({ id: 'rtb-ok', routes: { '0.0.0.0/0': { networkInterfaceId: 'eni-me' } } });
    ec2.addTable({ id: 'rtb-drift', routes: { '0.0.0.0/0': { networkInterfaceId: 'eni-other' } } });
    ec2.addTable({ id: 'rtb-noroute' });
    const s = createRouteSwitcher({ ec2: ec2.client, clock });
    const report = await settle(
      clock,
      s.checkDrift({
        tables: ['rtb-ok', 'rtb-drift', 'rtb-noroute', 'rtb-gone'],
        target: { networkInterfaceId: 'eni-me' },
      }),
    );
    expect(report.inSync).toBe(false);
    expect(report.routes.map((r) => [r.routeTableId, r.status])).toEqual([
      ['rtb-ok', 'ok'],
      ['rtb-drift', 'drifted'],
      ['rtb-noroute', 'missing-route'],
      ['rtb-gone', 'missing-table'],
    ]);
    expect(report.drifted.map((r) => r.routeTableId)).toEqual(['rtb-drift', 'rtb-noroute', 'rtb-gone']);
    expect(report.routes[1]!.current?.networkInterfaceId).toBe('eni-other');
  });

  it('shows a blackholed route that points at the target as ok, with its state, so the caller sees it', async () => {
    ec2.addTable({ id: 'rtb-bh', routes: { '0.0.0.0/0': { networkInterfaceId: 'eni-deleted' } } });
    const s = createRouteSwitcher({ ec2: ec2.client, clock });
    const report = await settle(
      clock,
      s.checkDrift({ tables: ['rtb-bh'], target: { networkInterfaceId: 'eni-deleted' } }),
    );
    expect(report.routes[0]).toMatchObject({ status: 'ok', current: { state: 'blackhole' } });
  });
});

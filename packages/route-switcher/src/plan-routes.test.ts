import { describe, expect, it } from 'vitest';
import { parseDestination, type Destination } from './destination';
import { planRoutes } from './plan-routes';
import type { RouteTableView } from './read-route-tables';
import type { RouteView } from './route-target';

const V4 = parseDestination('0.0.0.0/0') as Destination;
const V6 = parseDestination('::/0') as Destination;

function table(id: string, routes: Record<string, RouteView>): RouteTableView {
  return {
    routeTableId: id,
    vpcId: 'vpc-1',
    routes: new Map(Object.entries(routes)),
    subnetIds: [],
    main: false,
    tags: {},
  };
}

const read = (...tables: RouteTableView[]) => new Map(tables.map((t) => [t.routeTableId, t]));
const ENI = { networkInterfaceId: 'eni-new' };

describe('planRoutes (the decision logic of claim)', () => {
  it('plans nothing for a route that already points at the target ENI (§3.2: compare first)', () => {
    const plan = planRoutes(
      ['rtb-1'],
      [V4],
      ENI,
      undefined,
      read(
        table('rtb-1', {
          '0.0.0.0/0': { networkInterfaceId: 'eni-new', instanceId: 'i-1', state: 'active' },
        }),
      ),
    );
    expect(plan).toMatchObject([{ decision: 'none', call: undefined }]);
  });

  it('plans ReplaceRoute with NetworkInterfaceId — never InstanceId — for a route elsewhere (rule 26)', () => {
    const plan = planRoutes(
      ['rtb-1'],
      [V4],
      ENI,
      undefined,
      read(
        table('rtb-1', {
          '0.0.0.0/0': { networkInterfaceId: 'eni-old', instanceId: 'i-old', state: 'active' },
        }),
      ),
    );
    expect(plan[0]!.call).toEqual({
      action: 'ReplaceRoute',
      input: { RouteTableId: 'rtb-1', DestinationCidrBlock: '0.0.0.0/0', NetworkInterfaceId: 'eni-new' },
    });
  });

  it('plans CreateRoute for a missing route, since ReplaceRoute would fail with InvalidParameterValue (rule 24)', () => {
    const plan = planRoutes(['rtb-1'], [V4], ENI, undefined, read(table('rtb-1', {})));
    expect(plan[0]!.decision).toBe('create');
    expect(plan[0]!.call?.action).toBe('CreateRoute');
  });

  it('a multi-ENI leader: a route to the same instance through another ENI is still replaced', () => {
    // The route points at i-1 via its primary eni-a; the leader's routing ENI is eni-b on the same instance.
    const plan = planRoutes(
      ['rtb-1'],
      [V4],
      { networkInterfaceId: 'eni-b' },
      undefined,
      read(
        table('rtb-1', { '0.0.0.0/0': { instanceId: 'i-1', networkInterfaceId: 'eni-a', state: 'active' } }),
      ),
    );
    expect(plan[0]!.call?.input).toMatchObject({ NetworkInterfaceId: 'eni-b' });
    expect(plan[0]!.call?.input).not.toHaveProperty('InstanceId');
  });

  it('uses DestinationIpv6CidrBlock for ::/0 and NatGatewayId for a NAT gateway target', () => {
    const plan = planRoutes(
      ['rtb-1'],
      [V4, V6],
      { natGatewayId: 'nat-1' },
      undefined,
      read(table('rtb-1', { '0.0.0.0/0': { networkInterfaceId: 'eni-x', state: 'active' } })),
    );
    expect(plan.map((p) => p.call)).toEqual([
      {
        action: 'ReplaceRoute',
        input: { RouteTableId: 'rtb-1', DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1' },
      },
      {
        action: 'CreateRoute',
        input: { RouteTableId: 'rtb-1', DestinationIpv6CidrBlock: '::/0', NatGatewayId: 'nat-1' },
      },
    ]);
  });

  describe('expectCurrent (failback / fallback)', () => {
    const routes = {
      'rtb-1': table('rtb-1', {
        '0.0.0.0/0': { networkInterfaceId: 'eni-failed', instanceId: 'i-failed', state: 'active' },
      }),
      'rtb-2': table('rtb-2', { '0.0.0.0/0': { networkInterfaceId: 'eni-healthy', state: 'active' } }),
      'rtb-3': table('rtb-3', { '0.0.0.0/0': { networkInterfaceId: 'eni-gone', state: 'blackhole' } }),
      'rtb-4': table('rtb-4', {}),
    };
    const all = read(...Object.values(routes));

    it('replaces a route that still points at an expected target (by ENI or by instance id)', () => {
      expect(planRoutes(['rtb-1'], [V4], ENI, new Set(['eni-failed']), all)[0]!.decision).toBe('replace');
      expect(planRoutes(['rtb-1'], [V4], ENI, new Set(['i-failed']), all)[0]!.decision).toBe('replace');
    });

    it('leaves a route alone that points at another, unexpected target', () => {
      expect(planRoutes(['rtb-2'], [V4], ENI, new Set(['eni-failed']), all)[0]).toMatchObject({
        decision: 'skip-expect-mismatch',
        call: undefined,
      });
    });

    it('takes a blackholed route whatever it points at (rule 22)', () => {
      expect(planRoutes(['rtb-3'], [V4], ENI, new Set(['eni-failed']), all)[0]!.decision).toBe('replace');
    });

    it('still creates a missing route', () => {
      expect(planRoutes(['rtb-4'], [V4], ENI, new Set(['eni-failed']), all)[0]!.decision).toBe('create');
    });
  });

  it('marks a table that was not read as missing, and keeps table order', () => {
    const plan = planRoutes(['rtb-9', 'rtb-1'], [V4], ENI, undefined, read(table('rtb-1', {})));
    expect(plan.map((p) => [p.routeTableId, p.decision])).toEqual([
      ['rtb-9', 'table-missing'],
      ['rtb-1', 'create'],
    ]);
  });
});

import { createVirtualClock, type VirtualClock } from '@nat-ha/testkit';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFakeEc2, ec2Error, type FakeEc2 } from '../test/support/fake-ec2';
import { settle } from '../test/support/virtual-time';
import { formatPlan } from './plan';
import { createRouteSwitcher } from './route-switcher';

let clock: VirtualClock;
let ec2: FakeEc2;

beforeEach(() => {
  clock = createVirtualClock();
  ec2 = createFakeEc2({ clock, latencyMs: 10 });
  ec2.addEni({ id: 'eni-old', instanceId: 'i-old' });
  ec2.addEni({ id: 'eni-new', instanceId: 'i-new' });
  ec2.addTable({ id: 'rtb-a', routes: { '0.0.0.0/0': { networkInterfaceId: 'eni-old' } } });
  ec2.addTable({ id: 'rtb-b', routes: { '0.0.0.0/0': { networkInterfaceId: 'eni-new' } } });
  ec2.addTable({ id: 'rtb-c' });
});

const input = { tables: ['rtb-a', 'rtb-b', 'rtb-c'], target: { networkInterfaceId: 'eni-new' } };

describe('plan (dry-run mode)', () => {
  it('lists the exact calls claim would make, and mutates nothing', async () => {
    const s = createRouteSwitcher({ ec2: ec2.client, clock });
    const plan = await settle(clock, s.plan(input));
    expect(ec2.writes()).toEqual([]);
    expect(plan.calls).toEqual([
      {
        action: 'ReplaceRoute',
        input: { RouteTableId: 'rtb-a', DestinationCidrBlock: '0.0.0.0/0', NetworkInterfaceId: 'eni-new' },
      },
      {
        action: 'CreateRoute',
        input: { RouteTableId: 'rtb-c', DestinationCidrBlock: '0.0.0.0/0', NetworkInterfaceId: 'eni-new' },
      },
    ]);
    expect(plan.routes.map((r) => r.decision)).toEqual(['replace', 'none', 'create']);
    expect(plan.describeCalls).toBe(1);
  });

  it('matches the calls a claim from the same state then makes, one for one', async () => {
    const s = createRouteSwitcher({ ec2: ec2.client, clock });
    const plan = await settle(clock, s.plan(input));
    const result = await settle(clock, s.claim(input));
    expect(result.calls.map((c) => ({ action: c.action, input: c.input }))).toEqual(plan.calls);
    expect(ec2.writes()).toEqual(plan.calls);
  });

  it('checkPermissions sends each planned call with DryRun=true and records the verdict (§2.10)', async () => {
    ec2.onNext('CreateRoute', async () => {
      throw ec2Error(
        'UnauthorizedOperation',
        403,
        'You are not authorized to perform this operation. … ec2:CreateRoute on resource: arn:aws:ec2:us-east-1:123456789012:route-table/rtb-c',
      );
    });
    const s = createRouteSwitcher({ ec2: ec2.client, clock });
    const plan = await settle(clock, s.plan({ ...input, checkPermissions: true }));
    expect(plan.calls.map((c) => c.permission)).toEqual(['allowed', 'denied']);
    expect(plan.calls[1]!.permissionMessage).toContain('route-table/rtb-c');
    expect(ec2.writes()).toEqual([]);
    expect(
      ec2.mock.calls().filter((c) => (c.args[0].input as { DryRun?: boolean }).DryRun === true),
    ).toHaveLength(2);
  });

  it('reports missing tables', async () => {
    const s = createRouteSwitcher({ ec2: ec2.client, clock });
    const plan = await settle(clock, s.plan({ ...input, tables: ['rtb-a', 'rtb-zz'] }));
    expect(plan.missingTables).toEqual(['rtb-zz']);
    expect(plan.routes[1]!.decision).toBe('table-missing');
  });

  it('formatPlan prints one line per route and the exact calls', async () => {
    const s = createRouteSwitcher({ ec2: ec2.client, clock });
    const text = formatPlan(await settle(clock, s.plan(input)));
    expect(text).toContain('target: eni-new');
    expect(text).toMatch(/rtb-a\s+0\.0\.0\.0\/0\s+eni-old \(i-old\) \[active\]\s+ReplaceRoute/);
    expect(text).toMatch(/rtb-b\s+0\.0\.0\.0\/0\s+eni-new \(i-new\) \[active\]\s+already points at target/);
    expect(text).toMatch(/rtb-c\s+0\.0\.0\.0\/0\s+no route\s+CreateRoute/);
    expect(text).toContain('calls (2):');
    expect(text).toContain(
      'CreateRoute {"RouteTableId":"rtb-c","DestinationCidrBlock":"0.0.0.0/0","NetworkInterfaceId":"eni-new"}',
    );
  });

  it('says so when there is nothing to do', async () => {
    const s = createRouteSwitcher({ ec2: ec2.client, clock });
    const text = formatPlan(await settle(clock, s.plan({ ...input, tables: ['rtb-b'] })));
    expect(text).toContain('calls: none');
  });
});

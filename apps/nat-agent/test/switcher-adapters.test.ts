/**
 * The route-switcher adapters (GroupRoutes, Preflight) against the testkit EC2 emulator, signed with
 * the instance's own credentials so the journal attributes every call.
 */
import { createEc2Client } from '@nat-ha/aws-discovery';
import { createRouteSwitcher } from '@nat-ha/route-switcher';
import { defaultWorld, startAws, type AwsEmulator } from '@nat-ha/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createSwitcherPreflight } from '../src/adapters/switcher-preflight';
import { createSwitcherRoutes } from '../src/adapters/switcher-routes';
import type { ResolvedGroup } from '../src/config/resolve-groups';
import type { InstanceIdentity } from '../src/ports';

const emulators: AwsEmulator[] = [];
afterEach(async () => {
  for (const e of emulators.splice(0)) await e.close();
});

const MANAGED = ['rtb-00000000000000100', 'rtb-00000000000000101', 'rtb-00000000000000102'];

async function setup(group: Partial<ResolvedGroup> = {}, index = 1) {
  const aws = await startAws({ world: defaultWorld({ natGateways: true }) });
  emulators.push(aws);
  const instanceId = aws.instanceIds[index]!;
  const inst = aws.control.instance(instanceId);
  const identity: InstanceIdentity = {
    instanceId,
    region: aws.region,
    az: inst.availabilityZone,
    vpcId: 'vpc-00000000000000001',
    subnetId: 'subnet-x',
    privateIp: '10.0.1.10',
    networkInterfaceId: inst.networkInterfaces[0]!.networkInterfaceId,
    mac: '0e:00:00:00:00:01',
    vpcCidrs: ['10.0.0.0/16'],
  };
  const ec2 = createEc2Client({
    region: aws.region,
    endpoint: aws.endpoint,
    credentials: aws.credentials(instanceId),
    maxAttempts: 1,
  });
  const switcher = createRouteSwitcher({ ec2 });
  const resolved: ResolvedGroup = {
    name: 'vpc',
    key: 'k',
    role: 'primary',
    configuredRole: 'primary',
    routeTables: { tags: { 'nat-ha:managed': 'true' } },
    destinations: ['0.0.0.0/0'],
    rescueAfterMs: 10_000,
    handBackAfterMs: 30_000,
    ...group,
  };
  const routes = createSwitcherRoutes({ switcher, group: resolved, identity });
  const defaultRoute = (rtb: string) =>
    aws.control.routeTable(rtb).routes.find((r) => r.destinationCidrBlock === '0.0.0.0/0');
  const writes = () =>
    aws
      .journal()
      .filter(
        (e) => (e.action === 'ReplaceRoute' || e.action === 'CreateRoute') && e.params.DryRun !== 'true',
      );
  return { aws, identity, switcher, routes, resolved, defaultRoute, writes };
}

const signal = () => AbortSignal.timeout(15_000);

describe('route-switcher adapters against the EC2 emulator', () => {
  it('claim points every managed route at our ENI, counting the routes taken from another NAT', async () => {
    const t = await setup();
    const out = await t.routes.claim(signal());
    expect(out.routes.map((r) => r.routeTableId).sort()).toEqual(MANAGED);
    expect(out.routes.every((r) => r.target === t.identity.networkInterfaceId)).toBe(true);
    // Two tables pointed at the other AZs' NATs; ours already pointed here.
    expect(out).toMatchObject({ changed: 2, movedFromOther: 2 });
    for (const rtb of MANAGED)
      expect(t.defaultRoute(rtb)?.networkInterfaceId).toBe(t.identity.networkInterfaceId);
    expect(new Set(t.writes().map((w) => w.callerInstanceId))).toEqual(new Set([t.identity.instanceId]));
  });

  it('reconcile does one read and no write when in sync, and repairs drift when not', async () => {
    const t = await setup();
    await t.routes.claim(signal());
    const before = t.writes().length;
    const quiet = await t.routes.reconcile(signal());
    expect(quiet.changed).toBe(0);
    expect(t.writes().length).toBe(before);
    // Someone else moves a route (the operator principal of the default world).
    const other = createEc2Client({
      region: t.aws.region,
      endpoint: t.aws.endpoint,
      credentials: t.aws.credentials('operator'),
    });
    const { ReplaceRouteCommand } = await import('@aws-sdk/client-ec2');
    await other.send(
      new ReplaceRouteCommand({
        RouteTableId: MANAGED[0],
        DestinationCidrBlock: '0.0.0.0/0',
        NetworkInterfaceId: 'eni-00000000000000100',
      }),
    );
    const repaired = await t.routes.reconcile(signal());
    expect(repaired.changed).toBe(1);
    expect(t.defaultRoute(MANAGED[0]!)?.networkInterfaceId).toBe(t.identity.networkInterfaceId);
  });

  it('engageFallback points the routes at the NAT gateway; observe reads them back', async () => {
    const t = await setup({ fallback: { natGatewayId: 'nat-00000000000000100', holdDownMs: 0 } });
    const out = await t.routes.engageFallback(signal());
    expect(out.routes.every((r) => r.target === 'nat-00000000000000100')).toBe(true);
    for (const rtb of MANAGED) expect(t.defaultRoute(rtb)?.natGatewayId).toBe('nat-00000000000000100');
    const seen = await t.routes.observe(signal());
    expect(seen.routes.map((r) => r.target)).toEqual([
      'nat-00000000000000100',
      'nat-00000000000000100',
      'nat-00000000000000100',
    ]);
  });

  it('claim moves the group EIP to our ENI after the routes', async () => {
    const t = await setup({ eipAllocationId: 'eipalloc-00000000000000001' });
    const out = await t.routes.claim(signal());
    expect(out.eip).toEqual({ allocationId: 'eipalloc-00000000000000001', moved: true });
    const addr = t.aws.control.addresses().find((a) => a.allocationId === 'eipalloc-00000000000000001');
    expect(addr?.networkInterfaceId).toBe(t.identity.networkInterfaceId);
    const journal = t.aws.journal().filter((e) => e.params.DryRun !== 'true');
    const lastRoute = Math.max(...journal.filter((e) => e.action === 'ReplaceRoute').map((e) => e.seq));
    const associate = journal.find((e) => e.action === 'AssociateAddress')!;
    expect(associate.seq).toBeGreaterThan(lastRoute);
  });

  it('plan lists the calls a claim would make and changes nothing', async () => {
    const t = await setup();
    const plan = await t.routes.plan(signal());
    expect(plan.calls.map((c) => [c.action, c.params.RouteTableId])).toEqual([
      ['ReplaceRoute', 'rtb-00000000000000100'],
      ['ReplaceRoute', 'rtb-00000000000000102'],
    ]);
    expect(t.writes()).toEqual([]);
  });

  it('preflight: source/dest check off; IAM self-test passes, then names the denied action', async () => {
    const t = await setup();
    const preflight = createSwitcherPreflight({
      switcher: t.switcher,
      identity: t.identity,
      groups: [{ group: t.resolved, tables: (s) => t.routes.tables(s) }],
    });
    expect(await preflight.sourceDestCheck(signal())).toMatchObject({ ok: true });
    expect(t.aws.control.instance(t.identity.instanceId).networkInterfaces[0]?.sourceDestCheck).toBe(false);
    expect(await preflight.iamSelfTest(signal())).toMatchObject({ ok: true, detail: { tables: { vpc: 3 } } });
    t.aws.control.setPolicy(t.identity.instanceId, ['ec2:ReplaceRoute']);
    const denied = await preflight.iamSelfTest(signal());
    expect(denied.ok).toBe(false);
    expect(denied.reason).toMatch(/denied: .*ReplaceRoute/);
  });

  it('preflight reports an unknown route table by name instead of failing later', async () => {
    const t = await setup({ routeTables: { ids: ['rtb-0000000000000dead'] } });
    const preflight = createSwitcherPreflight({
      switcher: t.switcher,
      identity: t.identity,
      groups: [{ group: t.resolved, tables: (s) => t.routes.tables(s) }],
    });
    const r = await preflight.iamSelfTest(signal());
    expect(r.ok).toBe(false);
    expect(r.reason).toContain('group vpc: route tables:');
    expect(r.reason).toContain('rtb-0000000000000dead');
  });
});

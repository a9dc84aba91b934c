/**
 * Start-up preparation against the emulator: route-table selection, the IAM DryRun self-test,
 * source/dest check on the target ENI, EIP follow, the drift check, eventual consistency, and a
 * multi-ENI leader.
 */
import { ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { defaultWorld, WORLD_TAGS } from '@nat-ha/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createRouteSwitcher, type RouteSwitcherError } from '../src/index';
import { defaultRouteTarget, routeWrites, startLab, type Lab } from './support/lab';

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const fail = (p: Promise<unknown>): Promise<RouteSwitcherError> =>
  p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as RouteSwitcherError,
  );

describe('selectTables against the emulator (rules 15, 29)', () => {
  it('by tag, by explicit ids, and by the private subnets of an AZ', async () => {
    lab = await startLab(3, {
      world: () => defaultWorld({ availabilityZones: 3, natInstances: 3, privateRouteTables: 3 }),
    });
    const s = createRouteSwitcher({ ec2: lab.ec2 });
    const managed = lab.aws.control.routeTables().filter((t) => t.tags[WORLD_TAGS.managed] === 'true');
    const byTag = await s.selectTables({ tags: { [WORLD_TAGS.managed]: 'true' } });
    expect(byTag.routeTableIds).toEqual(managed.map((t) => t.routeTableId).sort());
    const azB = managed.find((t) => t.tags[WORLD_TAGS.az] === 'us-east-1b')!;
    const byAz = await s.selectTables({ vpcId: azB.vpcId, availabilityZone: 'us-east-1b' });
    // The AZ's public subnet uses the public table (route to the IGW): left out.
    expect(byAz.routeTableIds).toEqual([azB.routeTableId]);
    const byIds = await s.selectTables({ routeTableIds: [azB.routeTableId] });
    expect(byIds.tables[0]).toMatchObject({ routeTableId: azB.routeTableId, vpcId: azB.vpcId });
  });

  it('an unknown table is a start-up error naming it', async () => {
    lab = await startLab(1);
    const s = createRouteSwitcher({ ec2: lab.ec2 });
    const err = await fail(s.selectTables({ routeTableIds: [lab.tables[0]!, 'rtb-0deadbeef'] }));
    expect(err.code).toBe('ROUTE_TABLE_NOT_FOUND');
    expect(err.message).toContain('rtb-0deadbeef');
  });
});

describe('selfTest (IAM DryRun, rule 10)', () => {
  it('allowed: every check answers DryRunOperation and nothing changes', async () => {
    lab = await startLab(2);
    const s = createRouteSwitcher({ ec2: lab.ec2 });
    const report = await s.selfTest({
      tables: lab.tables,
      target: { networkInterfaceId: lab.leader.eni },
      allocationId: lab.aws.control.addresses()[0]!.allocationId,
    });
    expect(report.ok).toBe(true);
    expect(report.checks.filter((c) => c.verdict !== 'allowed')).toEqual([]);
    expect(lab.tables.map((t) => defaultRouteTarget(lab!.aws, t))).toEqual(
      lab.tables.map(() => lab!.old.eni),
    );
    expect(lab.aws.control.instance(lab.leader.instanceId).networkInterfaces[0]!.sourceDestCheck).toBe(true);
  });

  it('UnauthorizedOperation is a fatal IAM_DENIED naming the action and the resource', async () => {
    lab = await startLab(2);
    lab.aws.control.setPolicy(lab.leader.instanceId, ['ec2:CreateRoute']);
    const s = createRouteSwitcher({ ec2: lab.ec2 });
    const err = await fail(
      s.selfTest({ tables: lab.tables, target: { networkInterfaceId: lab.leader.eni } }),
    );
    expect(err.code).toBe('IAM_DENIED');
    for (const t of lab.tables) expect(err.message).toContain(`ec2:CreateRoute on route-table/${t}`);
    expect(err.message).not.toContain('ec2:ReplaceRoute');
  });
});

describe('source/dest check (rules 30–31)', () => {
  it('turns it off on the target ENI and verifies it; a second call changes nothing', async () => {
    lab = await startLab(1);
    const s = createRouteSwitcher({ ec2: lab.ec2 });
    expect(lab.aws.control.instance(lab.leader.instanceId).networkInterfaces[0]!.sourceDestCheck).toBe(true);
    const first = await s.ensureSourceDestCheckDisabled({ networkInterfaceId: lab.leader.eni });
    expect(first.changed).toBe(true);
    expect(lab.aws.control.instance(lab.leader.instanceId).sourceDestCheck).toBe(false);
    const journalLength = lab.aws.journal().length;
    const second = await s.ensureSourceDestCheckDisabled({ networkInterfaceId: lab.leader.eni });
    expect(second).toMatchObject({ changed: false, calls: 1 });
    expect(lab.aws.journal()).toHaveLength(journalLength);
  });
});

describe('EIP follow (rule 32)', () => {
  it('moves the egress EIP to the leader with reassociation and verifies it', async () => {
    lab = await startLab(1);
    const eip = lab.aws.control.addresses()[0]!;
    expect(eip.networkInterfaceId).toBe(lab.old.eni);
    const s = createRouteSwitcher({ ec2: lab.ec2 });
    const r = await s.followAddress({ allocationId: eip.allocationId, networkInterfaceId: lab.leader.eni });
    expect(r).toMatchObject({ changed: true, publicIp: eip.publicIp });
    expect(lab.aws.control.addresses()[0]).toMatchObject({
      networkInterfaceId: lab.leader.eni,
      instanceId: lab.leader.instanceId,
    });
    expect(lab.aws.control.instance(lab.leader.instanceId).publicIp).toBe(eip.publicIp);
  });
});

describe('drift check and eventual consistency', () => {
  it('costs one DescribeRouteTables for 100 tables and names the drifted ones', async () => {
    lab = await startLab(100);
    // The emulator does not throttle here; neither need we (keeps the test short).
    const s = createRouteSwitcher({ ec2: lab.ec2, rateLimits: false });
    const target = { networkInterfaceId: lab.leader.eni };
    const since = lab.aws.calls().at(-1)?.seq ?? 0;
    const before = await s.checkDrift({ tables: lab.tables, target });
    expect(lab.aws.calls(since)).toHaveLength(1);
    expect(before.describeCalls).toBe(1);
    expect(before.drifted).toHaveLength(100);
    await s.claim({ tables: lab.tables.slice(0, 98), target });
    const after = await s.checkDrift({ tables: lab.tables, target });
    expect(after.drifted.map((d) => d.routeTableId)).toEqual(lab.tables.slice(98));
  });

  it('with a visibility delay (rule 35) the claim re-reads until the write shows, never trusting a stale read', async () => {
    lab = await startLab(3, { visibilityDelayMs: 600 });
    const s = createRouteSwitcher({ ec2: lab.ec2 });
    const result = await s.claim({ tables: lab.tables, target: { networkInterfaceId: lab.leader.eni } });
    expect(result.ok).toBe(true);
    expect(result.describeCalls).toBeGreaterThan(2);
    expect(routeWrites(lab.aws.journal())).toHaveLength(3);
  });
});

describe('multi-ENI leader (rule 26, AWSnycast#28)', () => {
  it('claims with the routing ENI; an InstanceId target would have failed with InvalidInstanceID', async () => {
    lab = await startLab(2, {
      world: (w) => {
        const leader = w.instances[1]!;
        leader.networkInterfaces.push({
          networkInterfaceId: 'eni-0a11ce5eed0000002',
          privateIpAddress: '10.0.0.200',
        });
        return w;
      },
    });
    const s = createRouteSwitcher({ ec2: lab.ec2 });
    const result = await s.claim({
      tables: lab.tables,
      target: { networkInterfaceId: 'eni-0a11ce5eed0000002' },
    });
    expect(result.ok).toBe(true);
    expect(
      routeWrites(lab.aws.journal()).every(
        (w) => w.params.NetworkInterfaceId === 'eni-0a11ce5eed0000002' && w.params.InstanceId == null,
      ),
    ).toBe(true);
    // What a claim by instance id (the peers' way) gets from EC2:
    const byInstance = await lab.ec2
      .send(
        new ReplaceRouteCommand({
          RouteTableId: lab.tables[0]!,
          DestinationCidrBlock: '0.0.0.0/0',
          InstanceId: lab.leader.instanceId,
        }),
      )
      .catch((e: unknown) => e as { name: string });
    expect(byInstance).toMatchObject({ name: 'InvalidInstanceID' });
  });
});

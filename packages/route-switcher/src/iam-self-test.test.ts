import { CreateRouteCommand } from '@aws-sdk/client-ec2';
import { createVirtualClock, type VirtualClock } from '@nat-ha/testkit';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFakeEc2, ec2Error, type FakeEc2 } from '../test/support/fake-ec2';
import { settle } from '../test/support/virtual-time';
import type { RouteSwitcherError } from './errors';
import type { SelfTestReport } from './iam-self-test';
import { createRouteSwitcher } from './route-switcher';

let clock: VirtualClock;
let ec2: FakeEc2;

beforeEach(() => {
  clock = createVirtualClock();
  ec2 = createFakeEc2({ clock, latencyMs: 5 });
  ec2.addEni({ id: 'eni-1' });
  ec2.addTable({ id: 'rtb-1' });
  ec2.addTable({ id: 'rtb-2' });
  ec2.addresses.set('eipalloc-1', { publicIp: '198.51.100.1' });
});

const sw = () => createRouteSwitcher({ ec2: ec2.client, clock });
const input = {
  tables: ['rtb-1', 'rtb-2'],
  target: { networkInterfaceId: 'eni-1' },
  allocationId: 'eipalloc-1',
};

describe('selfTest (IAM DryRun, §2.10, §8.1 step 2)', () => {
  it('DryRuns every needed action on every table; all DryRunOperation = ok; nothing mutated', async () => {
    const report = await settle(clock, sw().selfTest(input));
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => `${c.action} ${c.resource} ${c.verdict}`)).toEqual([
      'ec2:DescribeRouteTables * allowed',
      'ec2:ReplaceRoute route-table/rtb-1 allowed',
      'ec2:CreateRoute route-table/rtb-1 allowed',
      'ec2:ReplaceRoute route-table/rtb-2 allowed',
      'ec2:CreateRoute route-table/rtb-2 allowed',
      'ec2:DescribeNetworkInterfaces * allowed',
      'ec2:ModifyNetworkInterfaceAttribute network-interface/eni-1 allowed',
      'ec2:DescribeAddresses * allowed',
      'ec2:AssociateAddress elastic-ip/eipalloc-1 allowed',
    ]);
    expect(ec2.mock.calls().every((c) => (c.args[0].input as { DryRun?: boolean }).DryRun === true)).toBe(
      true,
    );
    // CreateRoute is probed with a documentation-range destination no table holds, so EC2's
    // validation (RouteAlreadyExists) cannot pre-empt the DryRun verdict.
    expect(
      ec2.mock.commandCalls(CreateRouteCommand).map((c) => c.args[0].input.DestinationCidrBlock),
    ).toEqual(['192.0.2.0/32', '192.0.2.0/32']);
    expect(ec2.writes()).toEqual([]);
  });

  it('UnauthorizedOperation is a fatal IAM_DENIED naming the action and the resource', async () => {
    ec2.onNext('DescribeRouteTables', async (i, next) => next(i));
    ec2.onNext('ReplaceRoute', async (i, next) => next(i));
    ec2.onNext('ReplaceRoute', async () => {
      throw ec2Error(
        'UnauthorizedOperation',
        403,
        'You are not authorized to perform this operation. User: arn:aws:sts::123456789012:assumed-role/nat/i-1 is not authorized to perform: ec2:ReplaceRoute on resource: arn:aws:ec2:us-east-1:123456789012:route-table/rtb-2',
      );
    });
    const err = (await settle(clock, sw().selfTest(input)).catch((e: unknown) => e)) as RouteSwitcherError;
    expect(err.code).toBe('IAM_DENIED');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('ec2:ReplaceRoute on route-table/rtb-2');
    const report = err.details?.report as SelfTestReport;
    expect(report.checks.filter((c) => c.verdict === 'denied')).toEqual([
      expect.objectContaining({
        action: 'ec2:ReplaceRoute',
        resource: 'route-table/rtb-2',
        message: expect.stringContaining('route-table/rtb-2'),
      }),
    ]);
  });

  it('a non-auth error (validation before the DryRun verdict) is inconclusive, reported, not fatal', async () => {
    ec2.onNext('CreateRoute', async () => {
      throw ec2Error('RouteAlreadyExists', 400);
    });
    const report = await settle(clock, sw().selfTest({ ...input, allocationId: undefined }));
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.verdict === 'inconclusive')).toMatchObject({
      action: 'ec2:CreateRoute',
      resource: 'route-table/rtb-1',
    });
  });

  it("tablesToTest: 'first' tests one table only", async () => {
    const report = await settle(clock, sw().selfTest({ ...input, tablesToTest: 'first' }));
    expect(report.checks.filter((c) => c.action === 'ec2:ReplaceRoute').map((c) => c.resource)).toEqual([
      'route-table/rtb-1',
    ]);
  });

  it('validates its input', async () => {
    await expect(sw().selfTest({ ...input, allocationId: '1.2.3.4' })).rejects.toThrow(
      'selfTest.allocationId',
    );
    await expect(sw().selfTest({ ...input, target: { instanceId: 'i-1' } as never })).rejects.toThrow(
      'selfTest.target.instanceId is not supported',
    );
  });
});

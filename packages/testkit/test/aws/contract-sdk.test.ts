// SDK-driven end-to-end checks: rules 49–50 of ec2-query-and-imds.md §7, with the real
// @aws-sdk/client-ec2 and @aws-sdk/client-auto-scaling.
import {
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  AssociateAddressCommand,
  CreateRouteCommand,
  DeleteRouteCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  DisassociateAddressCommand,
  EC2Client,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  ReplaceRouteCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, vi } from 'vitest';
import { defaultWorld } from '../../src/world/default-world';
import { itEmulator, openTarget, sdkError, type ContractTarget } from './contract-target';
import { worldIds } from './fixtures';

const world = defaultWorld({ natGateways: true });
const ids = worldIds(world);
const [rtbA] = ids.privateTableIds as [string];
const [natA, natB] = ids.instanceIds as [string, string];
const [eniA, eniB] = ids.eniIds as [string, string];

/** Sets environment variables for the duration of `fn`. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) {
    if (v == null) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v == null) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('SDK end to end (rules 49–50)', () => {
  let t: ContractTarget;
  beforeEach(async () => {
    t = await openTarget({ world });
  });
  afterEach(async () => {
    await t.close();
  });

  itEmulator(
    'rule 49: with {endpoint, region, static credentials} every command completes and no IMDS call is made',
    async () => {
      const imdsCalls = (): number =>
        ids.instanceIds.reduce((n, id) => n + (t.aws?.control.imdsRequests(id).length ?? 0), 0);
      // The metadata service is reachable and enabled: only the explicit configuration keeps the SDK off it.
      await withEnv(
        {
          AWS_EC2_METADATA_DISABLED: undefined,
          AWS_EC2_METADATA_SERVICE_ENDPOINT: t.aws?.imdsUrl(natA),
          AWS_REGION: undefined,
        },
        async () => {
          const ec2 = new EC2Client({
            region: t.region,
            endpoint: t.ec2Endpoint,
            credentials: t.credentials,
          });
          const as = t.autoscaling();
          const ec2Commands = [
            new DescribeInstancesCommand({}),
            new DescribeRouteTablesCommand({}),
            new CreateRouteCommand({
              RouteTableId: rtbA,
              DestinationCidrBlock: '172.16.0.0/12',
              NetworkInterfaceId: eniB,
            }),
            new ReplaceRouteCommand({
              RouteTableId: rtbA,
              DestinationCidrBlock: '172.16.0.0/12',
              NetworkInterfaceId: eniA,
            }),
            new DeleteRouteCommand({ RouteTableId: rtbA, DestinationCidrBlock: '172.16.0.0/12' }),
            new DescribeNetworkInterfacesCommand({}),
            new ModifyNetworkInterfaceAttributeCommand({
              NetworkInterfaceId: eniA,
              SourceDestCheck: { Value: false },
            }),
            new ModifyInstanceAttributeCommand({ InstanceId: natB, SourceDestCheck: { Value: false } }),
            new DescribeAddressesCommand({}),
            new AssociateAddressCommand({ AllocationId: ids.allocationId, NetworkInterfaceId: eniB }),
            new DisassociateAddressCommand({ PublicIp: ids.publicIp }),
            new DescribeSubnetsCommand({}),
            new DescribeVpcsCommand({}),
            new DescribeNatGatewaysCommand({}),
          ];
          for (const command of ec2Commands) {
            const out: { $metadata: { httpStatusCode?: number } } = await ec2.send(command as never);
            expect([command.constructor.name, out.$metadata.httpStatusCode]).toEqual([
              command.constructor.name,
              200,
            ]);
          }
          await as.send(new DescribeAutoScalingGroupsCommand({}));
          await as.send(new DescribeAutoScalingInstancesCommand({}));
          ec2.destroy();
        },
      );
      expect(imdsCalls()).toBe(0);
      expect(t.aws?.calls().every((c) => c.outcome === 'ok')).toBe(true);
    },
  );

  itEmulator(
    "rule 49: without a region the SDK asks IMDS for placement/region (and gets the world's)",
    async () => {
      const region = await withEnv(
        {
          AWS_EC2_METADATA_DISABLED: undefined,
          AWS_EC2_METADATA_SERVICE_ENDPOINT: t.aws?.imdsUrl(natA),
          AWS_REGION: undefined,
          AWS_DEFAULT_REGION: undefined,
        },
        async () => {
          const ec2 = new EC2Client({ endpoint: t.ec2Endpoint, credentials: t.credentials });
          const r = await ec2.config.region();
          await ec2.send(new DescribeVpcsCommand({}));
          ec2.destroy();
          return r;
        },
      );
      expect(region).toBe('us-east-1');
      expect(t.aws?.control.imdsRequests(natA).map((r) => [r.method, r.path])).toContainEqual([
        'GET',
        '/latest/meta-data/placement/region',
      ]);
    },
  );

  itEmulator(
    'rule 50: maxAttempts 3 — two throttles then success is attempts 3; three throttles throw with attempts 3; a 400 is tried once',
    async () => {
      // Full-jitter backoff draws from Math.random; pin it to zero delay (the attempt count is the subject).
      vi.spyOn(Math, 'random').mockReturnValue(0);
      const ec2 = t.ec2({ maxAttempts: 3 });
      const replace = new ReplaceRouteCommand({
        RouteTableId: rtbA,
        DestinationCidrBlock: '0.0.0.0/0',
        NetworkInterfaceId: eniB,
      });
      t.aws?.control.injectFault({ action: 'ReplaceRoute', count: 2, code: 'RequestLimitExceeded' });
      const ok = await ec2.send(replace);
      expect(ok.$metadata.attempts).toBe(3);

      t.aws?.control.injectFault({ action: 'ReplaceRoute', count: 3, code: 'RequestLimitExceeded' });
      const throttled = await sdkError(ec2.send(replace));
      expect([throttled.name, throttled.$metadata.attempts, throttled.$metadata.httpStatusCode]).toEqual([
        'RequestLimitExceeded',
        3,
        503,
      ]);

      const clientError = await sdkError(
        ec2.send(
          new ReplaceRouteCommand({
            RouteTableId: rtbA,
            DestinationCidrBlock: '10.99.0.0/16',
            NetworkInterfaceId: eniB,
          }),
        ),
      );
      expect([clientError.name, clientError.$metadata.attempts]).toEqual(['InvalidParameterValue', 1]);
      expect(t.aws?.journal().map((e) => e.sdkRequest)).toEqual([
        'attempt=1; max=3',
        'attempt=2; max=3',
        'attempt=3; max=3',
        'attempt=1; max=3',
        'attempt=2; max=3',
        'attempt=3; max=3',
        'attempt=1; max=3',
      ]);
    },
  );
});

/**
 * A small lab on the testkit EC2 emulator (a real HTTP server on 127.0.0.1) for the integration
 * tests: one AZ, two NAT instances, `tables` private route tables whose default route points at the
 * first NAT's ENI. The second NAT is the new leader, so every table needs exactly one write.
 * Every SDK client gets an explicit endpoint, region and static credentials (CONTRIBUTING.md).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  defaultWorld,
  startAws,
  type ApiCallRecord,
  type AwsEmulator,
  type AwsEmulatorOptions,
  type WorldSpec,
} from '@nat-ha/testkit';

export interface Lab {
  aws: AwsEmulator;
  /** An SDK client signed with the leader's instance credentials. */
  ec2: EC2Client;
  tables: string[];
  old: { instanceId: string; eni: string };
  leader: { instanceId: string; eni: string };
  close(): Promise<void>;
}

export function clientFor(aws: AwsEmulator, instanceId: string, requestTimeoutMs = 5000): EC2Client {
  return new EC2Client({
    region: aws.region,
    endpoint: aws.endpoint,
    credentials: aws.credentials(instanceId),
    // The package retries itself (README "EC2 client"): one SDK attempt per call.
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: 2000,
      requestTimeout: requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  });
}

export async function startLab(
  tables: number,
  options: Omit<AwsEmulatorOptions, 'world'> & { world?: (w: WorldSpec) => WorldSpec } = {},
): Promise<Lab> {
  const base = defaultWorld({ availabilityZones: 1, natInstances: 2, privateRouteTables: tables });
  const { world: edit, ...emulator } = options;
  const aws = await startAws({ ...emulator, world: edit == null ? base : edit(base) });
  const [oldId, leaderId] = aws.instanceIds as [string, string];
  const eniOf = (id: string): string => aws.control.instance(id).networkInterfaces[0]!.networkInterfaceId;
  const ec2 = clientFor(aws, leaderId);
  return {
    aws,
    ec2,
    tables: aws.control
      .routeTables()
      .filter((t) => t.tags['nat-ha:managed'] === 'true')
      .map((t) => t.routeTableId),
    old: { instanceId: oldId, eni: eniOf(oldId) },
    leader: { instanceId: leaderId, eni: eniOf(leaderId) },
    async close() {
      ec2.destroy();
      await aws.close();
    },
  };
}

const ROUTE_WRITES = new Set(['ReplaceRoute', 'CreateRoute']);

/** Route writes the emulator received (not DryRuns), optionally only those that succeeded. */
export function routeWrites(calls: readonly ApiCallRecord[], outcome?: string): ApiCallRecord[] {
  return calls.filter(
    (c) =>
      ROUTE_WRITES.has(c.action) && c.params.DryRun !== 'true' && (outcome == null || c.outcome === outcome),
  );
}

/** Where a table's default route points now, as the emulator sees it. */
export function defaultRouteTarget(aws: AwsEmulator, tableId: string): string | undefined {
  const r = aws.control.routeTable(tableId).routes.find((x) => x.destinationCidrBlock === '0.0.0.0/0');
  return r?.networkInterfaceId ?? r?.natGatewayId ?? r?.instanceId;
}

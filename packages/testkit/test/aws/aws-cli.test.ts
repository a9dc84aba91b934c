// The official AWS CLI (Debian's awscli v2 at /usr/bin/aws) against the EC2 emulator: a second,
// independent client (botocore, Python) parsing our XML and reading our errors.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAws, type AwsEmulator } from '../../src/aws/aws-emulator';
import { WORLD_TAGS } from '../../src/world/default-world';
import { worldIds } from './fixtures';

const run = promisify(execFile);
// Always Debian's CLI by absolute path: the `aws` first in PATH here can be a pyenv shim for v1.
const AWS_CLI = '/usr/bin/aws';
const cliPresent = existsSync(AWS_CLI);
if (!cliPresent) console.warn(`aws-cli.test: skipped — ${AWS_CLI} not found (CI installs Debian's awscli)`);
const ids = worldIds();

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe.skipIf(!cliPresent)('the AWS CLI against the EC2 emulator', () => {
  let aws: AwsEmulator;
  let home: string;
  beforeAll(async () => {
    aws = await startAws();
    home = mkdtempSync(join(tmpdir(), 'nat-ha-awscli-'));
  });
  afterAll(async () => {
    await aws.close();
    rmSync(home, { recursive: true, force: true });
  });

  /** Runs the CLI with a clean environment: static credentials, no IMDS, no config files, no pager. */
  const cli = async (...args: string[]): Promise<CliResult> => {
    const credentials = aws.credentials('operator');
    const env = {
      PATH: '/usr/bin:/bin',
      HOME: home,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_DEFAULT_REGION: aws.region,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_PAGER: '',
    };
    try {
      const { stdout, stderr } = await run(
        AWS_CLI,
        [...args, '--endpoint-url', aws.endpoint, '--output', 'json'],
        { env, timeout: 60_000 },
      );
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return {
        code: typeof e.code === 'number' ? e.code : -1,
        stdout: e.stdout ?? '',
        stderr: e.stderr ?? '',
      };
    }
  };

  it('describe-route-tables with filters, create-route on an existing destination, describe-instances, replace-route', async () => {
    // Independent reads first, in parallel (each CLI start costs seconds).
    const [tables, instances, duplicate] = await Promise.all([
      cli(
        'ec2',
        'describe-route-tables',
        '--filters',
        `Name=tag:${WORLD_TAGS.managed},Values=true`,
        `Name=vpc-id,Values=${ids.vpcId}`,
      ),
      cli(
        'ec2',
        'describe-instances',
        '--instance-ids',
        ids.instanceIds[0] as string,
        ids.instanceIds[1] as string,
      ),
      cli(
        'ec2',
        'create-route',
        '--route-table-id',
        ids.privateTableIds[0] as string,
        '--destination-cidr-block',
        '0.0.0.0/0',
        '--network-interface-id',
        ids.eniIds[1] as string,
      ),
    ]);

    expect(tables.code, tables.stderr).toBe(0);
    const rt = JSON.parse(tables.stdout) as {
      RouteTables: {
        RouteTableId: string;
        Routes: Record<string, string>[];
        Tags: { Key: string; Value: string }[];
      }[];
    };
    expect(rt.RouteTables.map((x) => x.RouteTableId)).toEqual(ids.privateTableIds);
    const first = rt.RouteTables[0];
    expect(first?.Routes.find((r) => r.DestinationCidrBlock === '0.0.0.0/0')).toMatchObject({
      NetworkInterfaceId: ids.eniIds[0],
      InstanceId: ids.instanceIds[0],
      State: 'active',
      Origin: 'CreateRoute',
    });
    expect(first?.Routes.find((r) => r.GatewayId === 'local')?.DestinationCidrBlock).toBe(ids.vpcCidr);

    expect(instances.code, instances.stderr).toBe(0);
    const di = JSON.parse(instances.stdout) as {
      Reservations: {
        Instances: {
          InstanceId: string;
          State: { Code: number; Name: string };
          Placement: { AvailabilityZone: string };
          NetworkInterfaces: { MacAddress: string; Attachment: { DeviceIndex: number } }[];
          SourceDestCheck: boolean;
          PrivateIpAddress: string;
        }[];
      }[];
    };
    const found = di.Reservations.flatMap((r) => r.Instances);
    expect(
      found.map((i) => [i.InstanceId, i.State, i.Placement.AvailabilityZone, i.PrivateIpAddress]),
    ).toEqual([
      [ids.instanceIds[0], { Code: 16, Name: 'running' }, 'us-east-1a', ids.privateIps[0]],
      [ids.instanceIds[1], { Code: 16, Name: 'running' }, 'us-east-1b', ids.privateIps[1]],
    ]);
    expect(found[0]?.NetworkInterfaces[0]).toMatchObject({
      MacAddress: ids.macs[0],
      Attachment: { DeviceIndex: 0 },
    });
    expect(found[0]?.SourceDestCheck).toBe(true);

    // botocore reports a service error with exit code 254 and the code in the message.
    expect(duplicate.code).toBe(254);
    expect(duplicate.stderr).toContain(
      'An error occurred (RouteAlreadyExists) when calling the CreateRoute operation',
    );

    const replaced = await cli(
      'ec2',
      'replace-route',
      '--route-table-id',
      ids.privateTableIds[0] as string,
      '--destination-cidr-block',
      '0.0.0.0/0',
      '--network-interface-id',
      ids.eniIds[1] as string,
    );
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(
      aws.control
        .routeTable(ids.privateTableIds[0] as string)
        .routes.find((r) => r.destinationCidrBlock === '0.0.0.0/0'),
    ).toMatchObject({
      networkInterfaceId: ids.eniIds[1],
      instanceId: ids.instanceIds[1],
      state: 'active',
    });
    expect(aws.journal().map((e) => [e.action, e.outcome, e.principal])).toEqual([
      ['CreateRoute', 'RouteAlreadyExists', 'operator'],
      ['ReplaceRoute', 'ok', 'operator'],
    ]);
  }, 120_000);
});

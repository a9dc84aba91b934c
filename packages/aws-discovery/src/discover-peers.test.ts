import {
  AutoScalingClient,
  AutoScalingServiceException,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  type AutoScalingGroup,
  type LifecycleState,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client, EC2ServiceException, type Instance } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { discoverPeers, escapeFilterValue } from './discover-peers';

// Logic tier (§5): aws-sdk-client-mock replaces `send`, so no middleware, retry or wire runs here.
const ec2Mock = mockClient(EC2Client);
const asgMock = mockClient(AutoScalingClient);
// Explicit endpoint, region and static credentials even though `send` is mocked (test hygiene 2).
const clientConfig = {
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
};
const ec2 = new EC2Client(clientConfig);
const autoScaling = new AutoScalingClient(clientConfig);

function instance(n: number, extra: Partial<Instance> = {}): Instance {
  return {
    InstanceId: `i-${String(n).padStart(3, '0')}`,
    State: { Code: 16, Name: 'running' },
    PrivateIpAddress: `10.0.${n}.10`,
    Placement: { AvailabilityZone: `us-east-1${'abc'[n % 3]}` },
    SubnetId: `subnet-${n}`,
    VpcId: 'vpc-1',
    NetworkInterfaces: [
      { NetworkInterfaceId: `eni-${n}b`, Attachment: { DeviceIndex: 1 }, PrivateIpAddress: `10.9.${n}.1` },
      { NetworkInterfaceId: `eni-${n}`, Attachment: { DeviceIndex: 0 }, PrivateIpAddress: `10.0.${n}.10` },
    ],
    ...extra,
  };
}

const peer = (n: number) => ({
  instanceId: `i-${String(n).padStart(3, '0')}`,
  privateIp: `10.0.${n}.10`,
  availabilityZone: `us-east-1${'abc'[n % 3]}`,
  subnetId: `subnet-${n}`,
  networkInterfaceId: `eni-${n}`,
});

beforeEach(() => {
  ec2Mock.reset();
  asgMock.reset();
});

describe('discoverPeers by tag', () => {
  it('filters on vpc-id, running state and the exact tag value (§2.1, §8 item 4)', async () => {
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [instance(2), instance(1)] }] });
    const peers = await discoverPeers({ ec2, vpcId: 'vpc-1', tag: { key: 'nat-ha:group', value: 'egress' } });
    expect(peers).toEqual([peer(1), peer(2)]);
    const calls = ec2Mock.commandCalls(DescribeInstancesCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      Filters: [
        { Name: 'vpc-id', Values: ['vpc-1'] },
        { Name: 'instance-state-name', Values: ['running'] },
        { Name: 'tag:nat-ha:group', Values: ['egress'] },
      ],
      MaxResults: 100,
    });
  });

  it('follows NextToken through every page (rule 16)', async () => {
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolvesOnce({
        Reservations: [{ Instances: [instance(1)] }, { Instances: [instance(2)] }],
        NextToken: 't1',
      })
      .resolvesOnce({ Reservations: [{ Instances: [instance(3)] }], NextToken: 't2' })
      .resolvesOnce({ Reservations: [], NextToken: '' });
    const peers = await discoverPeers({
      ec2,
      vpcId: 'vpc-1',
      tag: { key: 'Role', value: 'nat' },
      pageSize: 5,
    });
    expect(peers.map((p) => p.instanceId)).toEqual(['i-001', 'i-002', 'i-003']);
    const calls = ec2Mock.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => [c.MaxResults, c.NextToken])).toEqual([
      [5, undefined],
      [5, 't1'],
      [5, 't2'],
    ]);
  });

  it('fails with AWS_BAD_RESPONSE instead of paging forever on a repeating token', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [], NextToken: 'same' });
    await expect(
      discoverPeers({ ec2, vpcId: 'vpc-1', tag: { key: 'Role', value: 'nat' } }),
    ).rejects.toMatchObject({
      code: 'AWS_BAD_RESPONSE',
    });
  });

  it('escapes filter wildcards so the tag value matches exactly (rule 13)', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({});
    await discoverPeers({ ec2, vpcId: 'vpc-1', tag: { key: 'Role', value: ['nat*', 'a?b\\c'] } });
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0]!.args[0].input.Filters![2]).toEqual({
      Name: 'tag:Role',
      Values: ['nat\\*', 'a\\?b\\\\c'],
    });
    expect(escapeFilterValue('plain-value')).toBe('plain-value');
  });

  it('uses a tag-key filter when no value is given', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({});
    await discoverPeers({ ec2, vpcId: 'vpc-1', tag: { key: 'nat-ha' } });
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0]!.args[0].input.Filters![2]).toEqual({
      Name: 'tag-key',
      Values: ['nat-ha'],
    });
  });

  it('excludes given ids, keeps a public IP, and skips an instance that cannot be a route target', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            instance(1),
            instance(2, { PublicIpAddress: '198.51.100.7' }),
            instance(3, { NetworkInterfaces: [] }),
            instance(4),
          ],
        },
      ],
    });
    const warnings: unknown[] = [];
    const peers = await discoverPeers({
      ec2,
      vpcId: 'vpc-1',
      tag: { key: 'Role', value: 'nat' },
      excludeInstanceIds: ['i-004'],
      logger: { warn: (_m, fields) => warnings.push(fields) },
    });
    expect(peers).toEqual([peer(1), { ...peer(2), publicIp: '198.51.100.7' }]);
    expect(warnings).toEqual([{ instanceId: 'i-003' }]);
  });
});

describe('discoverPeers by Auto Scaling membership (§2.9)', () => {
  /** A realistic group (every field the model marks as always present), with the given members. */
  const group = (name: string, members: [string, string][]): AutoScalingGroup => ({
    AutoScalingGroupName: name,
    MinSize: 1,
    MaxSize: 3,
    DesiredCapacity: members.length,
    DefaultCooldown: 300,
    AvailabilityZones: ['us-east-1a'],
    HealthCheckType: 'EC2',
    CreatedTime: new Date('2024-01-01T00:00:00Z'),
    Instances: members.map(([InstanceId, LifecycleState]) => ({
      InstanceId,
      LifecycleState: LifecycleState as LifecycleState,
      AvailabilityZone: 'us-east-1a',
      HealthStatus: 'Healthy',
      ProtectedFromScaleIn: false,
    })),
  });

  it('lists InService members of the named groups, then describes them by instance-id filter', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        group('nat-a', [
          ['i-001', 'InService'],
          ['i-005', 'Terminating'],
        ]),
        group('nat-b', [['i-002', 'InService']]),
      ],
    });
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [instance(1), instance(2)] }] });
    const peers = await discoverPeers({
      ec2,
      vpcId: 'vpc-1',
      autoScaling: { client: autoScaling, groupNames: ['nat-a', 'nat-b'] },
    });
    expect(peers).toEqual([
      { ...peer(1), autoScalingGroupName: 'nat-a' },
      { ...peer(2), autoScalingGroupName: 'nat-b' },
    ]);
    expect(asgMock.commandCalls(DescribeAutoScalingGroupsCommand)[0]!.args[0].input).toEqual({
      AutoScalingGroupNames: ['nat-a', 'nat-b'],
      MaxRecords: 100,
    });
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0]!.args[0].input.Filters).toEqual([
      { Name: 'vpc-id', Values: ['vpc-1'] },
      { Name: 'instance-state-name', Values: ['running'] },
      { Name: 'instance-id', Values: ['i-001', 'i-002'] },
    ]);
  });

  it('pages DescribeAutoScalingGroups and chunks large memberships into filters of 100 ids', async () => {
    const members = Array.from({ length: 150 }, (_, i): [string, string] => [`i-${1000 + i}`, 'InService']);
    asgMock
      .on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce({ AutoScalingGroups: [group('nat-a', members.slice(0, 100))], NextToken: 'g1' })
      .resolvesOnce({ AutoScalingGroups: [group('nat-a', members.slice(100))] });
    ec2Mock.on(DescribeInstancesCommand).resolves({});
    await discoverPeers({ ec2, vpcId: 'vpc-1', autoScaling: { client: autoScaling, groupNames: ['nat-a'] } });
    expect(
      asgMock.commandCalls(DescribeAutoScalingGroupsCommand).map((c) => c.args[0].input.NextToken),
    ).toEqual([undefined, 'g1']);
    const idFilters = ec2Mock
      .commandCalls(DescribeInstancesCommand)
      .map((c) => c.args[0].input.Filters!.find((f) => f.Name === 'instance-id')!.Values!.length);
    expect(idFilters).toEqual([100, 50]);
  });

  it('finds the group of an instance with DescribeAutoScalingInstances', async () => {
    asgMock.on(DescribeAutoScalingInstancesCommand).resolves({
      AutoScalingInstances: [
        {
          InstanceId: 'i-001',
          AutoScalingGroupName: 'nat-a',
          AvailabilityZone: 'us-east-1a',
          LifecycleState: 'InService',
          HealthStatus: 'HEALTHY',
          ProtectedFromScaleIn: false,
        },
      ],
    });
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        group('nat-a', [
          ['i-001', 'InService'],
          ['i-002', 'InService'],
        ]),
      ],
    });
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [instance(1), instance(2)] }] });
    const peers = await discoverPeers({
      ec2,
      vpcId: 'vpc-1',
      autoScaling: { client: autoScaling, groupOfInstanceId: 'i-001' },
      excludeInstanceIds: ['i-001'],
    });
    expect(peers).toEqual([{ ...peer(2), autoScalingGroupName: 'nat-a' }]);
    expect(asgMock.commandCalls(DescribeAutoScalingInstancesCommand)[0]!.args[0].input).toEqual({
      InstanceIds: ['i-001'],
    });
  });

  it('ANDs a tag filter with the membership when both are given', async () => {
    asgMock
      .on(DescribeAutoScalingGroupsCommand)
      .resolves({ AutoScalingGroups: [group('nat-a', [['i-001', 'InService']])] });
    ec2Mock.on(DescribeInstancesCommand).resolves({});
    await discoverPeers({
      ec2,
      vpcId: 'vpc-1',
      tag: { key: 'Role', value: 'nat' },
      autoScaling: { client: autoScaling, groupNames: ['nat-a'] },
    });
    expect(
      ec2Mock.commandCalls(DescribeInstancesCommand)[0]!.args[0].input.Filters!.map((f) => f.Name),
    ).toEqual(['vpc-id', 'instance-state-name', 'tag:Role', 'instance-id']);
  });

  it('an unknown group is ASG_NOT_FOUND, not an empty peer list', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group('nat-a', [])] });
    await expect(
      discoverPeers({
        ec2,
        vpcId: 'vpc-1',
        autoScaling: { client: autoScaling, groupNames: ['nat-a', 'nat-typo'] },
      }),
    ).rejects.toMatchObject({ code: 'ASG_NOT_FOUND', message: expect.stringContaining('nat-typo') });
  });

  it('an instance outside any group is ASG_NOT_FOUND', async () => {
    asgMock.on(DescribeAutoScalingInstancesCommand).resolves({ AutoScalingInstances: [] });
    await expect(
      discoverPeers({
        ec2,
        vpcId: 'vpc-1',
        autoScaling: { client: autoScaling, groupOfInstanceId: 'i-001' },
      }),
    ).rejects.toMatchObject({ code: 'ASG_NOT_FOUND' });
  });

  it('a group with no member in service makes no EC2 call', async () => {
    asgMock
      .on(DescribeAutoScalingGroupsCommand)
      .resolves({ AutoScalingGroups: [group('nat-a', [['i-1', 'Pending']])] });
    await expect(
      discoverPeers({ ec2, vpcId: 'vpc-1', autoScaling: { client: autoScaling, groupNames: ['nat-a'] } }),
    ).resolves.toEqual([]);
    expect(ec2Mock.calls()).toHaveLength(0);
  });
});

describe('discoverPeers errors', () => {
  const ec2Error = (name: string, status: number, fault: 'client' | 'server' = 'client') =>
    new EC2ServiceException({
      name,
      $fault: fault,
      message: `${name} happened`,
      $metadata: { httpStatusCode: status, attempts: 3 },
    });

  it.each([
    ['RequestLimitExceeded', 503, 'server', 'AWS_THROTTLED', true],
    ['UnauthorizedOperation', 403, 'client', 'AWS_ACCESS_DENIED', false],
    ['AuthFailure', 401, 'client', 'AWS_ACCESS_DENIED', false],
    ['InternalError', 500, 'server', 'AWS_UNAVAILABLE', true],
    ['InvalidParameterValue', 400, 'client', 'AWS_REQUEST_FAILED', false],
  ] as const)('maps EC2 %s (%i) to %s', async (name, status, fault, code, retryable) => {
    ec2Mock.on(DescribeInstancesCommand).rejects(ec2Error(name, status, fault));
    const err = await discoverPeers({ ec2, vpcId: 'vpc-1', tag: { key: 'Role', value: 'nat' } }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code, retryable, message: expect.stringContaining('EC2 DescribeInstances') });
    expect((err as Error).message).toContain('after 3 attempt(s)');
    expect((err as Error).cause).toBeInstanceOf(EC2ServiceException);
  });

  it('maps Auto Scaling Throttling to AWS_THROTTLED', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).rejects(
      new AutoScalingServiceException({
        name: 'Throttling',
        $fault: 'client',
        message: 'Rate exceeded',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    await expect(
      discoverPeers({ ec2, vpcId: 'vpc-1', autoScaling: { client: autoScaling, groupNames: ['nat-a'] } }),
    ).rejects.toMatchObject({ code: 'AWS_THROTTLED', retryable: true });
  });

  it('maps a transport error code to AWS_UNAVAILABLE', async () => {
    ec2Mock
      .on(DescribeInstancesCommand)
      .rejects(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    await expect(
      discoverPeers({ ec2, vpcId: 'vpc-1', tag: { key: 'Role', value: 'nat' } }),
    ).rejects.toMatchObject({
      code: 'AWS_UNAVAILABLE',
      retryable: true,
    });
  });

  it('passes the signal to the SDK, and an abort is ABORTED', async () => {
    const ac = new AbortController();
    ec2Mock.on(DescribeInstancesCommand).callsFake(() => {
      ac.abort();
      throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    });
    await expect(
      discoverPeers({ ec2, vpcId: 'vpc-1', tag: { key: 'Role', value: 'nat' }, signal: ac.signal }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    expect((ec2Mock.send.firstCall.args as unknown[])[1]).toEqual({ abortSignal: ac.signal });
    await expect(
      discoverPeers({ ec2, vpcId: 'vpc-1', tag: { key: 'Role', value: 'nat' }, signal: ac.signal }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    expect(ec2Mock.calls()).toHaveLength(1);
  });

  it.each<[string, Record<string, unknown>]>([
    ['vpcId', { vpcId: '' }],
    ['pageSize', { pageSize: 4, tag: { key: 'k' } }],
    ['tag', {}],
    ['tag.key', { tag: { key: '' } }],
    ['tag.value', { tag: { key: 'k', value: [] } }],
    ['autoScaling.groupNames', { autoScaling: { client: autoScaling } }],
    [
      'autoScaling.groupNames',
      { autoScaling: { client: autoScaling, groupNames: ['a'], groupOfInstanceId: 'i-1' } },
    ],
  ])('rejects a bad %s with INVALID_OPTION before any call', async (name, bad) => {
    await expect(discoverPeers({ ec2, vpcId: 'vpc-1', ...bad })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringContaining(`\`${name}\``),
    });
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(asgMock.calls()).toHaveLength(0);
  });
});

import { DescribeInstancesCommand, type EC2Client, type Filter } from '@aws-sdk/client-ec2';
import { defaultWorld, WORLD_TAGS, type AwsEmulator } from '@nat-ha/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { cloudAutoJoinString } from '../src/cloud-auto-join';
import { discoverPeers } from '../src/discover-peers';
import { createImdsClient } from '../src/imds-client';
import { getInstanceIdentity } from '../src/instance-identity';
import { startWorld, type StartedWorld } from './support/aws-world';
import { parseGoDiscoverConfig } from './support/go-discover-parse';

// Integration tier: the real SDK (wire, pagination, retries) against the testkit EC2 and Auto
// Scaling emulator (§2.1, §2.9, rules 13–18, 37, 50).

let started: StartedWorld | undefined;
afterEach(async () => {
  await started?.aws.close();
  started = undefined;
});

const CLUSTER = { key: WORLD_TAGS.cluster, value: 'lab' };

async function world(natInstances = 12) {
  started = await startWorld({ world: defaultWorld({ natInstances }) });
  const aws = started.aws;
  const self = aws.instanceIds[0]!;
  return { aws, self, ...started.clientsFor(self) };
}

function expectedPeer(aws: AwsEmulator, instanceId: string) {
  const s = aws.control.instance(instanceId);
  const primary = s.networkInterfaces.find((n) => n.deviceIndex === 0)!;
  return {
    instanceId,
    privateIp: s.privateIpAddress,
    availabilityZone: s.availabilityZone,
    subnetId: s.subnetId,
    networkInterfaceId: primary.networkInterfaceId,
    ...(s.publicIp != null ? { publicIp: s.publicIp } : {}),
  };
}

function describeCalls(aws: AwsEmulator) {
  return aws.calls().filter((c) => c.action === 'DescribeInstances');
}

describe('discoverPeers by tag against the emulator', () => {
  it('pages through every running NAT instance of the VPC and matches the world (rules 16–18)', async () => {
    const { aws, self, ec2 } = await world(12);
    const identity = await getInstanceIdentity(createImdsClient({ endpoint: aws.imdsUrl(self) }));
    const peers = await discoverPeers({ ec2, vpcId: identity.vpcId, tag: CLUSTER, pageSize: 5 });
    expect(peers).toEqual([...aws.instanceIds].sort().map((id) => expectedPeer(aws, id)));
    const calls = describeCalls(aws);
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(calls[0]!.params.NextToken).toBeUndefined();
    expect(
      calls.slice(1).every((c) => typeof c.params.NextToken === 'string' && c.params.MaxResults === '5'),
    ).toBe(true);
    expect(calls.every((c) => c.outcome === 'ok')).toBe(true);
  });

  it('leaves out stopped and terminated instances, and the excluded self', async () => {
    const { aws, self, ec2 } = await world(6);
    const [, stopped, terminated] = aws.instanceIds;
    aws.control.stopInstance(stopped!);
    aws.control.terminateInstance(terminated!);
    const vpcId = aws.control.instance(self).vpcId;
    const peers = await discoverPeers({ ec2, vpcId, tag: CLUSTER, excludeInstanceIds: [self] });
    expect(peers.map((p) => p.instanceId)).toEqual(
      aws.instanceIds.filter((id) => ![self, stopped, terminated].includes(id)).sort(),
    );
  });

  it('matches the tag value exactly: wildcards are escaped (rule 13)', async () => {
    const { aws, self, ec2 } = await world(3);
    const vpcId = aws.control.instance(self).vpcId;
    await expect(discoverPeers({ ec2, vpcId, tag: { key: CLUSTER.key, value: 'la*' } })).resolves.toEqual([]);
    await expect(discoverPeers({ ec2, vpcId, tag: { key: CLUSTER.key } })).resolves.toHaveLength(3);
    await expect(discoverPeers({ ec2, vpcId: 'vpc-00000000000000000', tag: CLUSTER })).resolves.toEqual([]);
  });

  it('selects the same instances as the Consul auto-join string it renders (consul §8.3)', async () => {
    const { aws, self, ec2 } = await world(5);
    const vpcId = aws.control.instance(self).vpcId;
    aws.control.stopInstance(aws.instanceIds[4]!);
    const joinString = cloudAutoJoinString({
      tagKey: CLUSTER.key,
      tagValue: CLUSTER.value,
      region: aws.region,
    });
    const parsed = parseGoDiscoverConfig(joinString);
    expect(parsed).toEqual({
      provider: 'aws',
      tag_key: CLUSTER.key,
      tag_value: CLUSTER.value,
      region: aws.region,
    });
    // What Consul's aws provider asks EC2 for: tag:<tag_key>=<tag_value> and running.
    const consulView = await describeAll(ec2, [
      { Name: `tag:${parsed.tag_key}`, Values: [parsed.tag_value!] },
      { Name: 'instance-state-name', Values: ['running'] },
    ]);
    const peers = await discoverPeers({ ec2, vpcId, tag: CLUSTER });
    expect(peers.map((p) => [p.instanceId, p.privateIp])).toEqual(consulView);
    expect(peers).toHaveLength(4);
  });
});

async function describeAll(ec2: EC2Client, filters: Filter[]): Promise<[string, string][]> {
  const out: [string, string][] = [];
  let token: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeInstancesCommand({ Filters: filters, MaxResults: 5, NextToken: token }),
    );
    for (const r of page.Reservations ?? [])
      for (const i of r.Instances ?? []) out.push([i.InstanceId!, i.PrivateIpAddress!]);
    token = page.NextToken;
  } while (token != null && token !== '');
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

describe('discoverPeers by Auto Scaling membership against the emulator (§2.9, rule 37)', () => {
  it('lists the InService members of a named group', async () => {
    const { aws, self, ec2, autoScaling } = await world(6);
    const group = aws.control.instance(self).autoScalingGroupName!;
    const members = aws.instanceIds.filter((id) => aws.control.instance(id).autoScalingGroupName === group);
    expect(members.length).toBeGreaterThan(1);
    const peers = await discoverPeers({
      ec2,
      vpcId: aws.control.instance(self).vpcId,
      autoScaling: { client: autoScaling, groupNames: [group] },
    });
    expect(peers).toEqual(
      [...members].sort().map((id) => ({ ...expectedPeer(aws, id), autoScalingGroupName: group })),
    );
  });

  it('finds its own group, and drops a member the group is terminating', async () => {
    const { aws, self, ec2, autoScaling } = await world(6);
    const group = aws.control.instance(self).autoScalingGroupName!;
    const leaving = aws.instanceIds.find(
      (id) => id !== self && aws.control.instance(id).autoScalingGroupName === group,
    )!;
    aws.control.terminateInAutoScalingGroup(leaving);
    const peers = await discoverPeers({
      ec2,
      vpcId: aws.control.instance(self).vpcId,
      autoScaling: { client: autoScaling, groupOfInstanceId: self },
    });
    expect(peers.map((p) => p.instanceId)).toContain(self);
    expect(peers.map((p) => p.instanceId)).not.toContain(leaving);
    expect(aws.calls().map((c) => c.action)).toEqual([
      'DescribeAutoScalingInstances',
      'DescribeAutoScalingGroups',
      'DescribeInstances',
    ]);
  });

  it('an unknown group is ASG_NOT_FOUND', async () => {
    const { aws, self, ec2, autoScaling } = await world(3);
    await expect(
      discoverPeers({
        ec2,
        vpcId: aws.control.instance(self).vpcId,
        autoScaling: { client: autoScaling, groupNames: ['no-such-group'] },
      }),
    ).rejects.toMatchObject({ code: 'ASG_NOT_FOUND' });
  });
});

describe('discoverPeers failures through the real SDK', () => {
  it('two throttles are absorbed by the SDK retries; three surface as AWS_THROTTLED (rule 50)', async () => {
    const { aws, self, ec2 } = await world(3);
    const vpcId = aws.control.instance(self).vpcId;
    aws.control.injectFault({ action: 'DescribeInstances', code: 'RequestLimitExceeded', count: 2 });
    await expect(discoverPeers({ ec2, vpcId, tag: CLUSTER })).resolves.toHaveLength(3);
    expect(describeCalls(aws).map((c) => c.sdkRequest)).toEqual([
      'attempt=1; max=3',
      'attempt=2; max=3',
      'attempt=3; max=3',
    ]);
    aws.control.injectFault({ action: 'DescribeInstances', code: 'RequestLimitExceeded', count: 3 });
    const err = await discoverPeers({ ec2, vpcId, tag: CLUSTER }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'AWS_THROTTLED', retryable: true });
    expect((err as Error).message).toContain('after 3 attempt(s)');
  });

  it('a denied DescribeInstances is AWS_ACCESS_DENIED (UnauthorizedOperation, attempted once)', async () => {
    const { aws, self, ec2 } = await world(3);
    aws.control.setPolicy(self, ['ec2:DescribeInstances']);
    await expect(
      discoverPeers({ ec2, vpcId: aws.control.instance(self).vpcId, tag: CLUSTER }),
    ).rejects.toMatchObject({ code: 'AWS_ACCESS_DENIED', retryable: false });
    expect(describeCalls(aws)).toHaveLength(1);
  });

  it('a hung EC2 endpoint is bounded by the client timeouts: AWS_UNAVAILABLE', async () => {
    started = await startWorld({ world: defaultWorld({ natInstances: 3 }) });
    const aws = started.aws;
    const self = aws.instanceIds[0]!;
    const { ec2 } = started.clientsFor(self, { requestTimeoutMs: 300, maxAttempts: 2 });
    aws.control.injectFault({ action: 'DescribeInstances', hang: true, count: 2 });
    const err = await discoverPeers({ ec2, vpcId: aws.control.instance(self).vpcId, tag: CLUSTER }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'AWS_UNAVAILABLE', retryable: true });
    expect(describeCalls(aws).map((c) => c.outcome)).toEqual(['hung', 'hung']);
  });

  it('the signal aborts a call in flight: ABORTED', async () => {
    const { aws, self, ec2 } = await world(3);
    aws.control.injectFault({ action: 'DescribeInstances', hang: true });
    const ac = new AbortController();
    const pending = discoverPeers({
      ec2,
      vpcId: aws.control.instance(self).vpcId,
      tag: CLUSTER,
      signal: ac.signal,
    });
    while (describeCalls(aws).length === 0) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

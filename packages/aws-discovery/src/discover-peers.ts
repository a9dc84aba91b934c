import {
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  type AutoScalingClient,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, type EC2Client, type Filter, type Instance } from '@aws-sdk/client-ec2';
import { throwIfAborted } from './abort';
import { fromAwsError } from './aws-errors';
import { DiscoveryError, invalidOption } from './errors';
import type { DiscoveryLogger } from './logger';
import { integerInRange, nonEmptyString } from './validate';

/** A running instance in the same VPC that nat-ha can hand routes to. */
export interface Peer {
  instanceId: string;
  privateIp: string;
  availabilityZone: string;
  subnetId: string;
  /** The primary ENI (device index 0), the route target. */
  networkInterfaceId: string;
  publicIp?: string;
  /** Set when the peer was found through Auto Scaling membership. */
  autoScalingGroupName?: string;
}

export interface PeerTagFilter {
  /** Tag key, e.g. `nat-ha:group`. */
  key: string;
  /**
   * Accepted value(s), matched exactly (wildcards in them are escaped, §2.1). Omit to match any
   * instance that has the tag key.
   */
  value?: string | readonly string[];
}

export interface PeerAutoScalingFilter {
  client: Pick<AutoScalingClient, 'send'>;
  /** The groups whose members are peers. Give this or `groupOfInstanceId`. */
  groupNames?: readonly string[];
  /** Use the group this instance belongs to (DescribeAutoScalingInstances), typically our own id. */
  groupOfInstanceId?: string;
  /** Group member lifecycle states that count as peers. */
  lifecycleStates?: readonly string[];
}

export interface DiscoverPeersOptions {
  /** The EC2 client (from `createEc2Client`, or any object with the SDK's `send`). */
  ec2: Pick<EC2Client, 'send'>;
  /** Only instances in this VPC are peers. */
  vpcId: string;
  /** Select peers by tag. With `autoScaling` as well, a peer must match both. */
  tag?: PeerTagFilter;
  /** Select peers by Auto Scaling group membership. */
  autoScaling?: PeerAutoScalingFilter;
  /** Instances to leave out (e.g. our own id). */
  excludeInstanceIds?: readonly string[];
  /** DescribeInstances `MaxResults` per page, 5…1000. */
  pageSize?: number;
  signal?: AbortSignal;
  logger?: DiscoveryLogger;
}

export const DISCOVER_PEERS_DEFAULTS = {
  pageSize: 100,
  lifecycleStates: ['InService'] as readonly string[],
} as const;

// DescribeInstances accepts at most 200 values per filter; stay well inside it.
const INSTANCE_ID_CHUNK = 100;
// DescribeAutoScalingGroups: MaxRecords ≤ 100.
const ASG_PAGE_SIZE = 100;

/**
 * Lists running instances in `vpcId` selected by tag (DescribeInstances with `tag:<key>`,
 * `vpc-id` and `instance-state-name=running` filters, every page) and/or by Auto Scaling group
 * membership (DescribeAutoScalingGroups, then DescribeInstances by `instance-id` filter — a filter,
 * not `InstanceIds`, so an id that EC2 does not know yet does not fail the whole call, §2.1, §3.3).
 * The result is sorted by instance id.
 */
export async function discoverPeers(options: DiscoverPeersOptions): Promise<Peer[]> {
  const { ec2, tag, autoScaling, signal, logger } = options;
  if (ec2 == null || typeof ec2.send !== 'function') invalidOption('ec2', 'must be an EC2 client');
  const vpcId = nonEmptyString('vpcId', options.vpcId);
  const pageSize = integerInRange('pageSize', options.pageSize ?? DISCOVER_PEERS_DEFAULTS.pageSize, 5, 1000);
  if (tag == null && autoScaling == null)
    invalidOption('tag', 'or `autoScaling` must be given to select peers');

  const filters: Filter[] = [
    { Name: 'vpc-id', Values: [vpcId] },
    { Name: 'instance-state-name', Values: ['running'] },
  ];
  if (tag != null) filters.push(tagFilter(tag));

  let instances: Instance[];
  const groupOf = new Map<string, string>();
  if (autoScaling != null) {
    const members = await autoScalingMembers(autoScaling, signal);
    for (const [id, group] of members) groupOf.set(id, group);
    const ids = [...members.keys()].sort();
    instances = [];
    for (let i = 0; i < ids.length; i += INSTANCE_ID_CHUNK) {
      const chunk = ids.slice(i, i + INSTANCE_ID_CHUNK);
      instances.push(
        ...(await describeAllInstances(
          ec2,
          [...filters, { Name: 'instance-id', Values: chunk }],
          pageSize,
          signal,
        )),
      );
    }
  } else {
    instances = await describeAllInstances(ec2, filters, pageSize, signal);
  }

  const excluded = new Set(options.excludeInstanceIds ?? []);
  const peers = new Map<string, Peer>();
  for (const instance of instances) {
    const peer = toPeer(instance, logger);
    if (peer == null || excluded.has(peer.instanceId)) continue;
    const group = groupOf.get(peer.instanceId);
    peers.set(peer.instanceId, group != null ? { ...peer, autoScalingGroupName: group } : peer);
  }
  return [...peers.values()].sort((a, b) =>
    a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0,
  );
}

/**
 * EC2 filter values treat `*` and `?` as wildcards and `\` as their escape [D-FILTER] (rule 13);
 * peers are selected by the exact tag value, so escape all three.
 */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\*?]/g, (c) => `\\${c}`);
}

function tagFilter(tag: PeerTagFilter): Filter {
  if (tag == null || typeof tag !== 'object') invalidOption('tag', 'must be { key, value? }');
  const key = nonEmptyString('tag.key', tag.key);
  if (tag.value === undefined) return { Name: 'tag-key', Values: [escapeFilterValue(key)] };
  const values = typeof tag.value === 'string' ? [tag.value] : [...tag.value];
  if (values.length === 0 || values.some((v) => typeof v !== 'string')) {
    invalidOption('tag.value', 'must be a string or a non-empty list of strings');
  }
  return { Name: `tag:${key}`, Values: values.map(escapeFilterValue) };
}

async function send<T>(
  operation: string,
  signal: AbortSignal | undefined,
  call: () => Promise<T>,
): Promise<T> {
  throwIfAborted(signal, operation);
  try {
    return await call();
  } catch (err) {
    throw fromAwsError(err, operation, signal);
  }
}

async function describeAllInstances(
  ec2: Pick<EC2Client, 'send'>,
  filters: Filter[],
  pageSize: number,
  signal: AbortSignal | undefined,
): Promise<Instance[]> {
  const out: Instance[] = [];
  const tokens = new Set<string>();
  let nextToken: string | undefined;
  do {
    const command = new DescribeInstancesCommand({
      Filters: filters,
      MaxResults: pageSize,
      ...(nextToken != null ? { NextToken: nextToken } : {}),
    });
    const page = await send('EC2 DescribeInstances', signal, () =>
      ec2.send(command, { abortSignal: signal }),
    );
    for (const reservation of page?.Reservations ?? []) out.push(...(reservation.Instances ?? []));
    nextToken = page?.NextToken != null && page.NextToken !== '' ? page.NextToken : undefined;
    if (nextToken != null) {
      // A token that comes back twice would page forever.
      if (tokens.has(nextToken)) {
        throw new DiscoveryError(
          'AWS_BAD_RESPONSE',
          'EC2 DescribeInstances returned the same NextToken twice',
        );
      }
      tokens.add(nextToken);
    }
  } while (nextToken != null);
  return out;
}

/** instance id → group name, for members in an accepted lifecycle state. */
async function autoScalingMembers(
  filter: PeerAutoScalingFilter,
  signal: AbortSignal | undefined,
): Promise<Map<string, string>> {
  if (filter == null || typeof filter.client?.send !== 'function') {
    invalidOption('autoScaling.client', 'must be an Auto Scaling client');
  }
  const states = new Set(filter.lifecycleStates ?? DISCOVER_PEERS_DEFAULTS.lifecycleStates);
  if ((filter.groupNames == null) === (filter.groupOfInstanceId == null)) {
    invalidOption('autoScaling.groupNames', 'or `autoScaling.groupOfInstanceId` must be given (exactly one)');
  }
  let groupNames: string[];
  if (filter.groupNames != null) {
    groupNames = [...filter.groupNames].map((name, i) =>
      nonEmptyString(`autoScaling.groupNames[${i}]`, name),
    );
    if (groupNames.length === 0) invalidOption('autoScaling.groupNames', 'must not be empty');
  } else {
    const instanceId = nonEmptyString('autoScaling.groupOfInstanceId', filter.groupOfInstanceId);
    const res = await send('Auto Scaling DescribeAutoScalingInstances', signal, () =>
      filter.client.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }), {
        abortSignal: signal,
      }),
    );
    const group = res?.AutoScalingInstances?.find((i) => i.InstanceId === instanceId)?.AutoScalingGroupName;
    if (group == null || group === '') {
      throw new DiscoveryError(
        'ASG_NOT_FOUND',
        `instance ${instanceId} is not a member of any Auto Scaling group`,
      );
    }
    groupNames = [group];
  }

  const groups: AutoScalingGroup[] = [];
  const tokens = new Set<string>();
  let nextToken: string | undefined;
  do {
    const command = new DescribeAutoScalingGroupsCommand({
      AutoScalingGroupNames: groupNames,
      MaxRecords: ASG_PAGE_SIZE,
      ...(nextToken != null ? { NextToken: nextToken } : {}),
    });
    const page = await send('Auto Scaling DescribeAutoScalingGroups', signal, () =>
      filter.client.send(command, { abortSignal: signal }),
    );
    groups.push(...(page?.AutoScalingGroups ?? []));
    nextToken = page?.NextToken != null && page.NextToken !== '' ? page.NextToken : undefined;
    if (nextToken != null) {
      if (tokens.has(nextToken)) {
        throw new DiscoveryError(
          'AWS_BAD_RESPONSE',
          'Auto Scaling DescribeAutoScalingGroups returned the same NextToken twice',
        );
      }
      tokens.add(nextToken);
    }
  } while (nextToken != null);

  // DescribeAutoScalingGroups silently omits unknown names; a misspelt group must not look empty.
  const found = new Set(groups.map((g) => g.AutoScalingGroupName));
  const missing = groupNames.filter((name) => !found.has(name));
  if (missing.length > 0) {
    throw new DiscoveryError('ASG_NOT_FOUND', `Auto Scaling group(s) not found: ${missing.join(', ')}`);
  }
  const members = new Map<string, string>();
  for (const group of groups) {
    for (const member of group.Instances ?? []) {
      if (member.InstanceId != null && member.LifecycleState != null && states.has(member.LifecycleState)) {
        members.set(member.InstanceId, group.AutoScalingGroupName ?? '');
      }
    }
  }
  return members;
}

function toPeer(instance: Instance, logger: DiscoveryLogger | undefined): Peer | undefined {
  const primary = instance.NetworkInterfaces?.find((eni) => eni.Attachment?.DeviceIndex === 0);
  const instanceId = instance.InstanceId;
  const privateIp = instance.PrivateIpAddress ?? primary?.PrivateIpAddress;
  const availabilityZone = instance.Placement?.AvailabilityZone;
  const subnetId = instance.SubnetId ?? primary?.SubnetId;
  const networkInterfaceId = primary?.NetworkInterfaceId;
  if (
    instanceId == null ||
    privateIp == null ||
    availabilityZone == null ||
    subnetId == null ||
    networkInterfaceId == null
  ) {
    // A running VPC instance always has these; one without them cannot be a route target.
    logger?.warn?.('skipping an instance without id, private IP, AZ, subnet or primary ENI', {
      instanceId,
    });
    return undefined;
  }
  return {
    instanceId,
    privateIp,
    availabilityZone,
    subnetId,
    networkInterfaceId,
    ...(instance.PublicIpAddress != null && instance.PublicIpAddress !== ''
      ? { publicIp: instance.PublicIpAddress }
      : {}),
  };
}

/**
 * The instance metadata tree of one instance, built per request from the same state the EC2
 * API serves (rule 46): MACs, ENI ids, addresses and the public IP can never disagree with
 * DescribeInstances / DescribeNetworkInterfaces.
 */
import { privateDnsNameFor } from '../../world/ids';
import { addressOf, enisOf, publicIpOf } from '../state/derive';
import type { MaintenanceEvent, WorldState } from '../state/world-state';

/** A leaf is a string; a directory maps child names to nodes; undefined = absent. */
export type MetadataNode = string | MetadataDir;
export interface MetadataDir {
  [name: string]: MetadataNode | undefined;
}

/** `2017-09-18T08:22:00Z`: RFC 3339 UTC without milliseconds, as IMDS prints times. */
export function imdsTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `21 Jan 2019 09:00:43 GMT` (Go layout `2 Jan 2006 15:04:05 GMT`), the maintenance-event format (rule 45). */
export function maintenanceTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()] as string} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} GMT`;
}

function eventJson(e: MaintenanceEvent): Record<string, string> {
  return {
    NotBefore: maintenanceTime(e.notBefore),
    Code: e.code,
    Description: e.description,
    EventId: e.eventId,
    NotAfter: maintenanceTime(e.notAfter),
    ...(e.notBeforeDeadline != null ? { NotBeforeDeadline: maintenanceTime(e.notBeforeDeadline) } : {}),
    State: e.state,
  };
}

function publicHostname(ip: string, region: string): string {
  const host = `ec2-${ip.replace(/\./g, '-')}`;
  return region === 'us-east-1'
    ? `${host}.compute-1.amazonaws.com`
    : `${host}.${region}.compute.amazonaws.com`;
}

/** Credential lifetime advertised in `Expiration` (rolled forward every hour, like real IMDS). */
const CREDENTIAL_HOURS = 6;

export function buildMetadataTree(state: WorldState, instanceId: string, now: number): MetadataDir {
  const data = state.data;
  const inst = state.instance(instanceId);
  const enis = enisOf(data, instanceId);
  const primary = enis[0];
  const subnet = data.subnets.get(inst.subnetId);
  const publicIp = publicIpOf(data, instanceId);
  const notices = state.noticesOf(instanceId);
  const localHostname =
    primary == null ? undefined : privateDnsNameFor(primary.privateIpAddress, data.region);

  const macs: MetadataDir = {};
  for (const eni of enis) {
    const eniSubnet = data.subnets.get(eni.subnetId);
    const eniVpc = data.vpcs.get(eni.vpcId);
    const ips = [eni.privateIpAddress, ...eni.secondaryPrivateIpAddresses];
    const associations: MetadataDir = {};
    for (const ip of ips) {
      const eip = addressOf(data, eni.networkInterfaceId, ip);
      if (eip != null) associations[eip.publicIp] = ip;
    }
    const publicIps = Object.keys(associations);
    macs[eni.macAddress] = {
      'device-number': String(eni.attachment?.deviceIndex ?? 0),
      'interface-id': eni.networkInterfaceId,
      'ipv4-associations': publicIps.length > 0 ? associations : undefined,
      'local-hostname': privateDnsNameFor(eni.privateIpAddress, data.region),
      'local-ipv4s': ips.join('\n'),
      mac: eni.macAddress,
      'network-card-index': '0',
      'owner-id': data.accountId,
      'public-hostname': publicIps[0] == null ? undefined : publicHostname(publicIps[0], data.region),
      'public-ipv4s': publicIps.length > 0 ? publicIps.join('\n') : undefined,
      'security-group-ids': eni.securityGroups.map((g) => g.groupId).join('\n'),
      'security-groups': eni.securityGroups.map((g) => g.groupName).join('\n'),
      'subnet-id': eni.subnetId,
      'subnet-ipv4-cidr-block': eniSubnet?.cidrBlock,
      'vpc-id': eni.vpcId,
      'vpc-ipv4-cidr-block': eniVpc?.cidrBlock,
      'vpc-ipv4-cidr-blocks': eniVpc?.cidrBlock,
    };
  }

  let iam: MetadataDir | undefined;
  if (inst.role != null) {
    const role = inst.role;
    const hour = 3_600_000;
    const lastUpdated = Math.floor(now / hour) * hour;
    iam = {
      info: JSON.stringify(
        {
          Code: 'Success',
          LastUpdated: imdsTime(lastUpdated),
          InstanceProfileArn: `arn:aws:iam::${data.accountId}:instance-profile/${role.roleName}`,
          InstanceProfileId: `AIPA${instanceId.slice(2, 18).toUpperCase().padEnd(17, 'X')}`,
        },
        null,
        2,
      ),
      'security-credentials': {
        [role.roleName]: JSON.stringify(
          {
            Code: 'Success',
            LastUpdated: imdsTime(lastUpdated),
            Type: 'AWS-HMAC',
            AccessKeyId: role.accessKeyId,
            SecretAccessKey: role.secretAccessKey,
            Token: role.sessionToken,
            Expiration: imdsTime(lastUpdated + CREDENTIAL_HOURS * hour),
          },
          null,
          2,
        ),
      },
    };
  }

  const targetLifecycle = state.targetLifecycleState(instanceId);
  const tags: MetadataDir | undefined = inst.imds.instanceMetadataTags ? { ...inst.tags } : undefined;
  const scheduled = notices.maintenance.filter((e) => e.state === 'active');
  const history = notices.maintenance.filter((e) => e.state !== 'active');

  const metaData: MetadataDir = {
    'ami-id': inst.imageId,
    'ami-launch-index': '0',
    'ami-manifest-path': '(unknown)',
    autoscaling: targetLifecycle == null ? undefined : { 'target-lifecycle-state': targetLifecycle },
    'block-device-mapping': { ami: '/dev/xvda', root: '/dev/xvda' },
    events: {
      maintenance: {
        history: JSON.stringify(history.map(eventJson)),
        scheduled: JSON.stringify(scheduled.map(eventJson)),
      },
      recommendations:
        notices.rebalanceAt == null
          ? undefined
          : { rebalance: JSON.stringify({ noticeTime: imdsTime(notices.rebalanceAt) }) },
    },
    hostname: localHostname,
    iam,
    'instance-action': 'none',
    'instance-id': instanceId,
    'instance-life-cycle': inst.instanceLifecycle,
    'instance-type': inst.instanceType,
    'local-hostname': localHostname,
    'local-ipv4': primary?.privateIpAddress,
    mac: primary?.macAddress,
    network: enis.length > 0 ? { interfaces: { macs } } : undefined,
    placement: {
      'availability-zone': inst.availabilityZone,
      'availability-zone-id': subnet?.availabilityZoneId,
      region: data.region,
    },
    profile: 'default-hvm',
    'public-hostname': publicIp == null ? undefined : publicHostname(publicIp, data.region),
    'public-ipv4': publicIp,
    'reservation-id': inst.reservationId,
    'security-groups': primary?.securityGroups.map((g) => g.groupName).join('\n'),
    services: { domain: 'amazonaws.com', partition: 'aws' },
    spot:
      notices.spot == null
        ? undefined
        : {
            'instance-action': JSON.stringify({
              action: notices.spot.action,
              time: imdsTime(notices.spot.time),
            }),
            // Rule 43: termination-time mirrors `time` only for terminate notices.
            'termination-time': notices.spot.action === 'terminate' ? imdsTime(notices.spot.time) : undefined,
          },
    tags: tags == null ? undefined : { instance: tags },
  };

  const document = {
    accountId: data.accountId,
    architecture: 'x86_64',
    availabilityZone: inst.availabilityZone,
    billingProducts: null,
    devpayProductCodes: null,
    marketplaceProductCodes: null,
    imageId: inst.imageId,
    instanceId,
    instanceType: inst.instanceType,
    kernelId: null,
    pendingTime: imdsTime(Date.parse(inst.launchTime)),
    privateIp: primary?.privateIpAddress ?? null,
    ramdiskId: null,
    region: data.region,
    version: '2017-09-30',
  };

  return {
    'meta-data': metaData,
    dynamic: { 'instance-identity': { document: JSON.stringify(document, null, 2) } },
  };
}

/** Resolves a path below `/latest/` (no leading slash); returns undefined when absent. */
export function resolveMetadataPath(tree: MetadataDir, path: string): MetadataNode | undefined {
  const parts = path.split('/').filter((p) => p !== '');
  let node: MetadataNode | undefined = tree;
  for (const part of parts) {
    if (node == null || typeof node === 'string') return undefined;
    node = Object.prototype.hasOwnProperty.call(node, part) ? node[part] : undefined;
  }
  return node;
}

/** Rule 42: one child per line, sub-directories suffixed with `/`. */
export function listDirectory(dir: MetadataDir): string {
  return Object.entries(dir)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => (typeof v === 'string' ? k : `${k}/`))
    .join('\n');
}

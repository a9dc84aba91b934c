/**
 * World validation. A world file is hand-written JSON, so every problem is reported at once with
 * its JSON path (`$.instances[1].networkInterfaces[0].privateIpAddress: …`), unknown fields
 * included (a typo must not silently become a default).
 */
import { TestkitError } from '../errors';
import { ipv4CidrWithin, ipv4InCidr, isIpv4, isIpv4Cidr, isIpv6Cidr } from './cidr';
import type {
  AddressSpec,
  AutoScalingGroupSpec,
  IamRoleSpec,
  ImdsSpec,
  InstanceSpec,
  InstanceStateName,
  InternetGatewaySpec,
  LifecycleHookSpec,
  NatGatewaySpec,
  NetworkInterfaceSpec,
  PrincipalSpec,
  RouteSpec,
  RouteTableSpec,
  SecurityGroupRef,
  SubnetSpec,
  Tags,
  VpcSpec,
  WorldSpec,
} from './world-spec';

export interface WorldProblem {
  /** JSON path, `$` = the document root. */
  path: string;
  message: string;
}

export interface WorldValidation {
  /** Present when `problems` is empty. */
  world?: WorldSpec;
  problems: WorldProblem[];
}

type Json = Record<string, unknown>;

/** A RegExp or any predicate with the same `test` shape. */
interface Pattern {
  test(value: string): boolean;
}

const INSTANCE_STATES: readonly InstanceStateName[] = [
  'pending',
  'running',
  'shutting-down',
  'terminated',
  'stopping',
  'stopped',
];
const NAT_GATEWAY_STATES: readonly NonNullable<NatGatewaySpec['state']>[] = [
  'pending',
  'failed',
  'available',
  'deleting',
  'deleted',
];

class Checker {
  readonly problems: WorldProblem[] = [];

  fail(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  object(path: string, value: unknown, keys: readonly string[]): Json | undefined {
    if (value == null || typeof value !== 'object' || Array.isArray(value)) {
      this.fail(path, `must be an object, got ${describe(value)}`);
      return undefined;
    }
    for (const k of Object.keys(value)) {
      if (!keys.includes(k)) this.fail(`${path}.${k}`, `unknown field (allowed: ${keys.join(', ')})`);
    }
    return value as Json;
  }

  array(path: string, value: unknown, required: boolean): unknown[] {
    if (value === undefined && !required) return [];
    if (value === undefined) {
      this.fail(path, 'is required');
      return [];
    }
    if (!Array.isArray(value)) {
      this.fail(path, `must be an array, got ${describe(value)}`);
      return [];
    }
    return value;
  }

  string(
    path: string,
    value: unknown,
    required: boolean,
    pattern?: Pattern,
    what?: string,
  ): string | undefined {
    if (value === undefined) {
      if (required) this.fail(path, 'is required');
      return undefined;
    }
    if (typeof value !== 'string' || value === '') {
      this.fail(path, `must be a non-empty string, got ${describe(value)}`);
      return undefined;
    }
    if (pattern != null && !pattern.test(value)) {
      this.fail(path, `must be ${what ?? 'a well-formed value'}, got '${value}'`);
      return undefined;
    }
    return value;
  }

  boolean(path: string, value: unknown): boolean | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') {
      this.fail(path, `must be true or false, got ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  integer(path: string, value: unknown, min: number, max: number): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(path, `must be an integer from ${min} to ${max}, got ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(path: string, value: unknown, allowed: readonly T[]): T | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.fail(path, `must be one of ${allowed.join(', ')}, got ${describe(value)}`);
      return undefined;
    }
    return value as T;
  }

  tags(path: string, value: unknown): Tags | undefined {
    if (value === undefined) return undefined;
    if (value == null || typeof value !== 'object' || Array.isArray(value)) {
      this.fail(path, `must be an object of tag key → string value, got ${describe(value)}`);
      return undefined;
    }
    const out: Tags = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '' || k.length > 128) this.fail(`${path}`, `tag key '${k}' must be 1–128 characters`);
      if (typeof v !== 'string' || v.length > 256) {
        this.fail(`${path}.${k}`, `tag value must be a string of at most 256 characters`);
      } else out[k] = v;
    }
    return out;
  }

  strings(path: string, value: unknown, pattern?: Pattern, what?: string): string[] {
    return this.array(path, value, false)
      .map((v, i) => this.string(`${path}[${i}]`, v, true, pattern, what))
      .filter((v): v is string => v != null);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return typeof value;
}

const ID = (prefix: string): RegExp => new RegExp(`^${prefix}-[0-9a-z]+$`);
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const IPV4_WHAT = 'an IPv4 address';
const IPV4_PATTERN: Pattern = { test: isIpv4 };
const CIDR_PATTERN: Pattern = { test: isIpv4Cidr };
const IPV6_CIDR_PATTERN: Pattern = { test: isIpv6Cidr };
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

function readVpc(c: Checker, p: string, v: unknown): VpcSpec | undefined {
  const o = c.object(p, v, ['vpcId', 'cidrBlock', 'tags']);
  if (o == null) return undefined;
  const vpcId = c.string(`${p}.vpcId`, o.vpcId, true, ID('vpc'), 'a VPC id (vpc-…)');
  const cidrBlock = c.string(`${p}.cidrBlock`, o.cidrBlock, true, CIDR_PATTERN, 'an IPv4 CIDR block');
  const tags = c.tags(`${p}.tags`, o.tags);
  if (vpcId == null || cidrBlock == null) return undefined;
  return { vpcId, cidrBlock, ...(tags ? { tags } : {}) };
}

function readIgw(c: Checker, p: string, v: unknown): InternetGatewaySpec | undefined {
  const o = c.object(p, v, ['internetGatewayId', 'vpcId', 'tags']);
  if (o == null) return undefined;
  const internetGatewayId = c.string(
    `${p}.internetGatewayId`,
    o.internetGatewayId,
    true,
    ID('igw'),
    'an id igw-…',
  );
  const vpcId = c.string(`${p}.vpcId`, o.vpcId, false, ID('vpc'), 'a VPC id (vpc-…)');
  const tags = c.tags(`${p}.tags`, o.tags);
  if (internetGatewayId == null) return undefined;
  return { internetGatewayId, ...(vpcId ? { vpcId } : {}), ...(tags ? { tags } : {}) };
}

function readSubnet(c: Checker, p: string, v: unknown): SubnetSpec | undefined {
  const o = c.object(p, v, [
    'subnetId',
    'vpcId',
    'cidrBlock',
    'availabilityZone',
    'availabilityZoneId',
    'mapPublicIpOnLaunch',
    'tags',
  ]);
  if (o == null) return undefined;
  const subnetId = c.string(`${p}.subnetId`, o.subnetId, true, ID('subnet'), 'a subnet id (subnet-…)');
  const vpcId = c.string(`${p}.vpcId`, o.vpcId, true, ID('vpc'), 'a VPC id (vpc-…)');
  const cidrBlock = c.string(`${p}.cidrBlock`, o.cidrBlock, true, CIDR_PATTERN, 'an IPv4 CIDR block');
  const availabilityZone = c.string(
    `${p}.availabilityZone`,
    o.availabilityZone,
    true,
    /^[a-z]{2}(-[a-z]+)+-\d+[a-z]$/,
    'an availability zone name like us-east-1a',
  );
  const availabilityZoneId = c.string(`${p}.availabilityZoneId`, o.availabilityZoneId, false);
  const mapPublicIpOnLaunch = c.boolean(`${p}.mapPublicIpOnLaunch`, o.mapPublicIpOnLaunch);
  const tags = c.tags(`${p}.tags`, o.tags);
  if (subnetId == null || vpcId == null || cidrBlock == null || availabilityZone == null) return undefined;
  return {
    subnetId,
    vpcId,
    cidrBlock,
    availabilityZone,
    ...(availabilityZoneId ? { availabilityZoneId } : {}),
    ...(mapPublicIpOnLaunch != null ? { mapPublicIpOnLaunch } : {}),
    ...(tags ? { tags } : {}),
  };
}

function readRoute(c: Checker, p: string, v: unknown): RouteSpec | undefined {
  const o = c.object(p, v, [
    'destinationCidrBlock',
    'destinationIpv6CidrBlock',
    'gatewayId',
    'instanceId',
    'networkInterfaceId',
    'natGatewayId',
  ]);
  if (o == null) return undefined;
  const destinationCidrBlock = c.string(
    `${p}.destinationCidrBlock`,
    o.destinationCidrBlock,
    false,
    CIDR_PATTERN,
    'an IPv4 CIDR block',
  );
  const destinationIpv6CidrBlock = c.string(
    `${p}.destinationIpv6CidrBlock`,
    o.destinationIpv6CidrBlock,
    false,
    IPV6_CIDR_PATTERN,
    'an IPv6 CIDR block',
  );
  if ((o.destinationCidrBlock === undefined) === (o.destinationIpv6CidrBlock === undefined)) {
    c.fail(p, 'must have exactly one of destinationCidrBlock, destinationIpv6CidrBlock');
  }
  const gatewayId = c.string(
    `${p}.gatewayId`,
    o.gatewayId,
    false,
    /^(igw|vgw)-[0-9a-z]+$/,
    'an igw-/vgw- id',
  );
  const instanceId = c.string(`${p}.instanceId`, o.instanceId, false, ID('i'), 'an instance id (i-…)');
  const networkInterfaceId = c.string(
    `${p}.networkInterfaceId`,
    o.networkInterfaceId,
    false,
    ID('eni'),
    'an ENI id (eni-…)',
  );
  const natGatewayId = c.string(
    `${p}.natGatewayId`,
    o.natGatewayId,
    false,
    ID('nat'),
    'a NAT gateway id (nat-…)',
  );
  const targets = ['gatewayId', 'instanceId', 'networkInterfaceId', 'natGatewayId'].filter(
    (k) => o[k] !== undefined,
  );
  if (targets.length !== 1) {
    c.fail(
      p,
      `must have exactly one target of gatewayId, instanceId, networkInterfaceId, natGatewayId (got ${targets.length})`,
    );
  }
  return {
    ...(destinationCidrBlock ? { destinationCidrBlock } : {}),
    ...(destinationIpv6CidrBlock ? { destinationIpv6CidrBlock } : {}),
    ...(gatewayId ? { gatewayId } : {}),
    ...(instanceId ? { instanceId } : {}),
    ...(networkInterfaceId ? { networkInterfaceId } : {}),
    ...(natGatewayId ? { natGatewayId } : {}),
  };
}

function readRouteTable(c: Checker, p: string, v: unknown): RouteTableSpec | undefined {
  const o = c.object(p, v, ['routeTableId', 'vpcId', 'main', 'subnetIds', 'routes', 'tags']);
  if (o == null) return undefined;
  const routeTableId = c.string(
    `${p}.routeTableId`,
    o.routeTableId,
    true,
    ID('rtb'),
    'a route table id (rtb-…)',
  );
  const vpcId = c.string(`${p}.vpcId`, o.vpcId, true, ID('vpc'), 'a VPC id (vpc-…)');
  const main = c.boolean(`${p}.main`, o.main);
  const subnetIds = c.strings(`${p}.subnetIds`, o.subnetIds, ID('subnet'), 'a subnet id (subnet-…)');
  const routes = c
    .array(`${p}.routes`, o.routes, false)
    .map((r, i) => readRoute(c, `${p}.routes[${i}]`, r))
    .filter((r): r is RouteSpec => r != null);
  const tags = c.tags(`${p}.tags`, o.tags);
  if (routeTableId == null || vpcId == null) return undefined;
  return {
    routeTableId,
    vpcId,
    ...(main != null ? { main } : {}),
    ...(o.subnetIds !== undefined ? { subnetIds } : {}),
    ...(o.routes !== undefined ? { routes } : {}),
    ...(tags ? { tags } : {}),
  };
}

function readSecurityGroups(c: Checker, p: string, v: unknown): SecurityGroupRef[] | undefined {
  if (v === undefined) return undefined;
  return c
    .array(p, v, true)
    .map((g, i) => {
      const o = c.object(`${p}[${i}]`, g, ['groupId', 'groupName']);
      if (o == null) return undefined;
      const groupId = c.string(`${p}[${i}].groupId`, o.groupId, true, ID('sg'), 'a security group id (sg-…)');
      const groupName = c.string(`${p}[${i}].groupName`, o.groupName, true);
      return groupId != null && groupName != null ? { groupId, groupName } : undefined;
    })
    .filter((g): g is SecurityGroupRef => g != null);
}

function readEni(
  c: Checker,
  p: string,
  v: unknown,
  subnetRequired: boolean,
): NetworkInterfaceSpec | undefined {
  const o = c.object(p, v, [
    'networkInterfaceId',
    'subnetId',
    'privateIpAddress',
    'secondaryPrivateIpAddresses',
    'macAddress',
    'sourceDestCheck',
    'description',
    'securityGroups',
    'tags',
  ]);
  if (o == null) return undefined;
  const networkInterfaceId = c.string(
    `${p}.networkInterfaceId`,
    o.networkInterfaceId,
    true,
    ID('eni'),
    'an ENI id (eni-…)',
  );
  const subnetId = c.string(
    `${p}.subnetId`,
    o.subnetId,
    subnetRequired,
    ID('subnet'),
    'a subnet id (subnet-…)',
  );
  const privateIpAddress = c.string(
    `${p}.privateIpAddress`,
    o.privateIpAddress,
    true,
    IPV4_PATTERN,
    IPV4_WHAT,
  );
  const secondary = c.strings(
    `${p}.secondaryPrivateIpAddresses`,
    o.secondaryPrivateIpAddresses,
    IPV4_PATTERN,
    IPV4_WHAT,
  );
  const macAddress = c.string(
    `${p}.macAddress`,
    o.macAddress,
    false,
    MAC,
    'a lower-case MAC address aa:bb:cc:dd:ee:ff',
  );
  const sourceDestCheck = c.boolean(`${p}.sourceDestCheck`, o.sourceDestCheck);
  const description = typeof o.description === 'string' ? o.description : undefined;
  if (o.description !== undefined && description == null) c.fail(`${p}.description`, 'must be a string');
  const securityGroups = readSecurityGroups(c, `${p}.securityGroups`, o.securityGroups);
  const tags = c.tags(`${p}.tags`, o.tags);
  if (networkInterfaceId == null || privateIpAddress == null) return undefined;
  return {
    networkInterfaceId,
    ...(subnetId ? { subnetId } : {}),
    privateIpAddress,
    ...(secondary.length > 0 ? { secondaryPrivateIpAddresses: secondary } : {}),
    ...(macAddress ? { macAddress } : {}),
    ...(sourceDestCheck != null ? { sourceDestCheck } : {}),
    ...(description != null ? { description } : {}),
    ...(securityGroups ? { securityGroups } : {}),
    ...(tags ? { tags } : {}),
  };
}

function readDeny(c: Checker, p: string, v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  return c.strings(
    p,
    v,
    /^((ec2|autoscaling):)?[A-Za-z*]+$/,
    'an action like ReplaceRoute, ec2:ReplaceRoute or *',
  );
}

function readRole(c: Checker, p: string, v: unknown): IamRoleSpec | undefined {
  if (v === undefined) return undefined;
  const o = c.object(p, v, ['roleName', 'accessKeyId', 'secretAccessKey', 'sessionToken', 'deny']);
  if (o == null) return undefined;
  const roleName = c.string(`${p}.roleName`, o.roleName, true, /^[\w+=,.@-]{1,64}$/, 'an IAM role name');
  const accessKeyId = c.string(
    `${p}.accessKeyId`,
    o.accessKeyId,
    true,
    /^[A-Z0-9]{16,128}$/,
    'an access key id (A–Z, 0–9)',
  );
  const secretAccessKey = c.string(`${p}.secretAccessKey`, o.secretAccessKey, true);
  const sessionToken = c.string(`${p}.sessionToken`, o.sessionToken, true);
  const deny = readDeny(c, `${p}.deny`, o.deny);
  if (roleName == null || accessKeyId == null || secretAccessKey == null || sessionToken == null)
    return undefined;
  return { roleName, accessKeyId, secretAccessKey, sessionToken, ...(deny ? { deny } : {}) };
}

function readImds(c: Checker, p: string, v: unknown): ImdsSpec | undefined {
  if (v === undefined) return undefined;
  const o = c.object(p, v, ['httpTokens', 'httpEndpoint', 'instanceMetadataTags']);
  if (o == null) return undefined;
  const httpTokens = c.oneOf(`${p}.httpTokens`, o.httpTokens, ['optional', 'required'] as const);
  const httpEndpoint = c.oneOf(`${p}.httpEndpoint`, o.httpEndpoint, ['enabled', 'disabled'] as const);
  const instanceMetadataTags = c.boolean(`${p}.instanceMetadataTags`, o.instanceMetadataTags);
  return {
    ...(httpTokens ? { httpTokens } : {}),
    ...(httpEndpoint ? { httpEndpoint } : {}),
    ...(instanceMetadataTags != null ? { instanceMetadataTags } : {}),
  };
}

function readInstance(c: Checker, p: string, v: unknown): InstanceSpec | undefined {
  const o = c.object(p, v, [
    'instanceId',
    'subnetId',
    'state',
    'instanceType',
    'imageId',
    'launchTime',
    'instanceLifecycle',
    'networkInterfaces',
    'iamRole',
    'imds',
    'tags',
  ]);
  if (o == null) return undefined;
  const instanceId = c.string(`${p}.instanceId`, o.instanceId, true, ID('i'), 'an instance id (i-…)');
  const subnetId = c.string(`${p}.subnetId`, o.subnetId, true, ID('subnet'), 'a subnet id (subnet-…)');
  const state = c.oneOf(`${p}.state`, o.state, INSTANCE_STATES);
  const instanceType = c.string(
    `${p}.instanceType`,
    o.instanceType,
    false,
    /^[a-z0-9-]+\.[a-z0-9]+$/,
    'an instance type like t3.micro',
  );
  const imageId = c.string(`${p}.imageId`, o.imageId, false, ID('ami'), 'an AMI id (ami-…)');
  const launchTime = c.string(`${p}.launchTime`, o.launchTime, false, ISO_TIME, 'an ISO-8601 UTC time');
  const instanceLifecycle = c.oneOf(`${p}.instanceLifecycle`, o.instanceLifecycle, [
    'spot',
    'on-demand',
  ] as const);
  const enisRaw = c.array(`${p}.networkInterfaces`, o.networkInterfaces, true);
  if (Array.isArray(o.networkInterfaces) && enisRaw.length === 0) {
    c.fail(`${p}.networkInterfaces`, 'must list at least the primary network interface');
  }
  const networkInterfaces = enisRaw
    .map((e, i) => readEni(c, `${p}.networkInterfaces[${i}]`, e, false))
    .filter((e): e is NetworkInterfaceSpec => e != null);
  const iamRole = readRole(c, `${p}.iamRole`, o.iamRole);
  const imds = readImds(c, `${p}.imds`, o.imds);
  const tags = c.tags(`${p}.tags`, o.tags);
  if (instanceId == null || subnetId == null) return undefined;
  return {
    instanceId,
    subnetId,
    ...(state ? { state } : {}),
    ...(instanceType ? { instanceType } : {}),
    ...(imageId ? { imageId } : {}),
    ...(launchTime ? { launchTime } : {}),
    ...(instanceLifecycle ? { instanceLifecycle } : {}),
    networkInterfaces,
    ...(iamRole ? { iamRole } : {}),
    ...(imds ? { imds } : {}),
    ...(tags ? { tags } : {}),
  };
}

function readAddress(c: Checker, p: string, v: unknown): AddressSpec | undefined {
  const o = c.object(p, v, ['allocationId', 'publicIp', 'association', 'tags']);
  if (o == null) return undefined;
  const allocationId = c.string(
    `${p}.allocationId`,
    o.allocationId,
    true,
    ID('eipalloc'),
    'an allocation id (eipalloc-…)',
  );
  const publicIp = c.string(`${p}.publicIp`, o.publicIp, true, IPV4_PATTERN, IPV4_WHAT);
  let association: AddressSpec['association'];
  if (o.association !== undefined) {
    const a = c.object(`${p}.association`, o.association, ['networkInterfaceId', 'privateIpAddress']);
    if (a != null) {
      const networkInterfaceId = c.string(
        `${p}.association.networkInterfaceId`,
        a.networkInterfaceId,
        true,
        ID('eni'),
        'an ENI id (eni-…)',
      );
      const privateIpAddress = c.string(
        `${p}.association.privateIpAddress`,
        a.privateIpAddress,
        false,
        IPV4_PATTERN,
        IPV4_WHAT,
      );
      if (networkInterfaceId != null)
        association = { networkInterfaceId, ...(privateIpAddress ? { privateIpAddress } : {}) };
    }
  }
  const tags = c.tags(`${p}.tags`, o.tags);
  if (allocationId == null || publicIp == null) return undefined;
  return { allocationId, publicIp, ...(association ? { association } : {}), ...(tags ? { tags } : {}) };
}

function readNatGateway(c: Checker, p: string, v: unknown): NatGatewaySpec | undefined {
  const o = c.object(p, v, ['natGatewayId', 'subnetId', 'allocationId', 'privateIpAddress', 'state', 'tags']);
  if (o == null) return undefined;
  const natGatewayId = c.string(
    `${p}.natGatewayId`,
    o.natGatewayId,
    true,
    ID('nat'),
    'a NAT gateway id (nat-…)',
  );
  const subnetId = c.string(`${p}.subnetId`, o.subnetId, true, ID('subnet'), 'a subnet id (subnet-…)');
  const allocationId = c.string(
    `${p}.allocationId`,
    o.allocationId,
    false,
    ID('eipalloc'),
    'an allocation id (eipalloc-…)',
  );
  const privateIpAddress = c.string(
    `${p}.privateIpAddress`,
    o.privateIpAddress,
    true,
    IPV4_PATTERN,
    IPV4_WHAT,
  );
  const state = c.oneOf(`${p}.state`, o.state, NAT_GATEWAY_STATES);
  const tags = c.tags(`${p}.tags`, o.tags);
  if (natGatewayId == null || subnetId == null || privateIpAddress == null) return undefined;
  return {
    natGatewayId,
    subnetId,
    ...(allocationId ? { allocationId } : {}),
    privateIpAddress,
    ...(state ? { state } : {}),
    ...(tags ? { tags } : {}),
  };
}

function readHook(c: Checker, p: string, v: unknown): LifecycleHookSpec | undefined {
  const o = c.object(p, v, ['lifecycleHookName', 'lifecycleTransition', 'heartbeatTimeout', 'defaultResult']);
  if (o == null) return undefined;
  const lifecycleHookName = c.string(
    `${p}.lifecycleHookName`,
    o.lifecycleHookName,
    true,
    /^[A-Za-z0-9\-_/]{1,255}$/,
    'a hook name',
  );
  const lifecycleTransition = c.oneOf(`${p}.lifecycleTransition`, o.lifecycleTransition, [
    'autoscaling:EC2_INSTANCE_TERMINATING',
    'autoscaling:EC2_INSTANCE_LAUNCHING',
  ] as const);
  if (o.lifecycleTransition === undefined) c.fail(`${p}.lifecycleTransition`, 'is required');
  const heartbeatTimeout = c.integer(`${p}.heartbeatTimeout`, o.heartbeatTimeout, 30, 7200);
  const defaultResult = c.oneOf(`${p}.defaultResult`, o.defaultResult, ['CONTINUE', 'ABANDON'] as const);
  if (lifecycleHookName == null || lifecycleTransition == null) return undefined;
  return {
    lifecycleHookName,
    lifecycleTransition,
    ...(heartbeatTimeout != null ? { heartbeatTimeout } : {}),
    ...(defaultResult ? { defaultResult } : {}),
  };
}

function readAsg(c: Checker, p: string, v: unknown): AutoScalingGroupSpec | undefined {
  const o = c.object(p, v, [
    'autoScalingGroupName',
    'instanceIds',
    'subnetIds',
    'minSize',
    'maxSize',
    'desiredCapacity',
    'lifecycleHooks',
    'tags',
  ]);
  if (o == null) return undefined;
  const autoScalingGroupName = c.string(
    `${p}.autoScalingGroupName`,
    o.autoScalingGroupName,
    true,
    /^[^:]{1,255}$/,
    'a group name without ":"',
  );
  const instanceIds = c.strings(`${p}.instanceIds`, o.instanceIds, ID('i'), 'an instance id (i-…)');
  const subnetIds = c.strings(`${p}.subnetIds`, o.subnetIds, ID('subnet'), 'a subnet id (subnet-…)');
  const minSize = c.integer(`${p}.minSize`, o.minSize, 0, 10_000);
  const maxSize = c.integer(`${p}.maxSize`, o.maxSize, 0, 10_000);
  const desiredCapacity = c.integer(`${p}.desiredCapacity`, o.desiredCapacity, 0, 10_000);
  const hooks = c
    .array(`${p}.lifecycleHooks`, o.lifecycleHooks, false)
    .map((h, i) => readHook(c, `${p}.lifecycleHooks[${i}]`, h))
    .filter((h): h is LifecycleHookSpec => h != null);
  const tags = c.tags(`${p}.tags`, o.tags);
  if (autoScalingGroupName == null) return undefined;
  return {
    autoScalingGroupName,
    instanceIds,
    subnetIds,
    ...(minSize != null ? { minSize } : {}),
    ...(maxSize != null ? { maxSize } : {}),
    ...(desiredCapacity != null ? { desiredCapacity } : {}),
    ...(o.lifecycleHooks !== undefined ? { lifecycleHooks: hooks } : {}),
    ...(tags ? { tags } : {}),
  };
}

function readPrincipal(c: Checker, p: string, v: unknown): PrincipalSpec | undefined {
  const o = c.object(p, v, ['name', 'accessKeyId', 'secretAccessKey', 'deny']);
  if (o == null) return undefined;
  const name = c.string(`${p}.name`, o.name, true);
  const accessKeyId = c.string(
    `${p}.accessKeyId`,
    o.accessKeyId,
    true,
    /^[A-Z0-9]{16,128}$/,
    'an access key id (A–Z, 0–9)',
  );
  const secretAccessKey = c.string(`${p}.secretAccessKey`, o.secretAccessKey, true);
  const deny = readDeny(c, `${p}.deny`, o.deny);
  if (name == null || accessKeyId == null || secretAccessKey == null) return undefined;
  return { name, accessKeyId, secretAccessKey, ...(deny ? { deny } : {}) };
}

function readAll<T>(
  c: Checker,
  path: string,
  value: unknown,
  required: boolean,
  read: (c: Checker, p: string, v: unknown) => T | undefined,
): T[] {
  return c
    .array(path, value, required)
    .map((v, i) => read(c, `${path}[${i}]`, v))
    .filter((v): v is T => v != null);
}

/** Cross-reference checks: ids unique, references resolve, addresses inside their CIDRs. */
function checkReferences(c: Checker, w: WorldSpec): void {
  const seen = new Map<string, string>();
  const unique = (id: string, path: string): void => {
    const first = seen.get(id);
    if (first != null) c.fail(path, `duplicate id '${id}' (first defined at ${first})`);
    else seen.set(id, path);
  };
  const vpcs = new Map(w.vpcs.map((v) => [v.vpcId, v]));
  const subnets = new Map(w.subnets.map((s) => [s.subnetId, s]));
  const igws = new Map((w.internetGateways ?? []).map((g) => [g.internetGatewayId, g]));
  const natGws = new Map((w.natGateways ?? []).map((g) => [g.natGatewayId, g]));
  const instances = new Map(w.instances.map((i) => [i.instanceId, i]));
  const enis = new Map<
    string,
    { vpcId: string | undefined; subnet: SubnetSpec | undefined; eni: NetworkInterfaceSpec }
  >();

  w.vpcs.forEach((v, i) => unique(v.vpcId, `$.vpcs[${i}]`));
  (w.internetGateways ?? []).forEach((g, i) => {
    unique(g.internetGatewayId, `$.internetGateways[${i}]`);
    if (g.vpcId != null && !vpcs.has(g.vpcId))
      c.fail(`$.internetGateways[${i}].vpcId`, `unknown VPC '${g.vpcId}'`);
  });
  w.subnets.forEach((s, i) => {
    unique(s.subnetId, `$.subnets[${i}]`);
    const vpc = vpcs.get(s.vpcId);
    if (vpc == null) c.fail(`$.subnets[${i}].vpcId`, `unknown VPC '${s.vpcId}'`);
    else if (!ipv4CidrWithin(s.cidrBlock, vpc.cidrBlock)) {
      c.fail(`$.subnets[${i}].cidrBlock`, `${s.cidrBlock} is not inside VPC ${vpc.vpcId} (${vpc.cidrBlock})`);
    }
    if (!s.availabilityZone.startsWith(w.region)) {
      c.fail(`$.subnets[${i}].availabilityZone`, `'${s.availabilityZone}' is not in region ${w.region}`);
    }
  });

  const macs = new Map<string, string>();
  const checkEni = (e: NetworkInterfaceSpec, path: string, subnetId: string | undefined): void => {
    unique(e.networkInterfaceId, path);
    const subnet = subnetId == null ? undefined : subnets.get(subnetId);
    if (subnetId != null && subnet == null) c.fail(`${path}.subnetId`, `unknown subnet '${subnetId}'`);
    if (subnet != null) {
      for (const ip of [e.privateIpAddress, ...(e.secondaryPrivateIpAddresses ?? [])]) {
        if (!ipv4InCidr(ip, subnet.cidrBlock)) {
          c.fail(
            `${path}.privateIpAddress`,
            `${ip} is not inside subnet ${subnet.subnetId} (${subnet.cidrBlock})`,
          );
        }
      }
    }
    if (e.macAddress != null) {
      const first = macs.get(e.macAddress);
      if (first != null) c.fail(`${path}.macAddress`, `duplicate MAC ${e.macAddress} (also at ${first})`);
      else macs.set(e.macAddress, path);
    }
    enis.set(e.networkInterfaceId, { vpcId: subnet?.vpcId, subnet, eni: e });
  };
  const accessKeys = new Map<string, string>();
  const checkKey = (key: string, path: string): void => {
    const first = accessKeys.get(key);
    if (first != null) c.fail(path, `access key '${key}' is already used at ${first}`);
    else accessKeys.set(key, path);
  };
  w.instances.forEach((inst, i) => {
    const p = `$.instances[${i}]`;
    unique(inst.instanceId, p);
    if (!subnets.has(inst.subnetId)) c.fail(`${p}.subnetId`, `unknown subnet '${inst.subnetId}'`);
    inst.networkInterfaces.forEach((e, k) =>
      checkEni(e, `${p}.networkInterfaces[${k}]`, e.subnetId ?? inst.subnetId),
    );
    const primary = inst.networkInterfaces[0];
    if (primary?.subnetId != null && primary.subnetId !== inst.subnetId) {
      c.fail(
        `${p}.networkInterfaces[0].subnetId`,
        `the primary ENI must be in the instance's subnet ${inst.subnetId}`,
      );
    }
    if (inst.iamRole != null) checkKey(inst.iamRole.accessKeyId, `${p}.iamRole.accessKeyId`);
  });
  (w.networkInterfaces ?? []).forEach((e, i) => checkEni(e, `$.networkInterfaces[${i}]`, e.subnetId));
  (w.principals ?? []).forEach((pr, i) => checkKey(pr.accessKeyId, `$.principals[${i}].accessKeyId`));

  const mainPerVpc = new Map<string, string>();
  const associated = new Map<string, string>();
  w.routeTables.forEach((t, i) => {
    const p = `$.routeTables[${i}]`;
    unique(t.routeTableId, p);
    const vpc = vpcs.get(t.vpcId);
    if (vpc == null) c.fail(`${p}.vpcId`, `unknown VPC '${t.vpcId}'`);
    if (t.main === true) {
      const first = mainPerVpc.get(t.vpcId);
      if (first != null) c.fail(`${p}.main`, `VPC ${t.vpcId} already has a main route table (${first})`);
      else mainPerVpc.set(t.vpcId, p);
    }
    (t.subnetIds ?? []).forEach((s, k) => {
      const subnet = subnets.get(s);
      if (subnet == null) c.fail(`${p}.subnetIds[${k}]`, `unknown subnet '${s}'`);
      else if (subnet.vpcId !== t.vpcId)
        c.fail(`${p}.subnetIds[${k}]`, `subnet ${s} is in another VPC (${subnet.vpcId})`);
      const first = associated.get(s);
      if (first != null) c.fail(`${p}.subnetIds[${k}]`, `subnet ${s} is already associated with ${first}`);
      else associated.set(s, t.routeTableId);
    });
    const destinations = new Set<string>();
    (t.routes ?? []).forEach((r, k) => {
      const rp = `${p}.routes[${k}]`;
      const dest = r.destinationCidrBlock ?? r.destinationIpv6CidrBlock ?? '';
      if (destinations.has(dest)) c.fail(rp, `duplicate destination ${dest}`);
      destinations.add(dest);
      if (vpc != null && r.destinationCidrBlock === vpc.cidrBlock) {
        c.fail(`${rp}.destinationCidrBlock`, `${dest} is the VPC CIDR: the local route is implicit`);
      }
      let targetVpc: string | undefined;
      if (r.gatewayId != null) {
        const g = igws.get(r.gatewayId);
        if (g == null) c.fail(`${rp}.gatewayId`, `unknown gateway '${r.gatewayId}'`);
        else targetVpc = g.vpcId;
      } else if (r.instanceId != null) {
        const inst = instances.get(r.instanceId);
        if (inst == null) c.fail(`${rp}.instanceId`, `unknown instance '${r.instanceId}'`);
        else {
          targetVpc = subnets.get(inst.subnetId)?.vpcId;
          if (inst.networkInterfaces.length > 1) {
            c.fail(
              `${rp}.instanceId`,
              `instance ${r.instanceId} has several ENIs: target its ENI instead (rule 26)`,
            );
          }
        }
      } else if (r.networkInterfaceId != null) {
        const e = enis.get(r.networkInterfaceId);
        if (e == null)
          c.fail(`${rp}.networkInterfaceId`, `unknown network interface '${r.networkInterfaceId}'`);
        else targetVpc = e.vpcId;
      } else if (r.natGatewayId != null) {
        const g = natGws.get(r.natGatewayId);
        if (g == null) c.fail(`${rp}.natGatewayId`, `unknown NAT gateway '${r.natGatewayId}'`);
        else targetVpc = subnets.get(g.subnetId)?.vpcId;
      }
      if (targetVpc != null && targetVpc !== t.vpcId)
        c.fail(rp, `target is in VPC ${targetVpc}, the table in ${t.vpcId}`);
    });
  });
  for (const vpc of w.vpcs) {
    if (!mainPerVpc.has(vpc.vpcId))
      c.fail('$.routeTables', `VPC ${vpc.vpcId} has no main route table (main: true)`);
  }

  const publicIps = new Map<string, string>();
  const boundEnis = new Map<string, string>();
  (w.addresses ?? []).forEach((a, i) => {
    const p = `$.addresses[${i}]`;
    unique(a.allocationId, p);
    const first = publicIps.get(a.publicIp);
    if (first != null) c.fail(`${p}.publicIp`, `duplicate public IP ${a.publicIp} (also at ${first})`);
    else publicIps.set(a.publicIp, p);
    if (a.association != null) {
      const e = enis.get(a.association.networkInterfaceId);
      if (e == null)
        c.fail(
          `${p}.association.networkInterfaceId`,
          `unknown network interface '${a.association.networkInterfaceId}'`,
        );
      else {
        const ip = a.association.privateIpAddress ?? e.eni.privateIpAddress;
        const owned = [e.eni.privateIpAddress, ...(e.eni.secondaryPrivateIpAddresses ?? [])];
        if (!owned.includes(ip))
          c.fail(
            `${p}.association.privateIpAddress`,
            `${ip} is not an address of ${e.eni.networkInterfaceId}`,
          );
        const key = `${e.eni.networkInterfaceId}/${ip}`;
        const prev = boundEnis.get(key);
        if (prev != null) c.fail(`${p}.association`, `${key} already has an Elastic IP (${prev})`);
        else boundEnis.set(key, p);
      }
    }
  });
  const allocations = new Set((w.addresses ?? []).map((a) => a.allocationId));
  (w.natGateways ?? []).forEach((g, i) => {
    const p = `$.natGateways[${i}]`;
    unique(g.natGatewayId, p);
    const subnet = subnets.get(g.subnetId);
    if (subnet == null) c.fail(`${p}.subnetId`, `unknown subnet '${g.subnetId}'`);
    else if (!ipv4InCidr(g.privateIpAddress, subnet.cidrBlock)) {
      c.fail(
        `${p}.privateIpAddress`,
        `${g.privateIpAddress} is not inside subnet ${subnet.subnetId} (${subnet.cidrBlock})`,
      );
    }
    if (g.allocationId != null && !allocations.has(g.allocationId))
      c.fail(`${p}.allocationId`, `unknown allocation '${g.allocationId}'`);
  });

  const asgMember = new Map<string, string>();
  const asgNames = new Set<string>();
  (w.autoScalingGroups ?? []).forEach((g, i) => {
    const p = `$.autoScalingGroups[${i}]`;
    if (asgNames.has(g.autoScalingGroupName))
      c.fail(`${p}.autoScalingGroupName`, `duplicate group name '${g.autoScalingGroupName}'`);
    asgNames.add(g.autoScalingGroupName);
    g.instanceIds.forEach((id, k) => {
      if (!instances.has(id)) c.fail(`${p}.instanceIds[${k}]`, `unknown instance '${id}'`);
      const first = asgMember.get(id);
      if (first != null) c.fail(`${p}.instanceIds[${k}]`, `instance ${id} is already in group ${first}`);
      else asgMember.set(id, g.autoScalingGroupName);
    });
    g.subnetIds.forEach((s, k) => {
      if (!subnets.has(s)) c.fail(`${p}.subnetIds[${k}]`, `unknown subnet '${s}'`);
    });
    const min = g.minSize ?? 0;
    const max = g.maxSize ?? Math.max(min, g.instanceIds.length);
    if (min > max) c.fail(`${p}.minSize`, `minSize ${min} exceeds maxSize ${max}`);
    const hookNames = new Set<string>();
    (g.lifecycleHooks ?? []).forEach((h, k) => {
      if (hookNames.has(h.lifecycleHookName))
        c.fail(`${p}.lifecycleHooks[${k}]`, `duplicate hook '${h.lifecycleHookName}'`);
      hookNames.add(h.lifecycleHookName);
    });
  });
}

/** Validates `json` as a world; never throws. */
export function validateWorld(json: unknown): WorldValidation {
  const c = new Checker();
  const o = c.object('$', json, [
    'region',
    'accountId',
    'vpcs',
    'internetGateways',
    'subnets',
    'routeTables',
    'instances',
    'networkInterfaces',
    'addresses',
    'natGateways',
    'autoScalingGroups',
    'principals',
  ]);
  if (o == null) return { problems: c.problems };
  const region = c.string(
    '$.region',
    o.region,
    true,
    /^[a-z]{2}(-[a-z]+)+-\d+$/,
    'a region name like us-east-1',
  );
  const accountId = c.string('$.accountId', o.accountId, true, /^\d{12}$/, 'a 12-digit account id');
  const world: WorldSpec = {
    region: region ?? '',
    accountId: accountId ?? '',
    vpcs: readAll(c, '$.vpcs', o.vpcs, true, readVpc),
    internetGateways: readAll(c, '$.internetGateways', o.internetGateways, false, readIgw),
    subnets: readAll(c, '$.subnets', o.subnets, true, readSubnet),
    routeTables: readAll(c, '$.routeTables', o.routeTables, true, readRouteTable),
    instances: readAll(c, '$.instances', o.instances, true, readInstance),
    networkInterfaces: readAll(c, '$.networkInterfaces', o.networkInterfaces, false, (ch, p, v) =>
      readEni(ch, p, v, true),
    ),
    addresses: readAll(c, '$.addresses', o.addresses, false, readAddress),
    natGateways: readAll(c, '$.natGateways', o.natGateways, false, readNatGateway),
    autoScalingGroups: readAll(c, '$.autoScalingGroups', o.autoScalingGroups, false, readAsg),
    principals: readAll(c, '$.principals', o.principals, false, readPrincipal),
  };
  if (Array.isArray(o.vpcs) && o.vpcs.length === 0) c.fail('$.vpcs', 'must contain at least one VPC');
  // Reference checks on a partially valid world would mostly repeat the field errors.
  if (c.problems.length === 0) checkReferences(c, world);
  return c.problems.length === 0 ? { world, problems: [] } : { problems: c.problems };
}

/**
 * Validates and copies a world. Throws TestkitError INVALID_OPTION whose message lists every
 * problem, one per line, each with its JSON path.
 */
export function parseWorld(json: unknown): WorldSpec {
  const { world, problems } = validateWorld(json);
  if (world == null) {
    const lines = problems.map((p) => `  ${p.path}: ${p.message}`).join('\n');
    throw new TestkitError('INVALID_OPTION', `invalid world: ${problems.length} problem(s)\n${lines}`);
  }
  return world;
}

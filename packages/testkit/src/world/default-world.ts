/**
 * The lab's world, and a generator for bigger ones (more NAT candidates, 100 route tables).
 *
 * Layout (defaults): us-east-1, one VPC 10.0.0.0/16 with an Internet gateway; per AZ a public
 * subnet 10.0.<az>.0/24 and a private subnet 10.0.<10+i>.0/24; a main route table (local only), a
 * public table (0.0.0.0/0 → IGW) for the public subnets, one private table per private subnet
 * (0.0.0.0/0 → the primary ENI of its AZ's first NAT instance), tagged for nat-ha; one NAT
 * instance per AZ in the public subnet, each in its own Auto Scaling group with a terminating
 * lifecycle hook; one Elastic IP associated with the first NAT instance.
 *
 * Addresses come from documentation ranges (198.51.100.0/24 for public IPs): nothing here can
 * name a real host.
 */
import { TestkitError } from '../errors';
import { awsId, availabilityZoneIdFor, macFor, opaqueFor } from './ids';
import type {
  AddressSpec,
  AutoScalingGroupSpec,
  InstanceSpec,
  NatGatewaySpec,
  RouteTableSpec,
  SubnetSpec,
  WorldSpec,
} from './world-spec';

/** Tag keys the default world puts on the resources nat-ha manages. */
export const WORLD_TAGS = {
  /** On NAT instances: the nat-ha cluster they belong to (value `lab`); peers discover each other by it. */
  cluster: 'nat-ha:cluster',
  /** On private route tables: `true` when nat-ha owns the table's default route. */
  managed: 'nat-ha:managed',
  /** On private route tables: the AZ whose private subnet the table serves. */
  az: 'nat-ha:az',
} as const;

export interface DefaultWorldOptions {
  /** Default `us-east-1`. */
  region?: string;
  /** Default `123456789012`. */
  accountId?: string;
  /** Number of AZs (letters a, b, c, …), 1–6. Default 3. */
  availabilityZones?: number;
  /** NAT instances, spread round-robin over the AZs (one per AZ first). 1–64. Default = AZ count. */
  natInstances?: number;
  /**
   * Private subnets, each with its own tagged route table, spread round-robin over the AZs. 1–200.
   * Default = AZ count. Use 100 for the route-switcher's many-tables scenarios.
   */
  privateRouteTables?: number;
  /** Add one NAT gateway per AZ (public subnet, own EIP), unreferenced by routes. Default false. */
  natGateways?: boolean;
  /** Put each AZ's NAT instances in an Auto Scaling group with a terminating hook. Default true. */
  autoScaling?: boolean;
  /** Value of the `nat-ha:cluster` tag on NAT instances. Default `lab`. */
  cluster?: string;
  /** IMDS `HttpTokens` of every instance. Default `required`. */
  httpTokens?: 'optional' | 'required';
}

const DEFAULTS = {
  region: 'us-east-1',
  accountId: '123456789012',
  availabilityZones: 3,
  natGateways: false,
  autoScaling: true,
  cluster: 'lab',
  httpTokens: 'required',
} as const;

function intOption(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new TestkitError(
      'INVALID_OPTION',
      `defaultWorld: option '${name}' must be an integer from ${min} to ${max}, got ${String(value)}`,
    );
  }
  return v;
}

/** `ASIA` + 16 characters, unique per n: a session-style access key id. */
function sessionAccessKeyId(n: number): string {
  return `ASIANATHA${n.toString(16).toUpperCase().padStart(11, '0')}`;
}

/** Builds the default world (plain JSON). Every call returns a fresh object. */
export function defaultWorld(options: DefaultWorldOptions = {}): WorldSpec {
  const region = options.region ?? DEFAULTS.region;
  const accountId = options.accountId ?? DEFAULTS.accountId;
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new TestkitError(
      'INVALID_OPTION',
      `defaultWorld: option 'region' is not a region name: '${region}'`,
    );
  }
  if (!/^\d{12}$/.test(accountId)) {
    throw new TestkitError('INVALID_OPTION', `defaultWorld: option 'accountId' must be 12 digits`);
  }
  const azCount = intOption('availabilityZones', options.availabilityZones, DEFAULTS.availabilityZones, 1, 6);
  const natCount = intOption('natInstances', options.natInstances, azCount, 1, 64);
  const privateCount = intOption('privateRouteTables', options.privateRouteTables, azCount, 1, 200);
  const cluster = options.cluster ?? DEFAULTS.cluster;
  const httpTokens = options.httpTokens ?? DEFAULTS.httpTokens;
  const autoScaling = options.autoScaling ?? DEFAULTS.autoScaling;

  const azs = Array.from({ length: azCount }, (_, i) => `${region}${String.fromCharCode(97 + i)}`);
  const vpcId = awsId('vpc', 1);
  const igwId = awsId('igw', 1);

  const publicSubnets: SubnetSpec[] = azs.map((az, i) => ({
    subnetId: awsId('subnet', 0x100 + i),
    vpcId,
    cidrBlock: `10.0.${i}.0/24`,
    availabilityZone: az,
    availabilityZoneId: availabilityZoneIdFor(az),
    mapPublicIpOnLaunch: true,
    tags: { Name: `public-${az}`, tier: 'public' },
  }));

  // NAT instances: the k-th instance goes to AZ k mod azCount; names nat-a, nat-b, …, nat-a2, …
  const instances: InstanceSpec[] = [];
  for (let n = 0; n < natCount; n++) {
    const azIndex = n % azCount;
    const round = Math.floor(n / azCount);
    const az = azs[azIndex] as string;
    const name = `nat-${String.fromCharCode(97 + azIndex)}${round === 0 ? '' : String(round + 1)}`;
    const instanceId = awsId('i', 0x100 + n);
    const eniId = awsId('eni', 0x100 + n);
    const tags: Record<string, string> = { Name: name, [WORLD_TAGS.cluster]: cluster };
    if (autoScaling) tags['aws:autoscaling:groupName'] = `nat-ha-${az}`;
    instances.push({
      instanceId,
      subnetId: (publicSubnets[azIndex] as SubnetSpec).subnetId,
      state: 'running',
      instanceType: 't3.micro',
      imageId: 'ami-0abcdef1234567890',
      launchTime: '2024-01-01T00:00:00.000Z',
      instanceLifecycle: 'on-demand',
      networkInterfaces: [
        {
          networkInterfaceId: eniId,
          privateIpAddress: `10.0.${azIndex}.${10 + round}`,
          macAddress: macFor(eniId),
          sourceDestCheck: true,
          description: 'Primary network interface',
          securityGroups: [{ groupId: awsId('sg', 1), groupName: 'nat-ha' }],
        },
      ],
      iamRole: {
        roleName: 'nat-ha-instance',
        accessKeyId: sessionAccessKeyId(0x100 + n),
        secretAccessKey: opaqueFor(`${instanceId}/secret`, 40),
        sessionToken: opaqueFor(`${instanceId}/token`, 160),
      },
      imds: { httpTokens, httpEndpoint: 'enabled', instanceMetadataTags: true },
      tags,
    });
  }

  const firstNatEniInAz = (azIndex: number): string => {
    const inAz = instances.find((_, n) => n % azCount === azIndex) ?? instances[0];
    return (inAz as InstanceSpec).networkInterfaces[0]?.networkInterfaceId as string;
  };

  const privateSubnets: SubnetSpec[] = [];
  const privateTables: RouteTableSpec[] = [];
  const wide = privateCount > azCount;
  for (let i = 0; i < privateCount; i++) {
    const azIndex = i % azCount;
    const az = azs[azIndex] as string;
    const label = wide ? `private-${String(i + 1).padStart(3, '0')}` : `private-${az}`;
    const subnetId = awsId('subnet', 0x200 + i);
    privateSubnets.push({
      subnetId,
      vpcId,
      cidrBlock: `10.0.${10 + i}.0/24`,
      availabilityZone: az,
      availabilityZoneId: availabilityZoneIdFor(az),
      mapPublicIpOnLaunch: false,
      tags: { Name: label, tier: 'private' },
    });
    privateTables.push({
      routeTableId: awsId('rtb', 0x100 + i),
      vpcId,
      subnetIds: [subnetId],
      routes: [{ destinationCidrBlock: '0.0.0.0/0', networkInterfaceId: firstNatEniInAz(azIndex) }],
      tags: { Name: label, [WORLD_TAGS.managed]: 'true', [WORLD_TAGS.az]: az },
    });
  }

  const addresses: AddressSpec[] = [
    {
      allocationId: awsId('eipalloc', 1),
      publicIp: '198.51.100.10',
      association: { networkInterfaceId: firstNatEniInAz(0) },
      tags: { Name: 'nat-ha-egress' },
    },
  ];

  const natGateways: NatGatewaySpec[] = [];
  if (options.natGateways ?? DEFAULTS.natGateways) {
    azs.forEach((az, i) => {
      const allocationId = awsId('eipalloc', 0x10 + i);
      addresses.push({ allocationId, publicIp: `198.51.100.${20 + i}`, tags: { Name: `natgw-${az}` } });
      natGateways.push({
        natGatewayId: awsId('nat', 0x100 + i),
        subnetId: (publicSubnets[i] as SubnetSpec).subnetId,
        allocationId,
        privateIpAddress: `10.0.${i}.5`,
        state: 'available',
        tags: { Name: `natgw-${az}` },
      });
    });
  }

  const autoScalingGroups: AutoScalingGroupSpec[] = autoScaling
    ? azs.map((az, azIndex) => {
        const members = instances.filter((_, n) => n % azCount === azIndex).map((i) => i.instanceId);
        return {
          autoScalingGroupName: `nat-ha-${az}`,
          instanceIds: members,
          subnetIds: [(publicSubnets[azIndex] as SubnetSpec).subnetId],
          minSize: members.length,
          maxSize: members.length,
          desiredCapacity: members.length,
          lifecycleHooks: [
            {
              lifecycleHookName: 'nat-ha-drain',
              lifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
              heartbeatTimeout: 300,
              defaultResult: 'CONTINUE',
            },
          ],
          tags: { Name: `nat-ha-${az}`, [WORLD_TAGS.cluster]: cluster },
        };
      })
    : [];

  return {
    region,
    accountId,
    vpcs: [{ vpcId, cidrBlock: '10.0.0.0/16', tags: { Name: 'nat-ha-lab' } }],
    internetGateways: [{ internetGatewayId: igwId, vpcId, tags: { Name: 'nat-ha-lab' } }],
    subnets: [...publicSubnets, ...privateSubnets],
    routeTables: [
      { routeTableId: awsId('rtb', 1), vpcId, main: true, routes: [], tags: { Name: 'main' } },
      {
        routeTableId: awsId('rtb', 2),
        vpcId,
        subnetIds: publicSubnets.map((s) => s.subnetId),
        routes: [{ destinationCidrBlock: '0.0.0.0/0', gatewayId: igwId }],
        tags: { Name: 'public' },
      },
      ...privateTables,
    ],
    instances,
    networkInterfaces: [],
    addresses,
    natGateways,
    autoScalingGroups,
    principals: [
      {
        name: 'operator',
        accessKeyId: 'AKIAOPERATOR00000001',
        secretAccessKey: opaqueFor('operator/secret', 40),
      },
    ],
  };
}

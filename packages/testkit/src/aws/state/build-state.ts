/**
 * WorldSpec → emulator records, filling the defaults the spec documents, and the reverse
 * (records → WorldSpec) so a test can save the current world as JSON.
 */
import { awsId, availabilityZoneIdFor, macFor } from '../../world/ids';
import type { NetworkInterfaceSpec, RouteSpec, WorldSpec } from '../../world/world-spec';
import type {
  AddressRec,
  AsgRec,
  Ec2Data,
  InstanceRec,
  NetworkInterfaceRec,
  RouteRec,
  RouteTableRec,
  RouteTarget,
} from './records';

const DEFAULT_LAUNCH_TIME = '2024-01-01T00:00:00.000Z';

export interface BuiltState {
  data: Ec2Data;
  groups: Map<string, AsgRec>;
}

function routeFromSpec(spec: RouteSpec, data: Ec2Data): RouteRec {
  let target: RouteTarget;
  if (spec.gatewayId != null) target = { kind: 'gateway', gatewayId: spec.gatewayId };
  else if (spec.instanceId != null) {
    const primary = [...data.networkInterfaces.values()].find(
      (e) => e.attachment?.instanceId === spec.instanceId && e.attachment?.deviceIndex === 0,
    );
    target = {
      kind: 'instance',
      instanceId: spec.instanceId,
      networkInterfaceId: primary?.networkInterfaceId ?? '',
    };
  } else if (spec.networkInterfaceId != null) {
    target = { kind: 'network-interface', networkInterfaceId: spec.networkInterfaceId };
  } else target = { kind: 'nat-gateway', natGatewayId: spec.natGatewayId as string };
  return {
    ...(spec.destinationCidrBlock != null ? { destinationCidrBlock: spec.destinationCidrBlock } : {}),
    ...(spec.destinationIpv6CidrBlock != null
      ? { destinationIpv6CidrBlock: spec.destinationIpv6CidrBlock }
      : {}),
    target,
    origin: 'CreateRoute',
  };
}

/** Builds records from an already validated world (see `parseWorld`). */
export function buildState(world: WorldSpec): BuiltState {
  const data: Ec2Data = {
    region: world.region,
    accountId: world.accountId,
    vpcs: new Map(),
    internetGateways: new Map(),
    subnets: new Map(),
    routeTables: new Map(),
    instances: new Map(),
    networkInterfaces: new Map(),
    addresses: new Map(),
    natGateways: new Map(),
  };
  world.vpcs.forEach((v, i) => {
    data.vpcs.set(v.vpcId, {
      vpcId: v.vpcId,
      cidrBlock: v.cidrBlock,
      cidrAssociationId: awsId('vpc-cidr-assoc', i + 1),
      tags: { ...v.tags },
    });
  });
  for (const g of world.internetGateways ?? []) {
    data.internetGateways.set(g.internetGatewayId, {
      internetGatewayId: g.internetGatewayId,
      vpcId: g.vpcId,
      tags: { ...g.tags },
    });
  }
  for (const s of world.subnets) {
    data.subnets.set(s.subnetId, {
      subnetId: s.subnetId,
      vpcId: s.vpcId,
      cidrBlock: s.cidrBlock,
      availabilityZone: s.availabilityZone,
      availabilityZoneId: s.availabilityZoneId ?? availabilityZoneIdFor(s.availabilityZone),
      mapPublicIpOnLaunch: s.mapPublicIpOnLaunch ?? false,
      tags: { ...s.tags },
    });
  }

  let attachmentCounter = 0;
  const addEni = (
    spec: NetworkInterfaceSpec,
    subnetId: string,
    attachment: NetworkInterfaceRec['attachment'],
  ): void => {
    const subnet = data.subnets.get(subnetId);
    data.networkInterfaces.set(spec.networkInterfaceId, {
      networkInterfaceId: spec.networkInterfaceId,
      subnetId,
      vpcId: subnet?.vpcId ?? '',
      availabilityZone: subnet?.availabilityZone ?? '',
      privateIpAddress: spec.privateIpAddress,
      secondaryPrivateIpAddresses: [...(spec.secondaryPrivateIpAddresses ?? [])],
      macAddress: spec.macAddress ?? macFor(spec.networkInterfaceId),
      sourceDestCheck: spec.sourceDestCheck ?? true,
      description: spec.description ?? (attachment?.deviceIndex === 0 ? 'Primary network interface' : ''),
      securityGroups: (spec.securityGroups ?? []).map((g) => ({ ...g })),
      attachment,
      tags: { ...spec.tags },
    });
  };

  world.instances.forEach((inst, n) => {
    const subnet = data.subnets.get(inst.subnetId);
    const launchTime = inst.launchTime ?? DEFAULT_LAUNCH_TIME;
    const rec: InstanceRec = {
      instanceId: inst.instanceId,
      reservationId: awsId('r', 0x100 + n),
      subnetId: inst.subnetId,
      vpcId: subnet?.vpcId ?? '',
      availabilityZone: subnet?.availabilityZone ?? '',
      state: inst.state ?? 'running',
      stateTransitionReason: '',
      instanceType: inst.instanceType ?? 't3.micro',
      imageId: inst.imageId ?? 'ami-0abcdef1234567890',
      launchTime,
      instanceLifecycle: inst.instanceLifecycle ?? 'on-demand',
      role:
        inst.iamRole == null
          ? undefined
          : { ...inst.iamRole, ...(inst.iamRole.deny ? { deny: [...inst.iamRole.deny] } : {}) },
      imds: {
        httpTokens: inst.imds?.httpTokens ?? 'required',
        httpEndpoint: inst.imds?.httpEndpoint ?? 'enabled',
        instanceMetadataTags: inst.imds?.instanceMetadataTags ?? true,
      },
      tags: { ...inst.tags },
    };
    data.instances.set(inst.instanceId, rec);
    inst.networkInterfaces.forEach((e, deviceIndex) => {
      attachmentCounter++;
      addEni(e, e.subnetId ?? inst.subnetId, {
        attachmentId: awsId('eni-attach', attachmentCounter),
        instanceId: inst.instanceId,
        deviceIndex,
        attachTime: launchTime,
        deleteOnTermination: deviceIndex === 0,
      });
    });
  });
  for (const e of world.networkInterfaces ?? []) addEni(e, e.subnetId as string, undefined);

  let associationCounter = 0;
  for (const a of world.addresses ?? []) {
    let association: AddressRec['association'];
    if (a.association != null) {
      const eni = data.networkInterfaces.get(a.association.networkInterfaceId);
      associationCounter++;
      association = {
        associationId: awsId('eipassoc', associationCounter),
        networkInterfaceId: a.association.networkInterfaceId,
        privateIpAddress: a.association.privateIpAddress ?? eni?.privateIpAddress ?? '',
      };
    }
    data.addresses.set(a.allocationId, {
      allocationId: a.allocationId,
      publicIp: a.publicIp,
      association,
      tags: { ...a.tags },
    });
  }
  for (const g of world.natGateways ?? []) {
    data.natGateways.set(g.natGatewayId, {
      natGatewayId: g.natGatewayId,
      subnetId: g.subnetId,
      vpcId: data.subnets.get(g.subnetId)?.vpcId ?? '',
      allocationId: g.allocationId,
      privateIpAddress: g.privateIpAddress,
      state: g.state ?? 'available',
      createTime: DEFAULT_LAUNCH_TIME,
      tags: { ...g.tags },
    });
  }

  let rtbAssoc = 0;
  for (const t of world.routeTables) {
    const vpc = data.vpcs.get(t.vpcId);
    const table: RouteTableRec = {
      routeTableId: t.routeTableId,
      vpcId: t.vpcId,
      // Rule 19: every table carries the local route for the VPC CIDR.
      routes: [
        {
          destinationCidrBlock: vpc?.cidrBlock ?? '',
          target: { kind: 'gateway', gatewayId: 'local' },
          origin: 'CreateRouteTable',
        },
        ...(t.routes ?? []).map((r) => routeFromSpec(r, data)),
      ],
      associations: [],
      tags: { ...t.tags },
    };
    if (t.main === true) {
      table.associations.push({ routeTableAssociationId: awsId('rtbassoc', ++rtbAssoc), main: true });
    }
    for (const subnetId of t.subnetIds ?? []) {
      table.associations.push({
        routeTableAssociationId: awsId('rtbassoc', ++rtbAssoc),
        subnetId,
        main: false,
      });
    }
    data.routeTables.set(t.routeTableId, table);
  }

  const groups = new Map<string, AsgRec>();
  for (const g of world.autoScalingGroups ?? []) {
    const count = g.instanceIds.length;
    groups.set(g.autoScalingGroupName, {
      autoScalingGroupName: g.autoScalingGroupName,
      arn: `arn:aws:autoscaling:${world.region}:${world.accountId}:autoScalingGroup:${awsId('', groups.size + 1).slice(1)}:autoScalingGroupName/${g.autoScalingGroupName}`,
      createdTime: DEFAULT_LAUNCH_TIME,
      instances: g.instanceIds.map((instanceId) => ({
        instanceId,
        lifecycleState: 'InService',
        healthStatus: 'Healthy',
        protectedFromScaleIn: false,
      })),
      subnetIds: [...g.subnetIds],
      minSize: g.minSize ?? count,
      maxSize: g.maxSize ?? Math.max(count, g.minSize ?? count),
      desiredCapacity: g.desiredCapacity ?? count,
      lifecycleHooks: (g.lifecycleHooks ?? []).map((h) => ({
        lifecycleHookName: h.lifecycleHookName,
        lifecycleTransition: h.lifecycleTransition,
        heartbeatTimeout: h.heartbeatTimeout ?? 3600,
        defaultResult: h.defaultResult ?? 'ABANDON',
      })),
      tags: { ...g.tags },
    });
  }
  return { data, groups };
}

function tagsOut(tags: Record<string, string>): { tags?: Record<string, string> } {
  return Object.keys(tags).length > 0 ? { tags: { ...tags } } : {};
}

/** The current state as a WorldSpec (routes, associations, states and flags as they are now). */
export function exportWorld(state: BuiltState, principals: WorldSpec['principals']): WorldSpec {
  const { data, groups } = state;
  const eniSpec = (e: NetworkInterfaceRec, withSubnet: boolean): NetworkInterfaceSpec => ({
    networkInterfaceId: e.networkInterfaceId,
    ...(withSubnet ? { subnetId: e.subnetId } : {}),
    privateIpAddress: e.privateIpAddress,
    ...(e.secondaryPrivateIpAddresses.length > 0
      ? { secondaryPrivateIpAddresses: [...e.secondaryPrivateIpAddresses] }
      : {}),
    macAddress: e.macAddress,
    sourceDestCheck: e.sourceDestCheck,
    ...(e.description !== '' ? { description: e.description } : {}),
    ...(e.securityGroups.length > 0 ? { securityGroups: e.securityGroups.map((g) => ({ ...g })) } : {}),
    ...tagsOut(e.tags),
  });
  const attachedTo = (instanceId: string): NetworkInterfaceRec[] =>
    [...data.networkInterfaces.values()]
      .filter((e) => e.attachment?.instanceId === instanceId)
      .sort((a, b) => (a.attachment?.deviceIndex ?? 0) - (b.attachment?.deviceIndex ?? 0));
  return {
    region: data.region,
    accountId: data.accountId,
    vpcs: [...data.vpcs.values()].map((v) => ({
      vpcId: v.vpcId,
      cidrBlock: v.cidrBlock,
      ...tagsOut(v.tags),
    })),
    internetGateways: [...data.internetGateways.values()].map((g) => ({
      internetGatewayId: g.internetGatewayId,
      ...(g.vpcId != null ? { vpcId: g.vpcId } : {}),
      ...tagsOut(g.tags),
    })),
    subnets: [...data.subnets.values()].map((s) => ({
      subnetId: s.subnetId,
      vpcId: s.vpcId,
      cidrBlock: s.cidrBlock,
      availabilityZone: s.availabilityZone,
      availabilityZoneId: s.availabilityZoneId,
      mapPublicIpOnLaunch: s.mapPublicIpOnLaunch,
      ...tagsOut(s.tags),
    })),
    routeTables: [...data.routeTables.values()].map((t) => ({
      routeTableId: t.routeTableId,
      vpcId: t.vpcId,
      main: t.associations.some((a) => a.main),
      subnetIds: t.associations.filter((a) => a.subnetId != null).map((a) => a.subnetId as string),
      routes: t.routes
        .filter((r) => r.origin === 'CreateRoute')
        .map((r) => ({
          ...(r.destinationCidrBlock != null ? { destinationCidrBlock: r.destinationCidrBlock } : {}),
          ...(r.destinationIpv6CidrBlock != null
            ? { destinationIpv6CidrBlock: r.destinationIpv6CidrBlock }
            : {}),
          ...(r.target.kind === 'gateway'
            ? { gatewayId: r.target.gatewayId }
            : r.target.kind === 'instance'
              ? { instanceId: r.target.instanceId }
              : r.target.kind === 'network-interface'
                ? { networkInterfaceId: r.target.networkInterfaceId }
                : { natGatewayId: r.target.natGatewayId }),
        })),
      ...tagsOut(t.tags),
    })),
    instances: [...data.instances.values()].map((i) => ({
      instanceId: i.instanceId,
      subnetId: i.subnetId,
      state: i.state,
      instanceType: i.instanceType,
      imageId: i.imageId,
      launchTime: i.launchTime,
      instanceLifecycle: i.instanceLifecycle,
      networkInterfaces: attachedTo(i.instanceId).map((e) => eniSpec(e, e.subnetId !== i.subnetId)),
      ...(i.role != null ? { iamRole: { ...i.role } } : {}),
      imds: { ...i.imds },
      ...tagsOut(i.tags),
    })),
    networkInterfaces: [...data.networkInterfaces.values()]
      .filter((e) => e.attachment == null)
      .map((e) => eniSpec(e, true)),
    addresses: [...data.addresses.values()].map((a) => ({
      allocationId: a.allocationId,
      publicIp: a.publicIp,
      ...(a.association != null
        ? {
            association: {
              networkInterfaceId: a.association.networkInterfaceId,
              privateIpAddress: a.association.privateIpAddress,
            },
          }
        : {}),
      ...tagsOut(a.tags),
    })),
    natGateways: [...data.natGateways.values()].map((g) => ({
      natGatewayId: g.natGatewayId,
      subnetId: g.subnetId,
      ...(g.allocationId != null ? { allocationId: g.allocationId } : {}),
      privateIpAddress: g.privateIpAddress,
      state: g.state,
      ...tagsOut(g.tags),
    })),
    autoScalingGroups: [...groups.values()].map((g) => ({
      autoScalingGroupName: g.autoScalingGroupName,
      instanceIds: g.instances.filter((m) => m.lifecycleState !== 'Terminated').map((m) => m.instanceId),
      subnetIds: [...g.subnetIds],
      minSize: g.minSize,
      maxSize: g.maxSize,
      desiredCapacity: g.desiredCapacity,
      lifecycleHooks: g.lifecycleHooks.map((h) => ({ ...h })),
      ...tagsOut(g.tags),
    })),
    principals: (principals ?? []).map((p) => ({ ...p })),
  };
}

/** Ids of the default world, read from it (never hard-coded), for emulator-side tests. */
import { WORLD_TAGS, defaultWorld } from '../../src/world/default-world';
import type { WorldSpec } from '../../src/world/world-spec';

export function worldIds(world: WorldSpec = defaultWorld()) {
  const managed = world.routeTables.filter((t) => t.tags?.[WORLD_TAGS.managed] === 'true');
  const nats = world.instances;
  const eniOf = (i: number): string => nats[i]?.networkInterfaces[0]?.networkInterfaceId as string;
  return {
    vpcId: world.vpcs[0]?.vpcId as string,
    vpcCidr: world.vpcs[0]?.cidrBlock as string,
    mainTableId: world.routeTables.find((t) => t.main === true)?.routeTableId as string,
    publicTableId: world.routeTables.find((t) => t.tags?.Name === 'public')?.routeTableId as string,
    privateTableIds: managed.map((t) => t.routeTableId),
    privateSubnetIds: managed.map((t) => t.subnetIds?.[0] as string),
    instanceIds: nats.map((i) => i.instanceId),
    eniIds: nats.map((_, i) => eniOf(i)),
    macs: nats.map((i) => i.networkInterfaces[0]?.macAddress as string),
    privateIps: nats.map((i) => i.networkInterfaces[0]?.privateIpAddress as string),
    igwId: world.internetGateways?.[0]?.internetGatewayId as string,
    allocationId: world.addresses?.[0]?.allocationId as string,
    publicIp: world.addresses?.[0]?.publicIp as string,
    natGatewayIds: (world.natGateways ?? []).map((g) => g.natGatewayId),
    groupNames: (world.autoScalingGroups ?? []).map((g) => g.autoScalingGroupName),
  };
}

/** A second VPC with its own subnet, table and an ENI, for "different networks" rules. */
export function withSecondVpc(world: WorldSpec): WorldSpec {
  return {
    ...world,
    vpcs: [...world.vpcs, { vpcId: 'vpc-00000000000000b01', cidrBlock: '10.9.0.0/16' }],
    subnets: [
      ...world.subnets,
      {
        subnetId: 'subnet-00000000000000b01',
        vpcId: 'vpc-00000000000000b01',
        cidrBlock: '10.9.1.0/24',
        availabilityZone: `${world.region}a`,
      },
    ],
    routeTables: [
      ...world.routeTables,
      { routeTableId: 'rtb-00000000000000b01', vpcId: 'vpc-00000000000000b01', main: true },
    ],
    networkInterfaces: [
      ...(world.networkInterfaces ?? []),
      {
        networkInterfaceId: 'eni-00000000000000b01',
        subnetId: 'subnet-00000000000000b01',
        privateIpAddress: '10.9.1.10',
      },
    ],
  };
}

/** Adds a detached secondary ENI in the first NAT instance's subnet (attach it to make a multi-ENI instance). */
export function withSpareEni(world: WorldSpec): WorldSpec {
  const first = world.instances[0];
  return {
    ...world,
    networkInterfaces: [
      ...(world.networkInterfaces ?? []),
      {
        networkInterfaceId: 'eni-00000000000000c01',
        subnetId: first?.subnetId,
        privateIpAddress: '10.0.0.99',
        secondaryPrivateIpAddresses: ['10.0.0.98'],
      },
    ],
  };
}

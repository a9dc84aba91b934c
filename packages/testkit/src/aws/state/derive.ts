/**
 * Values AWS derives from other resources, computed at read time from one snapshot so they can
 * never disagree with what they derive from (rules 21, 22, 34, 46).
 */
import type { InstanceStateName } from '../../world/world-spec';
import type { AddressRec, Ec2Data, InstanceRec, NetworkInterfaceRec, RouteRec } from './records';

export interface RouteStateOptions {
  /**
   * Route state while the target instance is `stopping` / `shutting-down` / `pending`
   * (rule 22: SHOULD be configurable, default `blackhole`).
   */
  transitionalState: 'active' | 'blackhole';
}

export interface RouteView {
  destinationCidrBlock?: string;
  destinationIpv6CidrBlock?: string;
  gatewayId?: string;
  instanceId?: string;
  instanceOwnerId?: string;
  networkInterfaceId?: string;
  natGatewayId?: string;
  state: 'active' | 'blackhole';
  origin: RouteRec['origin'];
}

const TRANSITIONAL: readonly InstanceStateName[] = ['pending', 'stopping', 'shutting-down'];

function instanceUp(inst: InstanceRec | undefined, options: RouteStateOptions): boolean {
  if (inst == null) return false;
  if (inst.state === 'running') return true;
  return TRANSITIONAL.includes(inst.state) && options.transitionalState === 'active';
}

/** ENIs attached to `instanceId`, in device-index order. */
export function enisOf(data: Ec2Data, instanceId: string): NetworkInterfaceRec[] {
  const out: NetworkInterfaceRec[] = [];
  for (const e of data.networkInterfaces.values()) if (e.attachment?.instanceId === instanceId) out.push(e);
  return out.sort((a, b) => (a.attachment?.deviceIndex ?? 0) - (b.attachment?.deviceIndex ?? 0));
}

export function primaryEniOf(data: Ec2Data, instanceId: string): NetworkInterfaceRec | undefined {
  for (const e of data.networkInterfaces.values()) {
    if (e.attachment?.instanceId === instanceId && e.attachment.deviceIndex === 0) return e;
  }
  return undefined;
}

/** A route as DescribeRouteTables shows it: one stored target, cross-filled ids, computed state. */
export function routeView(data: Ec2Data, route: RouteRec, options: RouteStateOptions): RouteView {
  const dest = {
    ...(route.destinationCidrBlock != null ? { destinationCidrBlock: route.destinationCidrBlock } : {}),
    ...(route.destinationIpv6CidrBlock != null
      ? { destinationIpv6CidrBlock: route.destinationIpv6CidrBlock }
      : {}),
  };
  const t = route.target;
  switch (t.kind) {
    case 'gateway': {
      const up = t.gatewayId === 'local' || data.internetGateways.get(t.gatewayId)?.vpcId != null;
      return { ...dest, gatewayId: t.gatewayId, state: up ? 'active' : 'blackhole', origin: route.origin };
    }
    case 'instance': {
      // Rule 21: an instance route also shows the instance's primary ENI.
      const inst = data.instances.get(t.instanceId);
      const eni = data.networkInterfaces.get(t.networkInterfaceId);
      const attached = eni?.attachment?.instanceId === t.instanceId;
      return {
        ...dest,
        instanceId: t.instanceId,
        instanceOwnerId: data.accountId,
        networkInterfaceId: t.networkInterfaceId,
        state: attached && instanceUp(inst, options) ? 'active' : 'blackhole',
        origin: route.origin,
      };
    }
    case 'network-interface': {
      // Rule 21: an ENI route also shows the instance the ENI is attached to, if any.
      const eni = data.networkInterfaces.get(t.networkInterfaceId);
      const instanceId = eni?.attachment?.instanceId;
      const up = instanceId != null && instanceUp(data.instances.get(instanceId), options);
      return {
        ...dest,
        ...(instanceId != null ? { instanceId, instanceOwnerId: data.accountId } : {}),
        networkInterfaceId: t.networkInterfaceId,
        state: up ? 'active' : 'blackhole',
        origin: route.origin,
      };
    }
    case 'nat-gateway': {
      const gw = data.natGateways.get(t.natGatewayId);
      return {
        ...dest,
        natGatewayId: t.natGatewayId,
        state: gw?.state === 'available' ? 'active' : 'blackhole',
        origin: route.origin,
      };
    }
  }
}

/** The Elastic IP bound to `eniId`'s `privateIp` (default: its primary IP), if any. */
export function addressOf(data: Ec2Data, eniId: string, privateIp?: string): AddressRec | undefined {
  const eni = data.networkInterfaces.get(eniId);
  const ip = privateIp ?? eni?.privateIpAddress;
  for (const a of data.addresses.values()) {
    if (a.association?.networkInterfaceId === eniId && a.association.privateIpAddress === ip) return a;
  }
  return undefined;
}

/** Any Elastic IP bound to `eniId` (for the ENI-level `association`). */
export function addressesOfEni(data: Ec2Data, eniId: string): AddressRec[] {
  return [...data.addresses.values()].filter((a) => a.association?.networkInterfaceId === eniId);
}

/** The instance's public IPv4: the EIP on its primary ENI's primary IP (rule 34, 46). */
export function publicIpOf(data: Ec2Data, instanceId: string): string | undefined {
  const primary = primaryEniOf(data, instanceId);
  return primary == null ? undefined : addressOf(data, primary.networkInterfaceId)?.publicIp;
}

/** The instance an address is (indirectly) bound to. */
export function instanceOfAddress(data: Ec2Data, address: AddressRec): string | undefined {
  const eniId = address.association?.networkInterfaceId;
  return eniId == null ? undefined : data.networkInterfaces.get(eniId)?.attachment?.instanceId;
}

/** Instance-level sourceDestCheck mirrors the device-0 ENI (rule 18). */
export function instanceSourceDestCheck(data: Ec2Data, instanceId: string): boolean | undefined {
  return primaryEniOf(data, instanceId)?.sourceDestCheck;
}

export const INSTANCE_STATE_CODES: Readonly<Record<InstanceStateName, number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

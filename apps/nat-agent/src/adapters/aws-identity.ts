import { getInstanceIdentity, type ImdsClient } from '@nat-ha/aws-discovery';
import type { InstanceIdentity } from '../ports';

/**
 * This instance as IMDSv2 describes it, plus the VPC's CIDR blocks (the sources to masquerade),
 * which aws-discovery's identity does not carry.
 */
export async function resolveIdentity(imds: ImdsClient, signal: AbortSignal): Promise<InstanceIdentity> {
  const id = await getInstanceIdentity(imds, { signal });
  const macPath = `meta-data/network/interfaces/macs/${id.macAddress}`;
  const blocks =
    (await imds.getOptional(`${macPath}/vpc-ipv4-cidr-blocks`, { signal })) ??
    (await imds.getOptional(`${macPath}/vpc-ipv4-cidr-block`, { signal })) ??
    '';
  const vpcCidrs = blocks
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return {
    instanceId: id.instanceId,
    region: id.region,
    az: id.availabilityZone,
    vpcId: id.vpcId,
    subnetId: id.subnetId,
    privateIp: id.privateIp,
    networkInterfaceId: id.networkInterfaceId,
    mac: id.macAddress,
    vpcCidrs,
    ...(id.publicIp === undefined ? {} : { publicIp: id.publicIp }),
    ...(id.lifecycle === 'spot' ? { lifecycle: 'spot' as const } : {}),
    ...(id.lifecycle === 'on-demand' ? { lifecycle: 'on-demand' as const } : {}),
  };
}

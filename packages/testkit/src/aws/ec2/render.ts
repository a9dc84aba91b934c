/**
 * XML renderers for EC2 resources, element names and order as in the spec's §2 samples (checked
 * by parsing through the real SDK in the contract suite).
 */
import { privateDnsNameFor } from '../../world/ids';
import { itemSet, leaf, node, tagSet } from '../query/xml';
import {
  INSTANCE_STATE_CODES,
  addressOf,
  addressesOfEni,
  enisOf,
  instanceSourceDestCheck,
  publicIpOf,
  routeView,
  type RouteStateOptions,
} from '../state/derive';
import type {
  Ec2Data,
  InstanceRec,
  NetworkInterfaceRec,
  RouteTableRec,
  SubnetRec,
  VpcRec,
} from '../state/records';

function groupSet(groups: readonly { groupId: string; groupName: string }[]): string {
  return itemSet('groupSet', groups, (g) => leaf('groupId', g.groupId) + leaf('groupName', g.groupName));
}

function privateIpSet(data: Ec2Data, eni: NetworkInterfaceRec): string {
  const ips = [eni.privateIpAddress, ...eni.secondaryPrivateIpAddresses];
  return itemSet('privateIpAddressesSet', ips, (ip) => {
    const eip = addressOf(data, eni.networkInterfaceId, ip);
    return (
      leaf('privateIpAddress', ip) +
      leaf('privateDnsName', privateDnsNameFor(ip, data.region)) +
      leaf('primary', ip === eni.privateIpAddress) +
      (eip == null
        ? ''
        : node('association', leaf('publicIp', eip.publicIp), leaf('ipOwnerId', data.accountId)))
    );
  });
}

/** An ENI as it appears inside DescribeInstances' `networkInterfaceSet`. */
function instanceEni(data: Ec2Data, eni: NetworkInterfaceRec): string {
  const eip = addressOf(data, eni.networkInterfaceId) ?? addressesOfEni(data, eni.networkInterfaceId)[0];
  const a = eni.attachment;
  return [
    leaf('networkInterfaceId', eni.networkInterfaceId),
    leaf('subnetId', eni.subnetId),
    leaf('vpcId', eni.vpcId),
    leaf('description', eni.description),
    leaf('ownerId', data.accountId),
    leaf('status', 'in-use'),
    leaf('macAddress', eni.macAddress),
    leaf('privateIpAddress', eni.privateIpAddress),
    leaf('privateDnsName', privateDnsNameFor(eni.privateIpAddress, data.region)),
    leaf('sourceDestCheck', eni.sourceDestCheck),
    groupSet(eni.securityGroups),
    a == null
      ? ''
      : node(
          'attachment',
          leaf('attachmentId', a.attachmentId),
          leaf('deviceIndex', a.deviceIndex),
          leaf('networkCardIndex', 0),
          leaf('status', 'attached'),
          leaf('attachTime', a.attachTime),
          leaf('deleteOnTermination', a.deleteOnTermination),
        ),
    eip == null ? '' : node('association', leaf('publicIp', eip.publicIp), leaf('ipOwnerId', data.accountId)),
    privateIpSet(data, eni),
    leaf('interfaceType', 'interface'),
  ].join('');
}

export function renderInstance(data: Ec2Data, inst: InstanceRec): string {
  const enis = enisOf(data, inst.instanceId);
  const primary = enis[0];
  const publicIp = publicIpOf(data, inst.instanceId);
  const privateIp = primary?.privateIpAddress;
  const sdc = instanceSourceDestCheck(data, inst.instanceId);
  const stopped = inst.state === 'stopped' || inst.state === 'terminated';
  return [
    leaf('instanceId', inst.instanceId),
    leaf('imageId', inst.imageId),
    node('instanceState', leaf('code', INSTANCE_STATE_CODES[inst.state]), leaf('name', inst.state)),
    leaf('privateDnsName', privateIp == null ? '' : privateDnsNameFor(privateIp, data.region)),
    leaf('dnsName', ''),
    leaf('reason', inst.stateTransitionReason),
    leaf('amiLaunchIndex', 0),
    node('productCodes'),
    leaf('instanceType', inst.instanceType),
    leaf('launchTime', inst.launchTime),
    node(
      'placement',
      leaf('availabilityZone', inst.availabilityZone),
      leaf('groupName', ''),
      leaf('tenancy', 'default'),
    ),
    node('monitoring', leaf('state', 'disabled')),
    inst.state === 'terminated' ? '' : leaf('subnetId', inst.subnetId),
    inst.state === 'terminated' ? '' : leaf('vpcId', inst.vpcId),
    leaf('privateIpAddress', privateIp),
    stopped ? '' : leaf('ipAddress', publicIp),
    leaf('sourceDestCheck', sdc),
    groupSet(primary?.securityGroups ?? []),
    inst.state === 'stopped' || inst.state === 'stopping'
      ? node(
          'stateReason',
          leaf('code', 'Client.UserInitiatedShutdown'),
          leaf('message', 'Client.UserInitiatedShutdown: User initiated shutdown'),
        )
      : '',
    leaf('architecture', 'x86_64'),
    leaf('rootDeviceType', 'ebs'),
    leaf('rootDeviceName', '/dev/xvda'),
    node('blockDeviceMapping'),
    inst.instanceLifecycle === 'spot' ? leaf('instanceLifecycle', 'spot') : '',
    leaf('virtualizationType', 'hvm'),
    leaf('clientToken', ''),
    tagSet(inst.tags),
    leaf('hypervisor', 'xen'),
    itemSet('networkInterfaceSet', enis, (e) => instanceEni(data, e)),
    inst.role == null
      ? ''
      : node(
          'iamInstanceProfile',
          leaf('arn', `arn:aws:iam::${data.accountId}:instance-profile/${inst.role.roleName}`),
          leaf('id', `AIPA${inst.instanceId.slice(2, 18).toUpperCase().padEnd(17, 'X')}`),
        ),
    leaf('ebsOptimized', false),
    node(
      'metadataOptions',
      leaf('state', 'applied'),
      leaf('httpTokens', inst.imds.httpTokens),
      leaf('httpPutResponseHopLimit', 2),
      leaf('httpEndpoint', inst.imds.httpEndpoint),
      leaf('instanceMetadataTags', inst.imds.instanceMetadataTags ? 'enabled' : 'disabled'),
    ),
  ].join('');
}

/** An ENI as DescribeNetworkInterfaces shows it. */
export function renderNetworkInterface(data: Ec2Data, eni: NetworkInterfaceRec): string {
  const a = eni.attachment;
  const eip = addressOf(data, eni.networkInterfaceId) ?? addressesOfEni(data, eni.networkInterfaceId)[0];
  return [
    leaf('networkInterfaceId', eni.networkInterfaceId),
    leaf('subnetId', eni.subnetId),
    leaf('vpcId', eni.vpcId),
    leaf('availabilityZone', eni.availabilityZone),
    leaf('description', eni.description),
    leaf('ownerId', data.accountId),
    leaf('requesterManaged', false),
    leaf('status', a == null ? 'available' : 'in-use'),
    leaf('macAddress', eni.macAddress),
    leaf('privateIpAddress', eni.privateIpAddress),
    leaf('privateDnsName', privateDnsNameFor(eni.privateIpAddress, data.region)),
    leaf('sourceDestCheck', eni.sourceDestCheck),
    groupSet(eni.securityGroups),
    a == null
      ? ''
      : node(
          'attachment',
          leaf('attachTime', a.attachTime),
          leaf('attachmentId', a.attachmentId),
          leaf('deleteOnTermination', a.deleteOnTermination),
          leaf('deviceIndex', a.deviceIndex),
          leaf('networkCardIndex', 0),
          leaf('instanceId', a.instanceId),
          leaf('instanceOwnerId', data.accountId),
          leaf('status', 'attached'),
        ),
    eip?.association == null
      ? ''
      : node(
          'association',
          leaf('publicIp', eip.publicIp),
          leaf('ipOwnerId', data.accountId),
          leaf('allocationId', eip.allocationId),
          leaf('associationId', eip.association.associationId),
        ),
    tagSet(eni.tags),
    privateIpSet(data, eni),
    node('ipv6AddressesSet'),
    leaf('interfaceType', 'interface'),
  ].join('');
}

export function renderRouteTable(data: Ec2Data, table: RouteTableRec, options: RouteStateOptions): string {
  return [
    leaf('routeTableId', table.routeTableId),
    leaf('vpcId', table.vpcId),
    leaf('ownerId', data.accountId),
    itemSet('routeSet', table.routes, (r) => {
      const v = routeView(data, r, options);
      return [
        leaf('destinationCidrBlock', v.destinationCidrBlock),
        leaf('destinationIpv6CidrBlock', v.destinationIpv6CidrBlock),
        leaf('gatewayId', v.gatewayId),
        leaf('instanceId', v.instanceId),
        leaf('instanceOwnerId', v.instanceOwnerId),
        leaf('networkInterfaceId', v.networkInterfaceId),
        leaf('natGatewayId', v.natGatewayId),
        leaf('state', v.state),
        leaf('origin', v.origin),
      ].join('');
    }),
    itemSet('associationSet', table.associations, (a) =>
      [
        leaf('routeTableAssociationId', a.routeTableAssociationId),
        leaf('routeTableId', table.routeTableId),
        leaf('subnetId', a.subnetId),
        leaf('main', a.main),
        node('associationState', leaf('state', 'associated')),
      ].join(''),
    ),
    node('propagatingVgwSet'),
    tagSet(table.tags),
  ].join('');
}

export function renderSubnet(data: Ec2Data, subnet: SubnetRec, usedIps: number): string {
  const size = 2 ** (32 - Number(subnet.cidrBlock.split('/')[1])) - 5;
  return [
    leaf('subnetId', subnet.subnetId),
    leaf('subnetArn', `arn:aws:ec2:${data.region}:${data.accountId}:subnet/${subnet.subnetId}`),
    leaf('state', 'available'),
    leaf('ownerId', data.accountId),
    leaf('vpcId', subnet.vpcId),
    leaf('cidrBlock', subnet.cidrBlock),
    node('ipv6CidrBlockAssociationSet'),
    leaf('availableIpAddressCount', Math.max(0, size - usedIps)),
    leaf('availabilityZone', subnet.availabilityZone),
    leaf('availabilityZoneId', subnet.availabilityZoneId),
    leaf('defaultForAz', false),
    leaf('mapPublicIpOnLaunch', subnet.mapPublicIpOnLaunch),
    leaf('assignIpv6AddressOnCreation', false),
    leaf('ipv6Native', false),
    tagSet(subnet.tags),
  ].join('');
}

export function renderVpc(data: Ec2Data, vpc: VpcRec): string {
  return [
    leaf('vpcId', vpc.vpcId),
    leaf('ownerId', data.accountId),
    leaf('state', 'available'),
    leaf('cidrBlock', vpc.cidrBlock),
    itemSet('cidrBlockAssociationSet', [vpc], (v) =>
      [
        leaf('cidrBlock', v.cidrBlock),
        leaf('associationId', v.cidrAssociationId),
        node('cidrBlockState', leaf('state', 'associated')),
      ].join(''),
    ),
    leaf('dhcpOptionsId', 'dopt-00000000000000001'),
    leaf('instanceTenancy', 'default'),
    leaf('isDefault', false),
    tagSet(vpc.tags),
  ].join('');
}

/**
 * DescribeSubnets, DescribeVpcs, DescribeNatGateways (spec §2.8, §8).
 */
import { ipv4InCidr } from '../../world/cidr';
import { ApiError } from '../query/api-error';
import { paginate } from '../query/pagination';
import { itemSet, leaf, tagSet } from '../query/xml';
import type { Ec2Data, NatGatewayRec, SubnetRec, VpcRec } from '../state/records';
import type { Ec2Action } from './action';
import { compileFilters, type FilterTable } from './filters';
import { KINDS, lookupAll } from './lookups';
import { renderSubnet, renderVpc } from './render';

function subnetFilters(data: Ec2Data): FilterTable<SubnetRec> {
  return {
    'subnet-id': (s) => s.subnetId,
    'vpc-id': (s) => s.vpcId,
    'availability-zone': (s) => s.availabilityZone,
    'availability-zone-id': (s) => s.availabilityZoneId,
    'cidr-block': (s) => s.cidrBlock,
    cidr: (s) => s.cidrBlock,
    cidrBlock: (s) => s.cidrBlock,
    state: () => 'available',
    'default-for-az': () => false,
    defaultForAz: () => false,
    'map-public-ip-on-launch': (s) => s.mapPublicIpOnLaunch,
    'owner-id': () => data.accountId,
    'subnet-arn': (s) => `arn:aws:ec2:${data.region}:${data.accountId}:subnet/${s.subnetId}`,
    'ipv6-native': () => false,
  };
}

function usedIps(data: Ec2Data, subnet: SubnetRec): number {
  let n = 0;
  for (const e of data.networkInterfaces.values()) {
    if (e.subnetId === subnet.subnetId) n += 1 + e.secondaryPrivateIpAddresses.length;
  }
  for (const g of data.natGateways.values()) if (ipv4InCidr(g.privateIpAddress, subnet.cidrBlock)) n++;
  return n;
}

export const describeSubnets: Ec2Action = {
  name: 'DescribeSubnets',
  mutating: false,
  params: ['Filter', 'SubnetId', 'NextToken', 'MaxResults', 'DryRun'],
  run(ctx) {
    const { params, view } = ctx;
    const ids = params.list('SubnetId');
    const match = compileFilters(params.ec2Filters(), subnetFilters(view), (s) => s.tags);
    ctx.dryRunCheckpoint('syntax');
    const candidates =
      ids.length > 0 ? lookupAll(KINDS.subnet, view.subnets, ids) : [...view.subnets.values()];
    ctx.dryRunCheckpoint('resources');
    const page = paginate(candidates.filter(match), params, { min: 5, max: 1000 });
    return (
      itemSet('subnetSet', page.items, (s) => renderSubnet(view, s, usedIps(view, s))) +
      leaf('nextToken', page.nextToken)
    );
  },
};

function vpcFilters(data: Ec2Data): FilterTable<VpcRec> {
  return {
    'vpc-id': (v) => v.vpcId,
    cidr: (v) => v.cidrBlock,
    'cidr-block-association.cidr-block': (v) => v.cidrBlock,
    'cidr-block-association.association-id': (v) => v.cidrAssociationId,
    'cidr-block-association.state': () => 'associated',
    'dhcp-options-id': () => 'dopt-00000000000000001',
    'is-default': () => false,
    'owner-id': () => data.accountId,
    state: () => 'available',
  };
}

export const describeVpcs: Ec2Action = {
  name: 'DescribeVpcs',
  mutating: false,
  params: ['Filter', 'VpcId', 'NextToken', 'MaxResults', 'DryRun'],
  run(ctx) {
    const { params, view } = ctx;
    const ids = params.list('VpcId');
    const match = compileFilters(params.ec2Filters(), vpcFilters(view), (v) => v.tags);
    ctx.dryRunCheckpoint('syntax');
    const candidates = ids.length > 0 ? lookupAll(KINDS.vpc, view.vpcs, ids) : [...view.vpcs.values()];
    ctx.dryRunCheckpoint('resources');
    const page = paginate(candidates.filter(match), params, { min: 5, max: 1000 });
    return itemSet('vpcSet', page.items, (v) => renderVpc(view, v)) + leaf('nextToken', page.nextToken);
  },
};

function natFilters(): FilterTable<NatGatewayRec> {
  return {
    'nat-gateway-id': (g) => g.natGatewayId,
    state: (g) => g.state,
    'subnet-id': (g) => g.subnetId,
    'vpc-id': (g) => g.vpcId,
  };
}

function renderNatGateway(data: Ec2Data, g: NatGatewayRec): string {
  const eip = g.allocationId == null ? undefined : data.addresses.get(g.allocationId);
  return [
    leaf('createTime', g.createTime),
    leaf('natGatewayId', g.natGatewayId),
    itemSet('natGatewayAddressSet', [g], () =>
      [
        leaf('allocationId', g.allocationId),
        leaf('privateIp', g.privateIpAddress),
        leaf('publicIp', eip?.publicIp),
        leaf('isPrimary', true),
        leaf('status', g.state === 'available' ? 'succeeded' : g.state === 'failed' ? 'failed' : 'assigning'),
      ].join(''),
    ),
    leaf('state', g.state),
    leaf('subnetId', g.subnetId),
    leaf('vpcId', g.vpcId),
    tagSet(g.tags),
    leaf('connectivityType', 'public'),
  ].join('');
}

export const describeNatGateways: Ec2Action = {
  name: 'DescribeNatGateways',
  mutating: false,
  params: ['DryRun', 'Filter', 'MaxResults', 'NatGatewayId', 'NextToken'],
  run(ctx) {
    const { params, view } = ctx;
    const ids = params.list('NatGatewayId');
    const match = compileFilters(params.ec2Filters(), natFilters(), (g) => g.tags);
    ctx.dryRunCheckpoint('syntax');
    let candidates = [...view.natGateways.values()];
    if (ids.length > 0) {
      const missing = ids.filter((id) => !view.natGateways.has(id));
      // DescribeNatGateways has its own code for unknown ids.
      if (missing.length > 0)
        throw new ApiError('NatGatewayNotFound', `NAT gateway ${missing.join(', ')} was not found`);
      candidates = candidates.filter((g) => ids.includes(g.natGatewayId));
    }
    ctx.dryRunCheckpoint('resources');
    const page = paginate(candidates.filter(match), params, { min: 5, max: 1000 });
    return (
      itemSet('natGatewaySet', page.items, (g) => renderNatGateway(view, g)) +
      leaf('nextToken', page.nextToken)
    );
  },
};

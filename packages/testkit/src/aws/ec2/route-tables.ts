/**
 * DescribeRouteTables, CreateRoute, ReplaceRoute, DeleteRoute (spec §2.2–2.3, §3.1–3.2;
 * rules 19–29).
 */
import { isIpv4Cidr, isIpv6Cidr } from '../../world/cidr';
import { ApiError, invalidParameterValue, missingParameter } from '../query/api-error';
import { paginate } from '../query/pagination';
import type { QueryParams } from '../query/params';
import { itemSet, leaf } from '../query/xml';
import { enisOf, routeView, type RouteStateOptions } from '../state/derive';
import type { Ec2Data, RouteRec, RouteTableRec, RouteTarget } from '../state/records';
import type { Ec2Action, Ec2ActionContext } from './action';
import { compileFilters, type FilterTable } from './filters';
import { KINDS, checkIdSyntax, lookup, lookupAll, notFoundError } from './lookups';
import { renderRouteTable } from './render';

function tableFilters(data: Ec2Data, options: RouteStateOptions): FilterTable<RouteTableRec> {
  const views = (t: RouteTableRec) => t.routes.map((r) => routeView(data, r, options));
  return {
    'route-table-id': (t) => t.routeTableId,
    'vpc-id': (t) => t.vpcId,
    'owner-id': () => data.accountId,
    'association.route-table-association-id': (t) => t.associations.map((a) => a.routeTableAssociationId),
    'association.route-table-id': (t) => (t.associations.length > 0 ? t.routeTableId : undefined),
    'association.subnet-id': (t) => t.associations.map((a) => a.subnetId),
    'association.gateway-id': () => undefined,
    'association.main': (t) => (t.associations.length === 0 ? [] : t.associations.map((a) => a.main)),
    'route.destination-cidr-block': (t) => views(t).map((r) => r.destinationCidrBlock),
    'route.destination-ipv6-cidr-block': (t) => views(t).map((r) => r.destinationIpv6CidrBlock),
    'route.destination-prefix-list-id': () => undefined,
    'route.egress-only-internet-gateway-id': () => undefined,
    'route.gateway-id': (t) => views(t).map((r) => r.gatewayId),
    'route.instance-id': (t) => views(t).map((r) => r.instanceId),
    'route.nat-gateway-id': (t) => views(t).map((r) => r.natGatewayId),
    'route.transit-gateway-id': () => undefined,
    'route.vpc-peering-connection-id': () => undefined,
    'route.origin': (t) => views(t).map((r) => r.origin),
    'route.state': (t) => views(t).map((r) => r.state),
  };
}

export const describeRouteTables: Ec2Action = {
  name: 'DescribeRouteTables',
  mutating: false,
  params: ['NextToken', 'MaxResults', 'DryRun', 'RouteTableId', 'Filter'],
  run(ctx) {
    const { params, view } = ctx;
    const ids = params.list('RouteTableId');
    const match = compileFilters(params.ec2Filters(), tableFilters(view, ctx.routeOptions), (t) => t.tags);
    ctx.dryRunCheckpoint('syntax');
    const candidates =
      ids.length > 0 ? lookupAll(KINDS.routeTable, view.routeTables, ids) : [...view.routeTables.values()];
    ctx.dryRunCheckpoint('resources');
    const page = paginate(candidates.filter(match), params, { min: 5, max: 100 });
    return (
      itemSet('routeTableSet', page.items, (t) => renderRouteTable(view, t, ctx.routeOptions)) +
      leaf('nextToken', page.nextToken)
    );
  },
};

interface Destination {
  key: 'destinationCidrBlock' | 'destinationIpv6CidrBlock';
  value: string;
}

function readDestination(params: QueryParams): Destination {
  const v4 = params.get('DestinationCidrBlock');
  const v6 = params.get('DestinationIpv6CidrBlock');
  const pl = params.get('DestinationPrefixListId');
  const given = [v4, v6, pl].filter((v) => v != null);
  if (given.length === 0) throw missingParameter('destinationCidrBlock');
  if (given.length > 1) {
    throw new ApiError(
      'InvalidParameterCombination',
      'Only one of destinationCidrBlock, destinationIpv6CidrBlock and destinationPrefixListId may be specified',
    );
  }
  if (pl != null)
    throw new ApiError('InvalidPrefixListID.NotFound', `The prefix list ID '${pl}' does not exist`);
  if (v4 != null) {
    if (!isIpv4Cidr(v4)) {
      throw invalidParameterValue(
        `Value (${v4}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.`,
      );
    }
    return { key: 'destinationCidrBlock', value: v4 };
  }
  const v6Value = (v6 as string).toLowerCase();
  if (!isIpv6Cidr(v6Value)) {
    throw invalidParameterValue(
      `Value (${v6 as string}) for parameter destinationIpv6CidrBlock is invalid. This is not a valid IPv6 CIDR block.`,
    );
  }
  return { key: 'destinationIpv6CidrBlock', value: v6Value };
}

const TARGET_PARAMS = [
  'GatewayId',
  'InstanceId',
  'NetworkInterfaceId',
  'NatGatewayId',
  'TransitGatewayId',
  'LocalGatewayId',
  'CarrierGatewayId',
  'VpcPeeringConnectionId',
  'EgressOnlyInternetGatewayId',
  'VpcEndpointId',
  'CoreNetworkArn',
  'OdbNetworkArn',
] as const;

/** Targets the world cannot contain: always the resource's NotFound. */
const UNMODELLED_TARGETS: Partial<Record<(typeof TARGET_PARAMS)[number], [string, string]>> = {
  TransitGatewayId: ['InvalidTransitGatewayID.NotFound', 'transitGateway'],
  LocalGatewayId: ['InvalidLocalGatewayID.NotFound', 'localGateway'],
  CarrierGatewayId: ['InvalidCarrierGatewayID.NotFound', 'carrierGateway'],
  VpcPeeringConnectionId: ['InvalidVpcPeeringConnectionID.NotFound', 'vpcPeeringConnection'],
  EgressOnlyInternetGatewayId: ['InvalidEgressOnlyInternetGatewayId.NotFound', 'egressOnlyInternetGateway'],
  VpcEndpointId: ['InvalidVpcEndpointId.NotFound', 'vpcEndpoint'],
  CoreNetworkArn: ['InvalidParameterValue', 'coreNetwork'],
  OdbNetworkArn: ['InvalidParameterValue', 'odbNetwork'],
};

type TargetParam = (typeof TARGET_PARAMS)[number] | 'LocalTarget';

function readTargetParam(
  params: QueryParams,
  allowLocalTarget: boolean,
): { param: TargetParam; value: string } {
  const given: { param: TargetParam; value: string }[] = TARGET_PARAMS.filter((p) => params.has(p)).map(
    (p) => ({
      param: p,
      value: params.get(p) as string,
    }),
  );
  if (allowLocalTarget && params.boolean('LocalTarget') === true)
    given.push({ param: 'LocalTarget', value: 'local' });
  if (given.length === 0) {
    throw new ApiError(
      'MissingParameter',
      'The request must contain exactly one of gatewayId, instanceId, networkInterfaceId, natGatewayId, transitGatewayId, localGatewayId, carrierGatewayId, vpcPeeringConnectionId, egressOnlyInternetGatewayId, vpcEndpointId, coreNetworkArn',
    );
  }
  if (given.length > 1) {
    throw new ApiError(
      'InvalidParameterCombination',
      `More than one target specified: ${given.map((g) => g.param.charAt(0).toLowerCase() + g.param.slice(1)).join(', ')}`,
    );
  }
  return given[0] as { param: TargetParam; value: string };
}

function differentNetworks(table: RouteTableRec, noun: string, id: string): ApiError {
  return invalidParameterValue(
    `route table ${table.routeTableId} and ${noun} ${id} belong to different networks`,
  );
}

export function multipleInterfacesError(instanceId: string): ApiError {
  return new ApiError(
    'InvalidInstanceID',
    `There are multiple interfaces attached to instance '${instanceId}'. Please specify an interface ID for the operation instead.`,
  );
}

/** Resolves and validates a target against the table's VPC (rules 26, 27). */
function resolveTarget(
  data: Ec2Data,
  table: RouteTableRec,
  target: { param: TargetParam; value: string },
): RouteTarget {
  const { param, value } = target;
  switch (param) {
    case 'LocalTarget':
      return { kind: 'gateway', gatewayId: 'local' };
    case 'GatewayId': {
      if (value === 'local') return { kind: 'gateway', gatewayId: 'local' };
      const igw = data.internetGateways.get(value);
      if (igw == null)
        throw new ApiError('InvalidGatewayID.NotFound', `The gateway ID '${value}' does not exist`);
      if (igw.vpcId !== table.vpcId) throw differentNetworks(table, 'network gateway', value);
      return { kind: 'gateway', gatewayId: value };
    }
    case 'InstanceId': {
      const inst = lookup(KINDS.instance, data.instances, value);
      if (inst.state === 'terminated') throw notFoundError(KINDS.instance, [value]);
      if (inst.vpcId !== table.vpcId) throw differentNetworks(table, 'instance', value);
      const enis = enisOf(data, value);
      if (enis.length > 1) throw multipleInterfacesError(value);
      const primary = enis[0];
      if (primary == null) throw notFoundError(KINDS.instance, [value]);
      return { kind: 'instance', instanceId: value, networkInterfaceId: primary.networkInterfaceId };
    }
    case 'NetworkInterfaceId': {
      const eni = lookup(KINDS.networkInterface, data.networkInterfaces, value);
      if (eni.vpcId !== table.vpcId) throw differentNetworks(table, 'network interface', value);
      return { kind: 'network-interface', networkInterfaceId: value };
    }
    case 'NatGatewayId': {
      const gw = lookup(KINDS.natGateway, data.natGateways, value);
      if (gw.state === 'deleted') throw notFoundError(KINDS.natGateway, [value]);
      if (gw.vpcId !== table.vpcId) throw differentNetworks(table, 'NAT gateway', value);
      return { kind: 'nat-gateway', natGatewayId: value };
    }
    default: {
      const [code, noun] = UNMODELLED_TARGETS[param] as [string, string];
      throw new ApiError(
        code,
        code === 'InvalidParameterValue'
          ? `Invalid ${noun}: ${value}`
          : `The ${noun} ID '${value}' does not exist`,
      );
    }
  }
}

function findRoute(table: RouteTableRec, dest: Destination): RouteRec | undefined {
  return table.routes.find((r) => r[dest.key] === dest.value);
}

/** Parses the shared members of CreateRoute/ReplaceRoute up to the DryRun resource checkpoint. */
function prepareWrite(ctx: Ec2ActionContext, allowLocalTarget: boolean) {
  const { params, data } = ctx;
  const tableId = params.required('RouteTableId');
  const dest = readDestination(params);
  const targetParam = readTargetParam(params, allowLocalTarget);
  checkIdSyntax(KINDS.routeTable, tableId);
  ctx.dryRunCheckpoint('syntax');
  const table = lookup(KINDS.routeTable, data.routeTables, tableId);
  return { table, dest, targetParam };
}

export const createRoute: Ec2Action = {
  name: 'CreateRoute',
  mutating: true,
  params: [
    'RouteTableId',
    'DestinationPrefixListId',
    'VpcEndpointId',
    'TransitGatewayId',
    'LocalGatewayId',
    'CarrierGatewayId',
    'CoreNetworkArn',
    'OdbNetworkArn',
    'DryRun',
    'DestinationCidrBlock',
    'GatewayId',
    'DestinationIpv6CidrBlock',
    'EgressOnlyInternetGatewayId',
    'InstanceId',
    'NetworkInterfaceId',
    'VpcPeeringConnectionId',
    'NatGatewayId',
  ],
  run(ctx) {
    const { table, dest, targetParam } = prepareWrite(ctx, false);
    // Rule 23: any existing route for the destination, whatever its target.
    if (findRoute(table, dest) != null) {
      throw new ApiError('RouteAlreadyExists', `The route identified by ${dest.value} already exists.`);
    }
    const target = resolveTarget(ctx.data, table, targetParam);
    ctx.dryRunCheckpoint('resources');
    table.routes.push({ [dest.key]: dest.value, target, origin: 'CreateRoute' });
    return leaf('return', true);
  },
};

export const replaceRoute: Ec2Action = {
  name: 'ReplaceRoute',
  mutating: true,
  params: [...createRoute.params, 'LocalTarget'],
  run(ctx) {
    const { table, dest, targetParam } = prepareWrite(ctx, true);
    const route = findRoute(table, dest);
    // Rule 24: InvalidParameterValue, not InvalidRoute.NotFound (getmoto/moto#6425).
    if (route == null) {
      throw invalidParameterValue(
        `There is no route defined for '${dest.value}' in the route table. Use CreateRoute instead.`,
      );
    }
    const target = resolveTarget(ctx.data, table, targetParam);
    if (route.origin === 'CreateRouteTable' && !(target.kind === 'gateway' && target.gatewayId === 'local')) {
      throw invalidParameterValue(
        `The local route ${dest.value} in ${table.routeTableId} can only be reset with LocalTarget`,
      );
    }
    if (route.origin !== 'CreateRouteTable' && target.kind === 'gateway' && target.gatewayId === 'local') {
      throw invalidParameterValue(
        `LocalTarget can only be used for the local route of ${table.routeTableId}`,
      );
    }
    ctx.dryRunCheckpoint('resources');
    // Rule 20: the new target replaces every previous target field; origin is kept.
    route.target = target;
    return leaf('return', true);
  },
};

export const deleteRoute: Ec2Action = {
  name: 'DeleteRoute',
  mutating: true,
  params: [
    'RouteTableId',
    'DestinationPrefixListId',
    'DryRun',
    'DestinationCidrBlock',
    'DestinationIpv6CidrBlock',
  ],
  run(ctx) {
    const { params, data } = ctx;
    const tableId = params.required('RouteTableId');
    const dest = readDestination(params);
    checkIdSyntax(KINDS.routeTable, tableId);
    ctx.dryRunCheckpoint('syntax');
    const table = lookup(KINDS.routeTable, data.routeTables, tableId);
    const route = findRoute(table, dest);
    if (route == null) {
      const filterName =
        dest.key === 'destinationCidrBlock' ? 'destination-cidr-block' : 'destination-ipv6-cidr-block';
      throw new ApiError(
        'InvalidRoute.NotFound',
        `no route with ${filterName} ${dest.value} in route table ${tableId}`,
      );
    }
    if (route.origin === 'CreateRouteTable') {
      throw invalidParameterValue(`cannot remove local route ${dest.value} in route table ${tableId}`);
    }
    ctx.dryRunCheckpoint('resources');
    table.routes.splice(table.routes.indexOf(route), 1);
    return leaf('return', true);
  },
};

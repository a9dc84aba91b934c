import type { Route } from '@aws-sdk/client-ec2';

/**
 * Where a claim points routes. Always a network interface or a NAT gateway — never an instance id:
 * an `InstanceId` target fails with `InvalidInstanceID` on instances with more than one ENI
 * (ec2-query-and-imds.md §3.1, rule 26; the bug bobtfish/AWSnycast#28 hit).
 */
export type RouteTarget = { networkInterfaceId: string } | { natGatewayId: string };

/** What a route currently points at, as read back from DescribeRouteTables (§2.2). */
export interface RouteView {
  /** `active` or `blackhole` (rule 22): blackhole means the target is gone or stopped. */
  state: string | undefined;
  /** Every target field the route carries; EC2 cross-fills instance and ENI ids (rule 21). */
  networkInterfaceId?: string;
  instanceId?: string;
  natGatewayId?: string;
  gatewayId?: string;
  transitGatewayId?: string;
  vpcPeeringConnectionId?: string;
  egressOnlyInternetGatewayId?: string;
  localGatewayId?: string;
  carrierGatewayId?: string;
  coreNetworkArn?: string;
}

/** The id of a target, e.g. `eni-0abc` or `nat-0abc`. */
export function targetId(target: RouteTarget): string {
  return 'networkInterfaceId' in target ? target.networkInterfaceId : target.natGatewayId;
}

/** The ReplaceRoute/CreateRoute target member (§2.3). */
export function targetInput(target: RouteTarget): { NetworkInterfaceId: string } | { NatGatewayId: string } {
  return 'networkInterfaceId' in target
    ? { NetworkInterfaceId: target.networkInterfaceId }
    : { NatGatewayId: target.natGatewayId };
}

export function toRouteView(route: Route): RouteView {
  const view: RouteView = { state: route.State };
  if (route.NetworkInterfaceId != null) view.networkInterfaceId = route.NetworkInterfaceId;
  if (route.InstanceId != null) view.instanceId = route.InstanceId;
  if (route.NatGatewayId != null) view.natGatewayId = route.NatGatewayId;
  if (route.GatewayId != null) view.gatewayId = route.GatewayId;
  if (route.TransitGatewayId != null) view.transitGatewayId = route.TransitGatewayId;
  if (route.VpcPeeringConnectionId != null) view.vpcPeeringConnectionId = route.VpcPeeringConnectionId;
  if (route.EgressOnlyInternetGatewayId != null)
    view.egressOnlyInternetGatewayId = route.EgressOnlyInternetGatewayId;
  if (route.LocalGatewayId != null) view.localGatewayId = route.LocalGatewayId;
  if (route.CarrierGatewayId != null) view.carrierGatewayId = route.CarrierGatewayId;
  if (route.CoreNetworkArn != null) view.coreNetworkArn = route.CoreNetworkArn;
  return view;
}

/** Every id the route's target is known by (ENI and instance both, for instance routes). */
export function viewIds(view: RouteView): string[] {
  const ids: string[] = [];
  for (const key of [
    'networkInterfaceId',
    'instanceId',
    'natGatewayId',
    'gatewayId',
    'transitGatewayId',
    'vpcPeeringConnectionId',
    'egressOnlyInternetGatewayId',
    'localGatewayId',
    'carrierGatewayId',
    'coreNetworkArn',
  ] as const) {
    const v = view[key];
    if (v != null) ids.push(v);
  }
  return ids;
}

/** Whether the route already points at the target (compared by ENI / NAT gateway id, never instance). */
export function pointsAt(view: RouteView, target: RouteTarget): boolean {
  return 'networkInterfaceId' in target
    ? view.networkInterfaceId === target.networkInterfaceId
    : view.natGatewayId === target.natGatewayId;
}

/** A short human form, e.g. `eni-1 (i-1, active)`. */
export function describeView(view: RouteView | undefined): string {
  if (view == null) return 'no route';
  const ids = viewIds(view);
  const head = ids[0] ?? 'unknown target';
  const rest = ids.slice(1);
  return `${head}${rest.length > 0 ? ` (${rest.join(', ')})` : ''}${view.state == null ? '' : ` [${view.state}]`}`;
}

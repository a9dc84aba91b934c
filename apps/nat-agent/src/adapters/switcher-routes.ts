import type {
  ClaimResult,
  RouteSwitcher,
  RouteTableSelector,
  RouteTarget,
  RouteView,
} from '@nat-ha/route-switcher';
import type { ResolvedGroup } from '../config/resolve-groups';
import { NatAgentError } from '../errors';
import type { GroupRoutes, InstanceIdentity, RouteEntry, RouteOutcome, RoutePlan } from '../ports';

export function selectorOf(group: ResolvedGroup, identity: InstanceIdentity): RouteTableSelector {
  const rt = group.routeTables;
  if (rt.ids !== undefined) return { routeTableIds: rt.ids };
  if (rt.subnets !== undefined) return { subnetIds: rt.subnets };
  if (rt.tags !== undefined) return { tags: rt.tags, vpcId: identity.vpcId };
  return { vpcId: identity.vpcId, availabilityZone: rt.azPrivate as string };
}

/** The id a route view points at (ENI first: EC2 cross-fills the instance id of an ENI target). */
export function viewTarget(view: RouteView | undefined): string {
  if (view === undefined) return 'none';
  return (
    view.networkInterfaceId ??
    view.natGatewayId ??
    view.gatewayId ??
    view.transitGatewayId ??
    view.vpcPeeringConnectionId ??
    view.instanceId ??
    'unknown'
  );
}

function entry(routeTableId: string, destination: string, view: RouteView | undefined): RouteEntry {
  const state = view?.state === 'blackhole' ? 'blackhole' : view?.state === 'active' ? 'active' : undefined;
  return { routeTableId, destination, target: viewTarget(view), ...(state === undefined ? {} : { state }) };
}

function toOutcome(result: ClaimResult, self: string): RouteOutcome {
  const routes: RouteEntry[] = [];
  let changed = 0;
  let movedFromOther = 0;
  const failed: string[] = [];
  for (const table of result.tables) {
    for (const r of table.routes) {
      routes.push(entry(r.routeTableId, r.destination, r.after ?? r.before));
      if (r.status === 'replaced' || r.status === 'created') changed++;
      if (r.status === 'replaced' && r.before !== undefined && viewTarget(r.before) !== self)
        movedFromOther++;
      if (r.status === 'failed' || !r.verified) {
        failed.push(
          `${r.routeTableId} ${r.destination}: ${r.error?.code ?? (r.verified ? r.status : 'not verified')}`,
        );
      }
    }
  }
  if (!result.ok) {
    throw new NatAgentError(
      'CLAIM_INCOMPLETE',
      `routes not at ${self}: ${failed.join('; ') || 'see tables'}`,
      {
        retryable: true,
      },
    );
  }
  return { routes, changed, movedFromOther };
}

/**
 * One group's routes through the process-wide route switcher (its token buckets stand for the
 * account's, so every group shares one). Tables are resolved once at start-up (unknown ids fail
 * then, naming them) and re-resolved by every reconcile, so a newly tagged table joins within one
 * reconcile interval; the failover path never pays for the lookup.
 */
export function createSwitcherRoutes(options: {
  switcher: RouteSwitcher;
  group: ResolvedGroup;
  identity: InstanceIdentity;
}): GroupRoutes & { tables(signal?: AbortSignal): Promise<string[]>; selfTarget: RouteTarget } {
  const { switcher, group, identity } = options;
  const self: RouteTarget = { networkInterfaceId: identity.networkInterfaceId };
  const selector = selectorOf(group, identity);
  let cached: string[] | undefined;

  const refresh = async (signal?: AbortSignal): Promise<string[]> => {
    const selected = await switcher.selectTables(selector, signal === undefined ? {} : { signal });
    cached = selected.routeTableIds;
    return cached;
  };
  const tables = async (signal?: AbortSignal) => cached ?? refresh(signal);

  const claimTo = async (target: RouteTarget, signal: AbortSignal): Promise<RouteOutcome> => {
    const result = await switcher.claim({
      tables: await tables(signal),
      destinations: group.destinations,
      target,
      signal,
    });
    const targetId = 'networkInterfaceId' in target ? target.networkInterfaceId : target.natGatewayId;
    return toOutcome(result, targetId);
  };

  const withEip = async (outcome: RouteOutcome, signal: AbortSignal): Promise<RouteOutcome> => {
    if (group.eipAllocationId === undefined) return outcome;
    // After the routes: the failover path first, then the stable egress address.
    const moved = await switcher.followAddress({
      allocationId: group.eipAllocationId,
      networkInterfaceId: identity.networkInterfaceId,
      signal,
    });
    return { ...outcome, eip: { allocationId: group.eipAllocationId, moved: moved.changed } };
  };

  const fallbackTarget = (): RouteTarget => {
    const f = group.fallback;
    if (f?.natGatewayId !== undefined) return { natGatewayId: f.natGatewayId };
    if (f?.networkInterfaceId !== undefined) return { networkInterfaceId: f.networkInterfaceId };
    throw new NatAgentError('INVALID_CONFIG', `group ${group.name} has no fallback target`);
  };

  return {
    selfTarget: self,
    tables,
    async claim(signal) {
      return withEip(await claimTo(self, signal), signal);
    },
    async reconcile(signal) {
      const ids = await refresh(signal);
      const drift = await switcher.checkDrift({
        tables: ids,
        destinations: group.destinations,
        target: self,
        signal,
      });
      const routes = drift.routes.map((r) => entry(r.routeTableId, r.destination, r.current));
      const base: RouteOutcome = drift.inSync
        ? { routes, changed: 0, movedFromOther: 0 }
        : await claimTo(self, signal);
      return withEip(base, signal);
    },
    async engageFallback(signal) {
      return claimTo(fallbackTarget(), signal);
    },
    async observe(signal) {
      const drift = await switcher.checkDrift({
        tables: await tables(signal),
        destinations: group.destinations,
        target: self,
        signal,
      });
      return { routes: drift.routes.map((r) => entry(r.routeTableId, r.destination, r.current)) };
    },
    async plan(signal): Promise<RoutePlan> {
      const plan = await switcher.plan({
        tables: await refresh(signal),
        destinations: group.destinations,
        target: self,
        signal,
      });
      return {
        routes: plan.routes.map((r) => entry(r.routeTableId, r.destination, r.before)),
        calls: plan.calls.map((c) => ({
          action: c.action,
          params: { ...(c.input as unknown as Record<string, unknown>) },
        })),
      };
    },
  };
}

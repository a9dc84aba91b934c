import type { CreateRouteCommandInput, ReplaceRouteCommandInput } from '@aws-sdk/client-ec2';
import { destinationInput, type Destination } from './destination';
import type { RouteTableView } from './read-route-tables';
import { pointsAt, targetInput, viewIds, type RouteTarget, type RouteView } from './route-target';

/** What a claim decided for one route, from one read of its table. */
export type RouteDecision =
  /** Already points at the target: no call (saves a mutating token, §3.2). */
  | 'none'
  /** Exists with another target: ReplaceRoute. */
  | 'replace'
  /** Missing: CreateRoute. */
  | 'create'
  /** `expectCurrent` given and the route points elsewhere (not blackholed): left alone. */
  | 'skip-expect-mismatch'
  /** The route table was not found. */
  | 'table-missing';

/** A mutating call exactly as it would be sent (the SDK command input). */
export type PlannedCall =
  | { action: 'ReplaceRoute'; input: ReplaceRouteCommandInput }
  | { action: 'CreateRoute'; input: CreateRouteCommandInput };

export interface PlannedRoute {
  routeTableId: string;
  destination: string;
  /** The route as read; `undefined` when the table has no route for the destination. */
  before: RouteView | undefined;
  decision: RouteDecision;
  /** The call the decision needs (`replace`/`create` only). */
  call: PlannedCall | undefined;
}

export function routeCall(
  action: PlannedCall['action'],
  routeTableId: string,
  destination: Destination,
  target: RouteTarget,
): PlannedCall {
  const input = { RouteTableId: routeTableId, ...destinationInput(destination), ...targetInput(target) };
  return action === 'ReplaceRoute' ? { action, input } : { action, input };
}

/**
 * The decision logic of a claim, pure: for each table (in the given order) and destination, compare
 * the route read back with the target. Replace only where it differs; create where missing
 * (ReplaceRoute on a missing destination fails with InvalidParameterValue, rule 24).
 * With `expectCurrent`, a route is only taken from one of the expected targets or from a blackhole
 * (rule 22: a stopped/terminated/detached target), so a failback never steals a healthy route.
 */
export function planRoutes(
  tables: readonly string[],
  destinations: readonly Destination[],
  target: RouteTarget,
  expectCurrent: ReadonlySet<string> | undefined,
  read: ReadonlyMap<string, RouteTableView>,
): PlannedRoute[] {
  const planned: PlannedRoute[] = [];
  for (const routeTableId of tables) {
    const table = read.get(routeTableId);
    for (const d of destinations) {
      const before = table?.routes.get(d.cidr);
      const route = (decision: RouteDecision, call?: PlannedCall): PlannedRoute => ({
        routeTableId,
        destination: d.cidr,
        before,
        decision,
        call,
      });
      if (table == null) {
        planned.push(route('table-missing'));
      } else if (before == null) {
        planned.push(route('create', routeCall('CreateRoute', routeTableId, d, target)));
      } else if (pointsAt(before, target)) {
        planned.push(route('none'));
      } else if (
        expectCurrent != null &&
        before.state !== 'blackhole' &&
        !viewIds(before).some((id) => expectCurrent.has(id))
      ) {
        planned.push(route('skip-expect-mismatch'));
      } else {
        planned.push(route('replace', routeCall('ReplaceRoute', routeTableId, d, target)));
      }
    }
  }
  return planned;
}

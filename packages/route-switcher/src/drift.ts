import type { NormalizedClaim } from './claim-input';
import type { SwitcherContext } from './context';
import { throwIfAborted } from './ec2-error';
import { readRouteTablesById } from './read-route-tables';
import { pointsAt, type RouteTarget, type RouteView } from './route-target';

export type DriftStatus =
  /** Points at the target. */
  | 'ok'
  /** Points somewhere else. */
  | 'drifted'
  /** The table has no route for the destination. */
  | 'missing-route'
  /** The table is gone. */
  | 'missing-table';

export interface RouteDrift {
  routeTableId: string;
  destination: string;
  status: DriftStatus;
  /** The route as read (its `state` shows a blackhole even when it points at the target). */
  current: RouteView | undefined;
}

export interface DriftReport {
  /** Every route points at the target (`status: 'ok'` everywhere). */
  inSync: boolean;
  target: RouteTarget;
  routes: RouteDrift[];
  /** The routes that are not `ok`. */
  drifted: RouteDrift[];
  /** DescribeRouteTables calls made: one per 100 tables (one page), whatever the group size below that. */
  describeCalls: number;
  /** Clock time of the check. */
  checkedAt: number;
}

/**
 * The reconcile loop's check: one `route-table-id`-filtered DescribeRouteTables for every table of
 * the group (pages of `pageSize`), compared with the target. Cheap enough to run every few seconds
 * within the 100/20 describe bucket (§3.4: poll DescribeRouteTables at ≤ 1 call/s per agent). It
 * never writes; the caller decides whether to `claim` (inside its lease).
 */
export async function runDriftCheck(ctx: SwitcherContext, claim: NormalizedClaim): Promise<DriftReport> {
  throwIfAborted(claim.signal, 'checkDrift');
  const checkedAt = ctx.clock.now();
  const read = await readRouteTablesById(ctx, claim.tables, claim.signal);
  const routes: RouteDrift[] = [];
  for (const routeTableId of claim.tables) {
    const table = read.found.get(routeTableId);
    for (const d of claim.destinations) {
      const current = table?.routes.get(d.cidr);
      const status: DriftStatus =
        table == null
          ? 'missing-table'
          : current == null
            ? 'missing-route'
            : pointsAt(current, claim.target)
              ? 'ok'
              : 'drifted';
      routes.push({ routeTableId, destination: d.cidr, status, current });
    }
  }
  const drifted = routes.filter((r) => r.status !== 'ok');
  return {
    inSync: drifted.length === 0,
    target: claim.target,
    routes,
    drifted,
    describeCalls: read.calls,
    checkedAt,
  };
}

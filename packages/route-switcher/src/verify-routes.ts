import type { SwitcherContext } from './context';
import { RouteSwitcherError } from './errors';
import { readRouteTablesById } from './read-route-tables';
import { describeView, pointsAt, type RouteTarget, type RouteView } from './route-target';

export interface RouteToVerify {
  routeTableId: string;
  destination: string;
}

export interface VerifyOutcome {
  verified: boolean;
  /** The route as last read. */
  after: RouteView | undefined;
  error: RouteSwitcherError | undefined;
}

/**
 * After writes EC2 acknowledged, re-read until every route shows the target (eventual consistency,
 * §3.3: "verify with bounded, backed-off re-reads, and never flap based on a single read").
 * Each pass is ONE DescribeRouteTables for all still-unverified tables. A read that still shows the
 * old target is treated as stale, never as failure, until `verifyTimeoutMs` has passed; a route is
 * verified only by a read that shows the target. Re-read delays double from `verifyIntervalMs` up to
 * `verifyMaxIntervalMs`. Nothing is re-written here: a route that shows a third target may be a stale
 * read or another writer, and re-writing would flap (the lease, not this loop, settles ownership).
 */
export async function verifyRoutes(
  ctx: SwitcherContext,
  routes: readonly RouteToVerify[],
  target: RouteTarget,
  signal: AbortSignal | undefined,
): Promise<{ outcomes: Map<RouteToVerify, VerifyOutcome>; describeCalls: number }> {
  const outcomes = new Map<RouteToVerify, VerifyOutcome>();
  let pending = [...routes];
  let describeCalls = 0;
  const { clock, config } = ctx;
  const deadline = clock.now() + config.verifyTimeoutMs;
  let delayMs = config.verifyIntervalMs;
  let passes = 0;
  while (pending.length > 0) {
    passes++;
    let read: Awaited<ReturnType<typeof readRouteTablesById>>;
    try {
      read = await readRouteTablesById(
        ctx,
        pending.map((r) => r.routeTableId),
        signal,
      );
    } catch (err) {
      const e = err as RouteSwitcherError;
      if (e.code === 'ABORTED') throw e;
      // The read itself failed after its retries: the routes stay unverified, with the reason.
      for (const r of pending) outcomes.set(r, { verified: false, after: undefined, error: e });
      return { outcomes, describeCalls };
    }
    describeCalls += read.calls;
    const still: RouteToVerify[] = [];
    for (const r of pending) {
      const after = read.found.get(r.routeTableId)?.routes.get(r.destination);
      if (after != null && pointsAt(after, target)) {
        outcomes.set(r, { verified: true, after, error: undefined });
      } else {
        outcomes.set(r, { verified: false, after, error: undefined });
        still.push(r);
      }
    }
    pending = still;
    if (pending.length === 0) break;
    if (clock.now() + delayMs > deadline) break;
    ctx.logger.debug(
      { event: 'verify_stale', pending: pending.length, pass: passes, delayMs },
      `${pending.length} route(s) not yet visible; re-reading in ${delayMs} ms`,
    );
    try {
      await clock.sleep(delayMs, signal);
    } catch {
      throw new RouteSwitcherError('ABORTED', 'verification aborted', { cause: signal?.reason });
    }
    delayMs = Math.min(delayMs * 2, config.verifyMaxIntervalMs);
  }
  for (const r of pending) {
    const o = outcomes.get(r) as VerifyOutcome;
    o.error = new RouteSwitcherError(
      'VERIFY_TIMEOUT',
      `route ${r.destination} in ${r.routeTableId} still shows ${describeView(o.after)} after ${passes} read(s) over ${config.verifyTimeoutMs} ms`,
      { retryable: true },
    );
  }
  return { outcomes, describeCalls };
}

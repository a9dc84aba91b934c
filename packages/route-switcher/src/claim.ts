import { CreateRouteCommand, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import type { NormalizedClaim } from './claim-input';
import type { SwitcherContext } from './context';
import { throwIfAborted } from './ec2-error';
import { linkSignal } from './linked-signal';
import { RouteSwitcherError } from './errors';
import { planRoutes, type PlannedCall, type PlannedRoute, type RouteDecision } from './plan-routes';
import { readRouteTablesById } from './read-route-tables';
import { describeView, targetId, type RouteTarget, type RouteView } from './route-target';
import { runLimited } from './run-limited';
import { verifyRoutes, type RouteToVerify } from './verify-routes';

/** A mutating call a claim sent, with how it ended. */
export interface ExecutedCall {
  action: PlannedCall['action'];
  input: PlannedCall['input'];
  /** `ok`, or the error code it ended with (after the call's own retries). */
  outcome: 'ok' | RouteSwitcherError['code'];
}

export type RouteStatus =
  /** Already pointed at the target; nothing sent. */
  | 'unchanged'
  /** ReplaceRoute succeeded. */
  | 'replaced'
  /** CreateRoute succeeded. */
  | 'created'
  /** Left alone because of `expectCurrent`. */
  | 'skipped'
  /** The table is missing or the write failed. */
  | 'failed';

export interface RouteOutcome {
  routeTableId: string;
  destination: string;
  /** The route as first read; `undefined` = no route for the destination. */
  before: RouteView | undefined;
  decision: RouteDecision;
  status: RouteStatus;
  /**
   * A read showed the route at the target: after the write for `replaced`/`created`, the first read
   * for `unchanged`. `false` for a write whose effect never became visible within `verifyTimeoutMs`.
   */
  verified: boolean;
  /** The route as last read (after verification). */
  after: RouteView | undefined;
  error: RouteSwitcherError | undefined;
}

export interface TableOutcome {
  routeTableId: string;
  /** Every destination of the table points at the target, verified. */
  ok: boolean;
  routes: RouteOutcome[];
}

export interface ClaimResult {
  /** Every route of every table points at the target and was verified by a read. */
  ok: boolean;
  target: RouteTarget;
  /** Per-table results, in the order of `tables`. */
  tables: TableOutcome[];
  /** Mutating calls made, in the order they were started (retries of one call are not repeated). */
  calls: ExecutedCall[];
  /** DescribeRouteTables calls made (read pass + verification passes, one per page). */
  describeCalls: number;
  durationMs: number;
}

interface Applied {
  status: 'replaced' | 'created' | 'failed' | 'aborted';
  error: RouteSwitcherError | undefined;
}

/**
 * Sends the planned call for one route, with the race-safe fallbacks of §3.2: ReplaceRoute that
 * finds no route (InvalidParameterValue, rule 24) → CreateRoute; CreateRoute that finds one
 * (RouteAlreadyExists, rule 23) → ReplaceRoute. One flip at most, so a misconfigured target (also
 * InvalidParameterValue: "belong to different networks", rule 27) costs two calls, not a loop.
 * Throttles, 5xx and timeouts are retried inside `caller.call`; a timed-out CreateRoute that did
 * land comes back as RouteAlreadyExists and flips to ReplaceRoute, which is idempotent (rule 28).
 */
async function applyRoute(
  ctx: SwitcherContext,
  planned: PlannedRoute,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  record: (call: ExecutedCall) => void,
): Promise<Applied> {
  let call = planned.call as PlannedCall;
  let flipped: RouteSwitcherError | undefined;
  for (;;) {
    const sentCall: ExecutedCall = { action: call.action, input: call.input, outcome: 'ok' };
    let sent = false;
    const options = {
      signal,
      timeoutMs,
      onSend: (attempt: number) => {
        // Record a call once, when its first attempt is really handed to the SDK: a call still
        // waiting for a token when the lease goes was never sent and is not listed.
        if (attempt === 1) record(sentCall);
        sent = true;
      },
    };
    const settle = (outcome: ExecutedCall['outcome']): void => {
      if (sent) sentCall.outcome = outcome;
    };
    try {
      if (call.action === 'ReplaceRoute') {
        const input = call.input;
        await ctx.caller.call(
          'ReplaceRoute',
          (abortSignal) => ctx.ec2.send(new ReplaceRouteCommand(input), { abortSignal }),
          options,
        );
      } else {
        const input = call.input;
        await ctx.caller.call(
          'CreateRoute',
          (abortSignal) => ctx.ec2.send(new CreateRouteCommand(input), { abortSignal }),
          options,
        );
      }
      settle('ok');
      return { status: call.action === 'ReplaceRoute' ? 'replaced' : 'created', error: undefined };
    } catch (err) {
      const e = RouteSwitcherError.isInstance(err)
        ? err
        : new RouteSwitcherError('EC2_REQUEST_FAILED', String(err), { cause: err });
      settle(e.code);
      if (e.code === 'ABORTED') return { status: 'aborted', error: e };
      if (flipped == null && call.action === 'ReplaceRoute' && e.ec2Code === 'InvalidParameterValue') {
        flipped = e;
        call = { action: 'CreateRoute', input: call.input };
        continue;
      }
      if (flipped == null && call.action === 'CreateRoute' && e.ec2Code === 'RouteAlreadyExists') {
        flipped = e;
        call = { action: 'ReplaceRoute', input: call.input };
        continue;
      }
      // Replace → InvalidParameterValue → Create → RouteAlreadyExists: the route exists, so the
      // Replace error was not "no route" — it is the real reason (e.g. target in another VPC).
      const reported =
        flipped != null && call.action === 'CreateRoute' && e.ec2Code === 'RouteAlreadyExists' ? flipped : e;
      return { status: 'failed', error: reported };
    }
  }
}

function decisionError(p: PlannedRoute, target: RouteTarget): RouteSwitcherError | undefined {
  if (p.decision === 'table-missing') {
    return new RouteSwitcherError('ROUTE_TABLE_NOT_FOUND', `route table ${p.routeTableId} not found`, {
      details: { routeTableId: p.routeTableId },
    });
  }
  if (p.decision === 'skip-expect-mismatch') {
    return new RouteSwitcherError(
      'EXPECT_CURRENT_MISMATCH',
      `route ${p.destination} in ${p.routeTableId} points at ${describeView(p.before)}, not at an expected target; left alone (wanted ${targetId(target)})`,
      { details: { routeTableId: p.routeTableId, destination: p.destination } },
    );
  }
  return undefined;
}

/**
 * One claim: a single read pass (one DescribeRouteTables for all tables), the plan, the writes that
 * are needed (concurrently, through the token bucket), then verification re-reads. Aborting the
 * signal stops new writes, aborts in-flight ones, and rejects with `ABORTED`; the error's
 * `details.calls` lists the writes that had been sent.
 */
export async function runClaim(ctx: SwitcherContext, claim: NormalizedClaim): Promise<ClaimResult> {
  const link = linkSignal(claim.signal);
  try {
    return await claimWith(ctx, claim, link.signal);
  } finally {
    link.dispose();
  }
}

async function claimWith(
  ctx: SwitcherContext,
  claim: NormalizedClaim,
  signal: AbortSignal,
): Promise<ClaimResult> {
  const { clock, logger, config } = ctx;
  const started = clock.now();
  const { target } = claim;
  const timeoutMs = claim.callTimeoutMs ?? config.callTimeoutMs;
  throwIfAborted(signal, 'claim');

  const read = await readRouteTablesById(ctx, claim.tables, signal);
  let describeCalls = read.calls;
  const planned = planRoutes(claim.tables, claim.destinations, target, claim.expectCurrent, read.found);

  const calls: ExecutedCall[] = [];
  const recordStart = (call: ExecutedCall): void => {
    calls.push(call);
  };

  const writes = planned.filter((p) => p.call != null);
  const applied = await runLimited(
    writes,
    config.concurrency,
    (p) => applyRoute(ctx, p, timeoutMs, signal, recordStart),
    signal,
  );
  if (signal.aborted) {
    throw new RouteSwitcherError('ABORTED', 'claim aborted', { cause: signal.reason, details: { calls } });
  }

  const appliedBy = new Map<PlannedRoute, Applied>();
  writes.forEach((p, i) => appliedBy.set(p, applied[i] as Applied));

  const toVerify: (RouteToVerify & { planned: PlannedRoute })[] = [];
  for (const p of writes) {
    const a = appliedBy.get(p) as Applied;
    if (a.status === 'replaced' || a.status === 'created') {
      toVerify.push({ routeTableId: p.routeTableId, destination: p.destination, planned: p });
    }
  }
  const verified = await verifyRoutes(ctx, toVerify, target, signal).catch((err: unknown) => {
    // The writes are done; an abort during verification still tells the caller what was sent.
    if (RouteSwitcherError.isInstance(err) && err.code === 'ABORTED') {
      throw new RouteSwitcherError('ABORTED', 'claim aborted during verification', {
        cause: signal.reason,
        details: { calls },
      });
    }
    throw err;
  });
  describeCalls += verified.describeCalls;

  const outcomes: RouteOutcome[] = planned.map((p) => {
    const base = {
      routeTableId: p.routeTableId,
      destination: p.destination,
      before: p.before,
      decision: p.decision,
    };
    const a = appliedBy.get(p);
    if (a == null) {
      const error = decisionError(p, target);
      const status: RouteStatus =
        p.decision === 'none' ? 'unchanged' : p.decision === 'table-missing' ? 'failed' : 'skipped';
      return { ...base, status, verified: p.decision === 'none', after: p.before, error };
    }
    if (a.status === 'failed' || a.status === 'aborted') {
      return { ...base, status: 'failed', verified: false, after: undefined, error: a.error };
    }
    const v = verified.outcomes.get(toVerify.find((t) => t.planned === p) as RouteToVerify);
    return { ...base, status: a.status, verified: v?.verified ?? false, after: v?.after, error: v?.error };
  });

  const tables: TableOutcome[] = claim.tables.map((routeTableId) => {
    const routes = outcomes.filter((o) => o.routeTableId === routeTableId);
    return { routeTableId, ok: routes.every((r) => r.error == null && r.verified), routes };
  });
  const result: ClaimResult = {
    ok: tables.every((t) => t.ok),
    target,
    tables,
    calls,
    describeCalls,
    durationMs: clock.now() - started,
  };
  for (const o of outcomes) {
    if (o.status === 'replaced' || o.status === 'created') {
      logger.info(
        {
          event: o.status === 'replaced' ? 'route_replaced' : 'route_created',
          routeTableId: o.routeTableId,
          destination: o.destination,
          from: describeView(o.before),
          to: targetId(target),
          verified: o.verified,
        },
        `${o.routeTableId} ${o.destination}: ${describeView(o.before)} -> ${targetId(target)}`,
      );
    }
    if (o.error != null) {
      logger.warn(
        {
          event: 'route_not_claimed',
          routeTableId: o.routeTableId,
          destination: o.destination,
          code: o.error.code,
          ec2Code: o.error.ec2Code,
        },
        o.error.message,
      );
    }
  }
  logger.info(
    {
      event: 'claim_done',
      ok: result.ok,
      tables: tables.length,
      writes: calls.length,
      describeCalls,
      durationMs: result.durationMs,
      target: targetId(target),
    },
    `claim ${result.ok ? 'complete' : 'incomplete'}: ${calls.length} write(s) in ${result.durationMs} ms`,
  );
  return result;
}

import type { NormalizedClaim } from './claim-input';
import type { SwitcherContext } from './context';
import type { DryRunVerdict } from './ec2-caller';
import { throwIfAborted } from './ec2-error';
import { linkSignal } from './linked-signal';
import { planRoutes, type PlannedCall, type PlannedRoute } from './plan-routes';
import { readRouteTablesById } from './read-route-tables';
import { CreateRouteCommand, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { describeView, targetId, type RouteTarget } from './route-target';
import { runLimited } from './run-limited';

/** A planned call, with the DryRun verdict when `checkPermissions` was set. */
export interface PlanCall {
  action: PlannedCall['action'];
  /** The exact SDK command input `claim` would send (without `DryRun`). */
  input: PlannedCall['input'];
  permission?: 'allowed' | 'denied' | 'inconclusive';
  /** Why the DryRun was denied or inconclusive. */
  permissionMessage?: string;
}

/** What `claim` would do now, computed from one read, without mutating anything. */
export interface ClaimPlan {
  target: RouteTarget;
  destinations: string[];
  /** Every route with its decision, in table order. */
  routes: PlannedRoute[];
  /** The mutating calls `claim` would send, in the order it would start them. */
  calls: PlanCall[];
  /** Route tables that were not found. */
  missingTables: string[];
  describeCalls: number;
}

export interface PlanOptions {
  /**
   * Also send every planned call with `DryRun: true` (AWSnycast's `-noop`) and record EC2's verdict:
   * DryRunOperation = allowed, UnauthorizedOperation = denied (§2.10). Nothing changes either way.
   */
  checkPermissions?: boolean;
}

/**
 * Dry-run/plan mode: the same read and decision logic as `claim` (`planRoutes`), so the calls listed
 * are exactly the ones a claim started from the same state would send.
 */
export async function runPlan(
  ctx: SwitcherContext,
  claim: NormalizedClaim,
  options: PlanOptions,
): Promise<ClaimPlan> {
  const { signal, target } = claim;
  throwIfAborted(signal, 'plan');
  const read = await readRouteTablesById(ctx, claim.tables, signal);
  const routes = planRoutes(claim.tables, claim.destinations, target, claim.expectCurrent, read.found);
  const calls: PlanCall[] = routes.flatMap((r) =>
    r.call == null ? [] : [{ action: r.call.action, input: r.call.input }],
  );
  if (options.checkPermissions === true) {
    const timeoutMs = claim.callTimeoutMs ?? ctx.config.callTimeoutMs;
    const link = linkSignal(claim.signal);
    const verdicts = await runLimited(
      calls,
      ctx.config.concurrency,
      (c): Promise<DryRunVerdict> => {
        const input = { ...c.input, DryRun: true };
        return c.action === 'ReplaceRoute'
          ? ctx.caller.dryRun(
              'ReplaceRoute',
              (s) => ctx.ec2.send(new ReplaceRouteCommand(input), { abortSignal: s }),
              { signal: link.signal, timeoutMs },
            )
          : ctx.caller.dryRun(
              'CreateRoute',
              (s) => ctx.ec2.send(new CreateRouteCommand(input), { abortSignal: s }),
              { signal: link.signal, timeoutMs },
            );
      },
      link.signal,
    ).finally(() => link.dispose());
    throwIfAborted(signal, 'plan');
    calls.forEach((c, i) => {
      const v = verdicts[i];
      if (v == null) return;
      c.permission = v.verdict;
      if (v.verdict === 'denied') c.permissionMessage = v.message;
      if (v.verdict === 'inconclusive') c.permissionMessage = v.error.message;
    });
  }
  return {
    target,
    destinations: claim.destinations.map((d) => d.cidr),
    routes,
    calls,
    missingTables: claim.tables.filter((t) => !read.found.has(t)),
    describeCalls: read.calls,
  };
}

const DECISION_TEXT = {
  none: 'already points at target',
  replace: 'ReplaceRoute',
  create: 'CreateRoute (no route)',
  'skip-expect-mismatch': 'skip: not an expected target',
  'table-missing': 'ERROR: route table not found',
} as const;

/** Prints a plan as a table for `nat-agent plan`: one line per route, then the exact calls. */
export function formatPlan(plan: ClaimPlan): string {
  const rows = plan.routes.map((r) => [
    r.routeTableId,
    r.destination,
    describeView(r.before),
    DECISION_TEXT[r.decision],
  ]);
  const header = ['route table', 'destination', 'current target', 'action'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  const out = [
    `target: ${targetId(plan.target)}`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    plan.calls.length === 0
      ? 'calls: none (every route already points at the target)'
      : `calls (${plan.calls.length}):`,
    ...plan.calls.map((c) => {
      const verdict =
        c.permission == null
          ? ''
          : `  # DryRun: ${c.permission}${c.permissionMessage == null ? '' : ` (${c.permissionMessage})`}`;
      return `  ${c.action} ${JSON.stringify(c.input)}${verdict}`;
    }),
  ];
  return out.join('\n');
}

import { formatIssues } from '../config/load-config';
import { resolveGroups } from '../config/resolve-groups';
import { createNodeClock } from '../core/node-clock';
import { describeError } from '../errors';
import type { Logger, RoutePlan } from '../ports';
import { loadFromArgs, type CommandArgs, type CommandContext } from './command-context';
import type { WiringFactory } from './wiring';

const silent: Logger = { event: () => undefined };

/**
 * `nat-agent plan`: what this instance would write if it were elected now, per group. Reads IMDS
 * and EC2 only (route-switcher's plan mode); registers nothing and writes nothing.
 */
export async function planCommand(
  args: CommandArgs,
  ctx: CommandContext,
  deps: { wiring: WiringFactory },
): Promise<number> {
  const loaded = loadFromArgs(args, ctx);
  if (!loaded.ok) {
    ctx.io.stderr(`nat-agent: ${formatIssues(loaded.issues, loaded.file)}\n`);
    return 2;
  }
  const config = loaded.config;
  const signal = AbortSignal.timeout(30_000);
  try {
    const wiring = deps.wiring({ config, env: ctx.env, clock: createNodeClock(), logger: silent, signal });
    const identity = await wiring.identity(signal);
    const routesOf = wiring.routesFor(identity);
    const out: Array<{ group: string; role: string; plan?: RoutePlan; error?: string }> = [];
    for (const group of resolveGroups(config, identity.az)) {
      try {
        out.push({ group: group.name, role: group.role, plan: await routesOf(group).plan(signal) });
      } catch (error) {
        const e = describeError(error);
        out.push({ group: group.name, role: group.role, error: `${e.code}: ${e.message}` });
      }
    }
    if (args.json) ctx.io.stdout(`${JSON.stringify({ instance: identity, groups: out }, null, 2)}\n`);
    else ctx.io.stdout(renderPlan(identity.instanceId, identity.networkInterfaceId, out));
    return out.some((g) => g.error !== undefined) ? 1 : 0;
  } catch (error) {
    const e = describeError(error);
    ctx.io.stderr(`nat-agent: plan failed: ${e.code}: ${e.message}\n`);
    return 1;
  }
}

export function renderPlan(
  instanceId: string,
  eni: string,
  groups: Array<{ group: string; role: string; plan?: RoutePlan; error?: string }>,
): string {
  const lines = [`If ${instanceId} (${eni}) were elected now:`];
  for (const g of groups) {
    lines.push('', `group ${g.group} (${g.role}):`);
    if (g.error !== undefined) {
      lines.push(`  cannot plan: ${g.error}`);
      continue;
    }
    const plan = g.plan as RoutePlan;
    for (const r of plan.routes)
      lines.push(
        `  ${r.routeTableId} ${r.destination} -> ${r.target}${r.state === 'blackhole' ? ' (blackhole)' : ''}`,
      );
    if (plan.calls.length === 0) lines.push('  no change: every route already points here');
    for (const c of plan.calls) lines.push(`  would call ${c.action} ${JSON.stringify(c.params)}`);
  }
  return `${lines.join('\n')}\n`;
}

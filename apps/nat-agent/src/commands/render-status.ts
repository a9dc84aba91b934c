import type { AgentStatus } from '../core/agent';
import type { ClusterSnapshot } from '../ports';

export interface StatusView {
  /** The local agent's /status, or why it could not be read. */
  local: AgentStatus | { error: string };
  /** Consul's view, or why it could not be read. */
  cluster: ClusterSnapshot | { error: string };
  /** Group name → lock key (from the local config). */
  groups: Array<{ name: string; key: string }>;
  now: number;
}

const hasError = (v: object): v is { error: string } => 'error' in v;

function ago(now: number, at: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

function checkSummary(checks: ClusterSnapshot['instances'][number]['checks']): string {
  const bad = checks.filter((c) => c.status !== 'passing');
  if (bad.length === 0) return 'passing';
  return bad.map((c) => `${c.name}=${c.status}`).join(',');
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The table `nat-agent status` prints: one row per group. */
export function renderStatus(view: StatusView): string {
  const lines: string[] = [];
  const local = hasError(view.local) ? undefined : view.local;
  const cluster = hasError(view.cluster) ? undefined : view.cluster;
  if (local !== undefined) {
    const r = local.ready;
    lines.push(
      `agent ${local.instance.instanceId} (${local.instance.az}) v${local.version}: health ${local.health.reported.status}` +
        `${local.health.reported.reasons.length > 0 ? ` (${local.health.reported.reasons.join('; ')})` : ''}` +
        `, ready ${r.ok ? 'yes' : 'no'}${local.draining === null ? '' : `, DRAINING (${local.draining.reason})`}`,
    );
  } else lines.push(`agent: unreachable (${(view.local as { error: string }).error})`);
  if (cluster === undefined) lines.push(`consul: unreachable (${(view.cluster as { error: string }).error})`);
  lines.push('');

  const rows: string[][] = [['GROUP', 'LEADER', 'CANDIDATES', 'ROUTES', 'THIS AGENT', 'LAST FAILOVER']];
  for (const g of view.groups) {
    const holder = cluster?.holders[g.key];
    const leaderInstance =
      holder == null
        ? undefined
        : (cluster?.instances.find((i) => i.node === holder.node)?.instanceId ?? holder.node);
    const leader =
      cluster === undefined
        ? '?'
        : holder == null
          ? '(none)'
          : (leaderInstance ?? holder.session.slice(0, 8));
    const candidates =
      cluster === undefined
        ? '?'
        : cluster.instances
            .filter((i) => i.groups[g.name] !== undefined)
            .map((i) => `${i.instanceId}[${i.groups[g.name]}]:${checkSummary(i.checks)}`)
            .join(' ') || '(none)';
    const mine = local?.groups.find((x) => x.name === g.name);
    const routes =
      mine?.routes === undefined
        ? '-'
        : [...new Set(mine.routes.entries.map((e) => e.target))].join(',') +
          ` (${ago(view.now, mine.routes.at)})`;
    const failover =
      mine?.lastFailover === undefined
        ? '-'
        : `${mine.lastFailover.direction}${mine.lastFailover.reason === undefined ? '' : `:${mine.lastFailover.reason}`}` +
          `${mine.lastFailover.sinceKeyFreeMs === undefined ? '' : ` in ${Math.round(mine.lastFailover.sinceKeyFreeMs)}ms`}` +
          ` ${ago(view.now, mine.lastFailover.at)}`;
    rows.push([
      g.name,
      leader,
      candidates,
      routes,
      mine === undefined ? '-' : `${mine.state} (${mine.role})`,
      failover,
    ]);
  }
  lines.push(table(rows));
  return `${lines.join('\n')}\n`;
}

/**
 * The bench's results document (JSON) and its Markdown rendering (docs/benchmarks.md takes the
 * table verbatim). Pure: tested with hand-made results.
 */
import type { Summary } from '../util/stats';

export interface MachineInfo {
  nproc: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  kernel: string;
  loadAverage: number[];
}

export interface ScenarioStats {
  name: string;
  runs: number;
  failures: number;
  failoverMs: Summary;
  /** Dataplane mode only: the probe stream's longest gap. */
  outageMs?: Summary;
  ec2CallsPerFailover: Summary;
  expectation: string;
  /** Failure messages (first few). */
  problems: string[];
}

export interface TableScaling {
  tables: number;
  runs: number;
  /** Elected → every table verified (the new leader's claim). */
  claimMs: Summary;
  /** Fault (SIGTERM) → every table on the new leader. */
  failoverMs: Summary;
  /** What EC2's mutating token bucket allows at best: max(0, N − burst) / rate, plus one write's latency. */
  bucketLimitMs: number;
  writes: Summary;
  throttled: Summary;
}

export interface CandidateScaling {
  candidates: number;
  runs: number;
  failoverMs: Summary;
}

export interface TargetCheck {
  name: string;
  target: string;
  value: string;
  met: boolean | null;
}

/** One agent's footprint at the end of the idle window. */
export interface FootprintRow {
  name: string;
  /** VmRSS: includes the node binary's pages, shared by every Node process on the host. */
  rssMiB: number;
  /** Proportional set size and unique set size (Private_Clean + Private_Dirty), smaps_rollup. */
  pssMiB: number | null;
  ussMiB: number | null;
  cpuPercent: number;
}

export interface BenchResults {
  version: 1;
  date: string;
  command: string;
  quick: boolean;
  durationS: number;
  machine: MachineInfo;
  config: { latency: string; dataplane: boolean; notes: string[] };
  scenarios: ScenarioStats[];
  baseline: {
    profile: string;
    complete: boolean;
    settings: string;
    scenarios: ScenarioStats[];
    /** Baseline crash failover / nat-ha crash failover. */
    crashRatio: { p50: number | null; p95: number | null };
  } | null;
  scaling: { tables: TableScaling[]; candidates: CandidateScaling[] };
  steadyState: {
    windowS: number;
    ec2Calls: number;
    byAction: Record<string, number>;
    perHour: number;
    agents: number;
  } | null;
  footprint: {
    windowS: number;
    agents: FootprintRow[];
    maxRssMiB: number;
    maxCpuPercent: number;
  } | null;
  targets: TargetCheck[];
}

function s(ms: number | null): string {
  if (ms == null) return '—';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function n(x: number | null, digits = 0): string {
  return x == null ? '—' : x.toFixed(digits);
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [row(head), row(head.map(() => '---')), ...rows.map(row)];
}

function scenarioRows(list: readonly ScenarioStats[], withOutage: boolean): string[][] {
  return list.map((x) => [
    `\`${x.name}\``,
    `${x.runs - x.failures}/${x.runs}`,
    s(x.failoverMs.p50),
    s(x.failoverMs.p95),
    s(x.failoverMs.max),
    ...(withOutage ? [s(x.outageMs?.p50 ?? null), s(x.outageMs?.max ?? null)] : []),
    n(x.ec2CallsPerFailover.p50),
    x.expectation,
  ]);
}

export function renderMarkdown(r: BenchResults): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(
    `Measured ${r.date} with \`${r.command}\`${r.quick ? ' (quick run)' : ''} in ${Math.round(r.durationS / 60)} min.`,
  );
  out.push(
    `Machine: ${m.nproc} CPU(s), ${m.cpu}, ${m.memoryGiB.toFixed(1)} GiB memory, Node ${m.node}, Linux ${m.kernel}; ` +
      `load average at the start ${m.loadAverage.map((x) => x.toFixed(1)).join(' / ')}.`,
  );
  out.push(`EC2 latency: ${r.config.latency}. ${r.config.notes.join(' ')}`);
  out.push('');
  out.push('### Failover: fault → every route of the group on the new leader (EC2 journal)');
  out.push('');
  const withOutage = r.scenarios.some((x) => x.outageMs != null);
  out.push(
    ...table(
      [
        'scenario',
        'ok',
        'p50',
        'p95',
        'max',
        ...(withOutage ? ['outage p50', 'outage max'] : []),
        'EC2 calls',
        'docs/safety.md expects',
      ],
      scenarioRows(r.scenarios, withOutage),
    ),
  );
  if (r.baseline != null) {
    out.push('');
    out.push(`### Baseline: ${r.baseline.profile}${r.baseline.complete ? '' : ' (partial)'}`);
    out.push('');
    out.push(r.baseline.settings);
    out.push('');
    out.push(
      ...table(
        ['scenario', 'ok', 'p50', 'p95', 'max', 'EC2 calls', 'expected'],
        scenarioRows(r.baseline.scenarios, false),
      ),
    );
    out.push('');
    out.push(
      `Crash failover, baseline ÷ nat-ha: **${n(r.baseline.crashRatio.p50, 1)}×** at p50, **${n(r.baseline.crashRatio.p95, 1)}×** at p95.`,
    );
  }
  if (r.scaling.tables.length > 0) {
    out.push('');
    out.push('### Claim time with EC2 throttling on (published token buckets: mutating 50 burst, 5/s)');
    out.push('');
    out.push(
      ...table(
        [
          'route tables',
          'runs',
          'claim p50',
          'claim max',
          'failover p50',
          'bucket limit',
          'claim ÷ limit',
          'writes',
          'throttled',
        ],
        r.scaling.tables.map((t) => [
          String(t.tables),
          String(t.runs),
          s(t.claimMs.p50),
          s(t.claimMs.max),
          s(t.failoverMs.p50),
          s(t.bucketLimitMs),
          // Below the burst the bucket does not limit anything: the ratio would only measure latency.
          t.claimMs.p50 == null || t.tables <= 50 ? '—' : `${(t.claimMs.p50 / t.bucketLimitMs).toFixed(2)}`,
          n(t.writes.p50),
          n(t.throttled.p50),
        ]),
      ),
    );
  }
  if (r.scaling.candidates.length > 0) {
    out.push('');
    out.push('### Crash failover by number of candidates');
    out.push('');
    out.push(
      ...table(
        ['candidates', 'runs', 'p50', 'p95', 'max'],
        r.scaling.candidates.map((c) => [
          String(c.candidates),
          String(c.runs),
          s(c.failoverMs.p50),
          s(c.failoverMs.p95),
          s(c.failoverMs.max),
        ]),
      ),
    );
  }
  if (r.steadyState != null || r.footprint != null) {
    out.push('');
    out.push('### Steady state');
    out.push('');
    if (r.steadyState != null) {
      const ss = r.steadyState;
      const actions = Object.entries(ss.byAction)
        .map(([a, c]) => `${a} ${c}`)
        .join(', ');
      out.push(
        `EC2 calls by ${ss.agents} agents over a ${ss.windowS} s idle window: ${ss.ec2Calls} (${actions || 'none'}), ` +
          `**${Math.round(ss.perHour)} per hour** (extrapolated linearly from the window).`,
      );
    }
    if (r.footprint != null) {
      const f = r.footprint;
      out.push('');
      out.push(
        ...table(
          ['agent', 'RSS', 'PSS', 'USS (private)', 'idle CPU'],
          f.agents.map((a) => [
            a.name,
            `${a.rssMiB.toFixed(1)} MiB`,
            a.pssMiB == null ? '—' : `${a.pssMiB.toFixed(1)} MiB`,
            a.ussMiB == null ? '—' : `${a.ussMiB.toFixed(1)} MiB`,
            `${a.cpuPercent.toFixed(2)} % of a core`,
          ]),
        ),
      );
      out.push('');
      out.push(
        `RSS from /proc/<pid>/status VmRSS at the end of the window (it counts the node binary's pages, shared by every ` +
          `Node process); PSS and USS from /proc/<pid>/smaps_rollup; CPU from /proc/<pid>/stat utime+stime over ${f.windowS} s. ` +
          `Agents run with the systemd unit's glibc allocator settings (MALLOC_*).`,
      );
    }
  }
  if (r.targets.length > 0) {
    out.push('');
    out.push('### Targets');
    out.push('');
    out.push(
      ...table(
        ['target', 'wanted', 'measured', 'met'],
        r.targets.map((t) => [
          t.name,
          t.target,
          t.value,
          t.met == null ? 'not measured' : t.met ? 'yes' : '**no**',
        ]),
      ),
    );
  }
  const problems = [...r.scenarios, ...(r.baseline?.scenarios ?? [])].filter((x) => x.problems.length > 0);
  if (problems.length > 0) {
    out.push('');
    out.push('### Failed runs');
    out.push('');
    for (const p of problems) for (const msg of p.problems) out.push(`- \`${p.name}\`: ${msg}`);
  }
  return `${out.join('\n')}\n`;
}

/** The brief's targets, judged on the results (null when not measured). */
export function judgeTargets(r: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const p95 = (name: string) => r.scenarios.find((x) => x.name === name)?.failoverMs.p95 ?? null;
  const check = (
    name: string,
    target: string,
    value: number | null,
    limit: number,
    unit: (v: number) => string,
  ): TargetCheck => ({
    name,
    target,
    value: value == null ? '—' : unit(value),
    met: value == null ? null : value <= limit,
  });
  const out: TargetCheck[] = [
    check('graceful p95', '≤ 0.5 s', p95('graceful'), 500, s),
    check('crash p95', '≤ 3 s', p95('crash'), 3_000, s),
    check('health p95', '≤ 3.5 s', p95('health'), 3_500, s),
  ];
  const ratio = r.baseline?.crashRatio.p50 ?? null;
  out.push({
    name: 'crash vs Consul defaults',
    target: '≥ 5× faster',
    value: ratio == null ? '—' : `${ratio.toFixed(1)}×`,
    met: ratio == null ? null : ratio >= 5,
  });
  const t100 = r.scaling.tables.find((t) => t.tables === 100);
  const claimRatio = t100?.claimMs.p50 == null ? null : t100.claimMs.p50 / t100.bucketLimitMs;
  out.push({
    name: '100-table claim',
    target: 'within 20 % of the token-bucket limit',
    value:
      claimRatio == null
        ? '—'
        : `${s(t100?.claimMs.p50 ?? null)} vs ${s(t100?.bucketLimitMs ?? null)} (${claimRatio.toFixed(2)}×)`,
    met: claimRatio == null ? null : claimRatio <= 1.2,
  });
  out.push(
    check(
      'agent RSS',
      '≤ 60 MB',
      r.footprint?.maxRssMiB ?? null,
      60_000_000 / 1_048_576,
      (v) => `${v.toFixed(1)} MiB`,
    ),
  );
  out.push(
    check(
      'idle CPU',
      '≤ 0.5 % of a core',
      r.footprint?.maxCpuPercent ?? null,
      0.5,
      (v) => `${v.toFixed(2)} %`,
    ),
  );
  return out;
}

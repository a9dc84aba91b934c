/**
 * `pnpm bench`: failover times per scenario on the default lab (realistic EC2 latency), the same
 * harness with Consul's default lock settings as a baseline, claim time for 1/10/100 route tables with
 * EC2 throttling on, failover time with 2/5/10 candidates, EC2 calls per failover and per hour of
 * steady state, and the agents' RSS and idle CPU.
 */
import { cpus, freemem, loadavg, release, totalmem } from 'node:os';
import { describeError, LabError } from '../errors';
import { createLab, type Lab, type LabOptions } from '../lab/lab';
import type { DataplaneProbe } from '../netns/netns-platform';
import { countCalls, perHour } from '../measure/ec2-calls';
import { cpuFraction, sampleProcess, type ProcSample } from '../process/proc-stats';
import { runScenario, type ScenarioResult } from '../scenarios/run-scenario';
import { SCENARIOS, type ScenarioName } from '../scenarios/scenarios';
import { summarize } from '../util/stats';
import { sleep } from '../util/wait';
import type { YamlValue } from '../util/yaml';
import {
  judgeTargets,
  type BenchResults,
  type CandidateScaling,
  type FootprintRow,
  type MachineInfo,
  type ScenarioStats,
  type TableScaling,
} from './bench-report';

export interface BenchPlan {
  scenarios: { name: ScenarioName; runs: number }[];
  baseline: { name: ScenarioName; runs: number }[];
  tables: { tables: number; runs: number }[];
  candidates: { candidates: number; runs: number }[];
  idleWindowS: number;
}

export function benchPlan(quick: boolean): BenchPlan {
  if (quick) {
    return {
      scenarios: [
        { name: 'graceful', runs: 3 },
        { name: 'health', runs: 3 },
        { name: 'crash', runs: 5 },
        { name: 'spot', runs: 2 },
        { name: 'node', runs: 1 },
        { name: 'partition', runs: 1 },
      ],
      baseline: [{ name: 'crash', runs: 2 }],
      tables: [
        { tables: 1, runs: 1 },
        { tables: 10, runs: 1 },
        { tables: 100, runs: 1 },
      ],
      candidates: [
        { candidates: 2, runs: 2 },
        { candidates: 5, runs: 2 },
        { candidates: 10, runs: 2 },
      ],
      idleWindowS: 65,
    };
  }
  return {
    scenarios: [
      { name: 'graceful', runs: 20 },
      { name: 'health', runs: 20 },
      { name: 'crash', runs: 20 },
      { name: 'spot', runs: 10 },
      { name: 'node', runs: 10 },
      { name: 'partition', runs: 10 },
    ],
    baseline: [
      { name: 'crash', runs: 10 },
      { name: 'graceful', runs: 5 },
    ],
    tables: [
      { tables: 1, runs: 3 },
      { tables: 10, runs: 3 },
      { tables: 100, runs: 3 },
    ],
    candidates: [
      { candidates: 2, runs: 10 },
      { candidates: 5, runs: 10 },
      { candidates: 10, runs: 10 },
    ],
    idleWindowS: 300,
  };
}

/** EC2's published mutating bucket (EC2_PUBLISHED_LIMITS) and the realistic write latency. */
const MUTATING_BURST = 50;
const MUTATING_PER_SECOND = 5;
const WRITE_LATENCY_MS = 150;

export function bucketLimitMs(tables: number): number {
  return (Math.max(0, tables - MUTATING_BURST) * 1000) / MUTATING_PER_SECOND + WRITE_LATENCY_MS;
}

export interface BaselineProfile {
  name: string;
  complete: boolean;
  settings: string;
  overrides: { [key: string]: YamlValue | undefined };
}

export interface BenchOptions {
  quick: boolean;
  command: string;
  agentBundle?: string;
  /** The dataplane platform (inner `--netns` process), for the main scenarios only. */
  platform?: LabOptions['platform'];
  startProbe?: (lab: Lab) => Promise<DataplaneProbe>;
  baseline: BaselineProfile;
  signal?: AbortSignal;
  progress: (message: string) => void;
  plan?: BenchPlan;
}

export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    nproc: c.length,
    cpu: c[0]?.model.trim() ?? 'unknown',
    memoryGiB: totalmem() / 1024 ** 3,
    node: process.versions.node,
    kernel: release(),
    loadAverage: loadavg(),
  };
}

function stats(
  name: string,
  results: readonly ScenarioResult[],
  expectation: string,
  outages?: number[],
): ScenarioStats {
  const ok = results.filter((r) => r.success && r.timings.failoverMs != null);
  const problems = results
    .filter((r) => !r.success)
    .slice(0, 5)
    .map(
      (r) =>
        [
          ...r.errors,
          ...r.invariants
            .filter((i) => !i.ok)
            .flatMap((i) => i.violations.map((v) => `${i.name}: ${v.message}`)),
        ].join('; ') || 'failed',
    );
  return {
    name,
    runs: results.length,
    failures: results.length - ok.length,
    failoverMs: summarize(ok.map((r) => r.timings.failoverMs as number)),
    ...(outages == null ? {} : { outageMs: summarize(outages) }),
    ec2CallsPerFailover: summarize(ok.map((r) => r.ec2Calls.total)),
    expectation,
    problems,
  };
}

async function withLab<T>(options: LabOptions, fn: (lab: Lab) => Promise<T>): Promise<T> {
  const lab = await createLab({ removeWorkDirOnClose: true, ...options });
  try {
    return await fn(lab);
  } finally {
    await lab.close();
  }
}

async function scenarioRuns(
  lab: Lab,
  name: ScenarioName,
  runs: number,
  o: BenchOptions,
  label: string,
  probe?: DataplaneProbe,
  timeoutMs?: number,
): Promise<{ results: ScenarioResult[]; outages: number[] }> {
  const results: ScenarioResult[] = [];
  const outages: number[] = [];
  for (let i = 0; i < runs; i++) {
    let r: ScenarioResult;
    try {
      r = await runScenario(lab, name, {
        ...(o.signal == null ? {} : { signal: o.signal }),
        ...(timeoutMs == null ? {} : { timeoutMs }),
      });
    } catch (error) {
      if (LabError.isInstance(error) && error.code === 'ABORTED') throw error;
      o.progress(`${label} ${name} ${i + 1}/${runs}: ${describeError(error)}`);
      await lab.faults.healAll(o.signal).catch(() => undefined);
      continue;
    }
    results.push(r);
    if (probe != null && r.timings.failoverMs != null) {
      outages.push(probe.outageSince(r.fault.at - 500).outageMs);
    }
    o.progress(
      `${label} ${name} ${i + 1}/${runs}: ${r.success ? `${r.timings.failoverMs ?? '?'} ms` : `FAILED ${r.errors.join('; ')}`}`,
    );
  }
  return { results, outages };
}

async function measureIdle(
  lab: Lab,
  windowS: number,
  o: BenchOptions,
): Promise<Pick<BenchResults, 'steadyState' | 'footprint'>> {
  await lab.waitSteady({ timeoutMs: 90_000, ...(o.signal == null ? {} : { signal: o.signal }) });
  // Let the last failover's reconcile and check traffic settle before the window starts.
  await sleep(5_000, o.signal);
  const agents = [...lab.agents.values()];
  const first = new Map<string, ProcSample>();
  for (const a of agents) {
    const s = a.pid == null ? undefined : await sampleProcess(a.pid);
    if (s != null) first.set(a.instanceId, s);
  }
  const from = Date.now();
  o.progress(`idle window: ${windowS} s of steady state`);
  await sleep(windowS * 1000, o.signal);
  const to = Date.now();
  const calls = countCalls(lab.sim.aws.control.calls(), from, to);
  const rows: FootprintRow[] = [];
  for (const a of agents) {
    const b = a.pid == null ? undefined : await sampleProcess(a.pid);
    const s0 = first.get(a.instanceId);
    if (b == null || s0 == null) continue;
    rows.push({
      name: a.name,
      rssMiB: b.rssBytes / 1_048_576,
      pssMiB: b.shares == null ? null : b.shares.pssBytes / 1_048_576,
      ussMiB: b.shares == null ? null : b.shares.ussBytes / 1_048_576,
      cpuPercent: cpuFraction(s0, b) * 100,
    });
  }
  return {
    steadyState: {
      windowS,
      ec2Calls: calls.total,
      byAction: calls.byAction,
      perHour: perHour(calls.total, to - from),
      agents: agents.length,
    },
    footprint:
      rows.length === 0
        ? null
        : {
            windowS,
            agents: rows,
            maxRssMiB: Math.max(...rows.map((r) => r.rssMiB)),
            maxCpuPercent: Math.max(...rows.map((r) => r.cpuPercent)),
          },
  };
}

export async function runBench(o: BenchOptions): Promise<BenchResults> {
  const started = Date.now();
  const plan = o.plan ?? benchPlan(o.quick);
  const machine = machineInfo();
  const common: LabOptions = {
    ...(o.agentBundle == null ? {} : { agentBundle: o.agentBundle }),
    ...(o.signal == null ? {} : { signal: o.signal }),
  };
  o.progress(
    `machine: ${machine.nproc} CPU(s), ${machine.cpu}, load ${machine.loadAverage.map((x) => x.toFixed(1)).join('/')}, ${(freemem() / 1024 ** 3).toFixed(1)} GiB free`,
  );

  // 1. Scenarios on the default lab, then its idle window.
  o.progress('scenarios on the default lab (3 NAT instances, one group, realistic EC2 latency)');
  const main = await withLab(
    { ...common, ...(o.platform == null ? {} : { platform: o.platform }) },
    async (lab) => {
      const probe = await o.startProbe?.(lab);
      try {
        const scenarios: ScenarioStats[] = [];
        for (const s of plan.scenarios) {
          const { results, outages } = await scenarioRuns(lab, s.name, s.runs, o, 'bench', probe);
          scenarios.push(
            stats(s.name, results, SCENARIOS[s.name].expectation, probe == null ? undefined : outages),
          );
        }
        const idle = await measureIdle(lab, plan.idleWindowS, o);
        return { scenarios, idle };
      } finally {
        probe?.stop();
      }
    },
  );

  // 2. The baseline: the same harness with Consul's default lock settings.
  o.progress(`baseline: ${o.baseline.name}${o.baseline.complete ? '' : ' (partial)'}`);
  const baselineScenarios = await withLab(
    { ...common, agentOverrides: o.baseline.overrides },
    async (lab) => {
      const out: ScenarioStats[] = [];
      for (const s of plan.baseline) {
        // Consul's defaults take 37.5–50 s for a crash (docs/safety.md): wait up to two minutes.
        const { results } = await scenarioRuns(lab, s.name, s.runs, o, 'baseline', undefined, 120_000);
        out.push(
          stats(
            s.name,
            results,
            s.name === 'crash' ? 'Consul defaults: 37.5–50 s (docs/safety.md)' : 'one round trip + claim',
          ),
        );
      }
      return out;
    },
  );
  const ours = main.scenarios.find((x) => x.name === 'crash')?.failoverMs;
  const theirs = baselineScenarios.find((x) => x.name === 'crash')?.failoverMs;
  const ratio = (a: number | null | undefined, b: number | null | undefined) =>
    a == null || b == null || b === 0 ? null : a / b;

  // 3. Claim time for many route tables, EC2 throttling on.
  const tables: TableScaling[] = [];
  for (const t of plan.tables) {
    o.progress(`claim with ${t.tables} route table(s), throttling on`);
    const runs = await withLab(
      { ...common, world: { privateRouteTables: t.tables }, throttling: true },
      async (lab) => {
        const out: { claim: number; failover: number; writes: number; throttled: number }[] = [];
        for (let i = 0; i < t.runs; i++) {
          await lab.waitSteady({ timeoutMs: 120_000, ...(o.signal == null ? {} : { signal: o.signal }) });
          // Start from a full bucket: EC2 refills 5 per second up to 50 (the previous claim used it).
          await sleep((MUTATING_BURST / MUTATING_PER_SECOND) * 1000 + 1_000, o.signal);
          const r = await runScenario(lab, 'graceful', { ...(o.signal == null ? {} : { signal: o.signal }) });
          const calls = countCalls(
            lab.sim.aws.control.calls(),
            r.fault.at,
            r.fault.at + (r.timings.convergedMs ?? 0) + 1,
          );
          const all = lab.sim.aws.control
            .calls()
            .filter(
              (c) =>
                c.action === 'ReplaceRoute' &&
                c.receivedAt >= r.fault.at &&
                c.receivedAt <= r.fault.at + (r.timings.convergedMs ?? 0),
            );
          if (r.timings.convergedMs != null && r.timings.acquiredMs != null) {
            out.push({
              claim: r.timings.convergedMs - r.timings.acquiredMs,
              failover: r.timings.convergedMs,
              writes: calls.byAction['ReplaceRoute'] ?? 0,
              throttled: all.filter((c) => c.outcome === 'RequestLimitExceeded').length,
            });
          }
          o.progress(`  ${t.tables} table(s) run ${i + 1}/${t.runs}: claim ${out.at(-1)?.claim ?? '?'} ms`);
        }
        return out;
      },
    );
    tables.push({
      tables: t.tables,
      runs: runs.length,
      claimMs: summarize(runs.map((x) => x.claim)),
      failoverMs: summarize(runs.map((x) => x.failover)),
      bucketLimitMs: bucketLimitMs(t.tables),
      writes: summarize(runs.map((x) => x.writes)),
      throttled: summarize(runs.map((x) => x.throttled)),
    });
  }

  // 4. Crash failover by number of candidates.
  const candidates: CandidateScaling[] = [];
  for (const c of plan.candidates) {
    o.progress(`crash failover with ${c.candidates} candidates`);
    const { results } = await withLab(
      { ...common, world: { natInstances: c.candidates, availabilityZones: Math.min(3, c.candidates) } },
      (lab) => scenarioRuns(lab, 'crash', c.runs, o, `${c.candidates} candidates`),
    );
    const ok = results.filter((r) => r.success && r.timings.failoverMs != null);
    candidates.push({
      candidates: c.candidates,
      runs: ok.length,
      failoverMs: summarize(ok.map((r) => r.timings.failoverMs as number)),
    });
  }

  const notes = [
    'Each run: a steady lab (healthy leader, all routes on it), one fault on the leader, the new leader measured from the Consul and EC2 journals, the fault undone, the lab steady again, the four invariants checked.',
    'Consul failure detection (serfHealth) is the emulator’s fixed 6 s delay for up to ten nodes.',
  ];
  if (o.platform != null)
    notes.push(
      'Dataplane mode: outage = longest gap in a 10 ms UDP probe stream through the NAT namespaces.',
    );
  const partial: Omit<BenchResults, 'targets'> = {
    version: 1,
    date: new Date(started).toISOString(),
    command: o.command,
    quick: o.quick,
    durationS: (Date.now() - started) / 1000,
    machine,
    config: {
      latency: 'realistic (describe 80 ms, mutate 150 ms, IMDS 1 ms)',
      dataplane: o.platform != null,
      notes,
    },
    scenarios: main.scenarios,
    baseline: {
      profile: o.baseline.name,
      complete: o.baseline.complete,
      settings: o.baseline.settings,
      scenarios: baselineScenarios,
      crashRatio: { p50: ratio(theirs?.p50, ours?.p50), p95: ratio(theirs?.p95, ours?.p95) },
    },
    scaling: { tables, candidates },
    steadyState: main.idle.steadyState,
    footprint: main.idle.footprint,
  };
  return { ...partial, targets: judgeTargets(partial) };
}

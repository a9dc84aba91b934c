/**
 * The fault campaign: seeded fault sequences over one running lab, each run judged against the
 * journals (the four invariants of src/invariants/). Runs reuse the lab: after each run every fault
 * is undone and the lab must be steady again before the next one starts.
 */
import { appendFile } from 'node:fs/promises';
import { describeError, LabError } from '../errors';
import type { BoundFaultKind } from '../invariants/convergence';
import type { InvariantResult } from '../invariants/invariant';
import type { Lab } from '../lab/lab';
import { checkScenarioInvariants } from '../scenarios/run-scenario';
import { sleep } from '../util/wait';
import type { LabGroup } from '../world/topology';
import {
  describeFault,
  generateSchedule,
  type Schedule,
  type ScheduledFault,
  type ScheduleOptions,
} from './schedule';
import { convergenceBoundMs } from '../invariants/convergence';
import { boundTiming } from '../scenarios/run-scenario';

export interface AppliedFault {
  fault: ScheduledFault;
  /** Instance the fault hit (null for cluster faults). */
  instanceId: string | null;
  at: number;
  healedAt: number | null;
  skipped?: string;
}

export interface RunResult {
  index: number;
  seed: number;
  schedule: string;
  ok: boolean;
  applied: AppliedFault[];
  invariants: InvariantResult[];
  /** Last fault undone → every group converged (observed). */
  convergedMs: number | null;
  boundMs: number;
  errors: string[];
  durationMs: number;
}

export interface CampaignOptions {
  runs: number;
  seed: number;
  schedule?: ScheduleOptions;
  /** Where failing seeds are appended (one JSON line each). */
  failuresFile?: string;
  /** Steady-state wait before each run. Default 90 s. */
  steadyTimeoutMs?: number;
  signal?: AbortSignal;
  onRun?: (result: RunResult) => void;
  onProgress?: (message: string) => void;
}

export interface CampaignResult {
  seed: number;
  runs: RunResult[];
  ok: boolean;
  violations: number;
  durationMs: number;
}

const KIND_FOR_BOUND: Record<ScheduledFault['kind'], BoundFaultKind> = {
  kill: 'kill',
  pause: 'pause',
  partition: 'partition',
  'consul-leader-loss': 'consul-leader-loss',
  'ec2-throttle': 'ec2-throttle',
  'ec2-5xx': 'ec2-5xx',
  'imds-outage': 'imds-outage',
  'health-flap': 'health-flap',
  spot: 'spot',
};

/** Resolves a role to an instance at the moment the fault fires. */
function resolveTarget(lab: Lab, fault: ScheduledFault): string | null {
  if (fault.target === 'cluster') return null;
  const group = lab.topology.groups[0] as LabGroup;
  const leader = lab.holder(group)?.instanceId ?? null;
  const ids = lab.topology.instances.map((i) => i.instanceId);
  if (fault.target === 'leader' && leader != null) return leader;
  // Prefer followers whose agent runs: a fault on an already dead agent tests nothing.
  const others = ids.filter((id) => id !== leader);
  const alive = others.filter((id) => lab.agent(id).state === 'running');
  const followers = alive.length > 0 ? alive : others;
  return followers[fault.pick % followers.length] ?? ids[fault.pick % ids.length] ?? null;
}

/** Applies a fault; returns its undo, or a reason to skip it. */
async function apply(
  lab: Lab,
  fault: ScheduledFault,
  id: string | null,
): Promise<(() => Promise<void>) | string> {
  const f = lab.faults;
  // A paused agent can still be killed or receive a notice; an exited one cannot.
  const running = (x: string) => lab.agent(x).state === 'running' || lab.agent(x).state === 'paused';
  switch (fault.kind) {
    case 'kill':
      if (id == null || !running(id)) return 'agent not running';
      {
        const generation = lab.agent(id).generation;
        f.crash(id);
        return async () => {
          await lab.agent(id).whenGenerationExited(generation);
          // Another fault may have restarted it meanwhile.
          if (lab.agent(id).generation === generation) f.restart(id);
        };
      }
    case 'pause':
      if (id == null || lab.agent(id).state !== 'running') return 'agent not running';
      f.pause(id);
      return async () => {
        if (lab.agent(id).state === 'paused') f.resume(id);
      };
    case 'partition':
      if (id == null || f.partitioned.has(id)) return 'already partitioned';
      f.partition(id);
      return async () => {
        if (f.partitioned.has(id)) f.heal(id);
      };
    case 'consul-leader-loss':
      if (f.consulLeaderLost) return 'already without a leader';
      f.consulLeaderLoss();
      return async () => {
        if (f.consulLeaderLost) f.consulLeaderRestore();
      };
    case 'ec2-throttle':
      f.ec2Throttle(fault.durationMs);
      return async () => undefined; // expires by itself
    case 'ec2-5xx':
      f.ec2Errors(fault.durationMs);
      return async () => undefined;
    case 'imds-outage':
      if (id == null) return 'no target';
      f.imdsOutage(id, fault.durationMs);
      return async () => undefined;
    case 'health-flap':
      if (id == null || !(lab.internet.get(id)?.isUp ?? false)) return 'path already down';
      await f.internetDown(id);
      return async () => {
        if (!(lab.internet.get(id)?.isUp ?? true)) await f.internetUp(id);
      };
    case 'spot':
      if (id == null || !running(id)) return 'agent not running';
      if (f.noticed.has(id)) return 'already has a notice';
      {
        const generation = lab.agent(id).generation;
        f.spotNotice(id);
        return async () => {
          // The agent polls IMDS every 5 s, and its drain waits up to drain.successorWaitMs (10 s).
          const exited = await Promise.race([
            lab.agent(id).whenGenerationExited(generation),
            sleep(20_000).then(() => 'timeout' as const),
          ]);
          f.clearNotices(id);
          if (exited === 'timeout') {
            throw new LabError('TIMEOUT', `${lab.name(id)} did not exit within 20 s of a spot notice`);
          }
          if (lab.agent(id).generation === generation) f.restart(id);
        };
      }
  }
}

export async function runOne(
  lab: Lab,
  index: number,
  seed: number,
  options: CampaignOptions,
): Promise<RunResult> {
  const started = Date.now();
  const signal = options.signal;
  const schedule: Schedule = generateSchedule(seed, {
    leaseMs: lab.safety.fenceAfterMs,
    ...options.schedule,
  });
  const errors: string[] = [];
  const applied: AppliedFault[] = [];
  const steadyTimeoutMs = options.steadyTimeoutMs ?? 90_000;

  await lab.waitSteady({ timeoutMs: steadyTimeoutMs, ...(signal == null ? {} : { signal }) });
  const windowFrom = Date.now();
  const initialTargets = new Map(
    lab.topology.groups.map((g) => {
      const h = lab.holder(g);
      return [g.name, h == null ? null : (lab.eniOf(h.instanceId) ?? null)] as const;
    }),
  );
  lab.events.record({
    kind: 'info',
    text: `chaos run ${index + 1} (seed ${seed}): ${schedule.faults.map(describeFault).join(', ')}`,
  });

  // Fire each fault at its offset; undo it after its duration. Undos run concurrently with later faults.
  const t0 = Date.now();
  const undos: Promise<void>[] = [];
  for (const fault of schedule.faults) {
    await sleep(Math.max(0, t0 + fault.atMs - Date.now()), signal);
    const id = resolveTarget(lab, fault);
    const record: AppliedFault = { fault, instanceId: id, at: Date.now(), healedAt: null };
    applied.push(record);
    let undo: (() => Promise<void>) | string;
    try {
      undo = await apply(lab, fault, id);
    } catch (error) {
      errors.push(`applying ${fault.kind}: ${describeError(error)}`);
      continue;
    }
    if (typeof undo === 'string') {
      record.skipped = undo;
      continue;
    }
    const u = undo;
    undos.push(
      (async () => {
        await sleep(fault.durationMs, signal);
        try {
          await u();
        } catch (error) {
          errors.push(`undoing ${fault.kind}: ${describeError(error)}`);
        }
        record.healedAt = Date.now();
      })(),
    );
  }
  await Promise.all(undos);
  // Safety net: anything left (an EC2 fault still ticking, a notice) is cleared now.
  await lab.faults.healAll(signal);
  const quietAt = Date.now();

  const effective = applied.filter((a) => a.skipped == null);
  const kinds = new Set(effective.map((a) => KIND_FOR_BOUND[a.fault.kind]));
  const boundMs = convergenceBoundMs(kinds, boundTiming(lab));
  let convergedAt: number | null = null;
  let snap;
  try {
    // Invariant 2 is about the groups: followers may still be rising (they are restored before the
    // next run, with a longer wait).
    snap = await lab.waitSteady({
      timeoutMs: boundMs,
      scope: 'groups',
      ...(signal == null ? {} : { signal }),
    });
    convergedAt = snap.at;
  } catch (error) {
    if (LabError.isInstance(error) && error.code === 'ABORTED') throw error;
    snap = await lab.observe(signal);
  }
  const windowTo = Date.now();
  const invariants = checkScenarioInvariants(lab, {
    window: { from: windowFrom, to: windowTo },
    initialTargets,
    snap,
    quietAt,
    convergedAt,
    kind: 'kill',
    kinds,
    faults: effective.length,
  });
  const ok = errors.length === 0 && invariants.every((i) => i.ok);
  return {
    index,
    seed,
    schedule: schedule.faults.map(describeFault).join(', '),
    ok,
    applied,
    invariants,
    convergedMs: convergedAt == null ? null : convergedAt - quietAt,
    boundMs,
    errors,
    durationMs: Date.now() - started,
  };
}

/** Seed of run `i`: `--seed S --runs 1` replays exactly run 0; run i of a campaign is seed S + i. */
export function runSeed(seed: number, index: number): number {
  return (seed + index) >>> 0;
}

export async function runCampaign(lab: Lab, options: CampaignOptions): Promise<CampaignResult> {
  const started = Date.now();
  const runs: RunResult[] = [];
  for (let i = 0; i < options.runs; i++) {
    const seed = runSeed(options.seed, i);
    options.onProgress?.(`run ${i + 1}/${options.runs} (seed ${seed})`);
    let result: RunResult;
    try {
      result = await runOne(lab, i, seed, options);
    } catch (error) {
      if (LabError.isInstance(error) && error.code === 'ABORTED') throw error;
      result = {
        index: i,
        seed,
        schedule: generateSchedule(seed, { leaseMs: lab.safety.fenceAfterMs, ...options.schedule })
          .faults.map(describeFault)
          .join(', '),
        ok: false,
        applied: [],
        invariants: [],
        convergedMs: null,
        boundMs: 0,
        errors: [describeError(error)],
        durationMs: 0,
      };
      // Restore the lab for the next run.
      await lab.faults.healAll(options.signal).catch(() => undefined);
    }
    runs.push(result);
    options.onRun?.(result);
    if (!result.ok && options.failuresFile != null) {
      const violations = result.invariants.flatMap((inv) =>
        inv.violations.map((v) => `${inv.name}: ${v.message}`),
      );
      await appendFile(
        options.failuresFile,
        `${JSON.stringify({ seed, schedule: result.schedule, replay: `pnpm chaos --seed ${seed} --runs 1`, violations, errors: result.errors })}\n`,
      );
    }
  }
  const violations = runs.reduce(
    (n, r) => n + r.invariants.reduce((m, i) => m + i.violations.length, 0) + r.errors.length,
    0,
  );
  return {
    seed: options.seed,
    runs,
    ok: runs.every((r) => r.ok),
    violations,
    durationMs: Date.now() - started,
  };
}

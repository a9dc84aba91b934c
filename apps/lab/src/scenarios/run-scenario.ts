/**
 * Runs one scenario on a running lab and judges it from the journals:
 *
 * 1. wait for a steady lab (a healthy leader per group, all routes on it);
 * 2. inject the fault into the first group's leader, stamping the instant;
 * 3. wait until another instance holds the lock and every route of the group points at its ENI
 *    (measured from the EC2 journal's effect times, not from polling);
 * 4. undo the fault and wait for a steady lab again;
 * 5. check the invariants over the whole window (route writes under a lease, convergence, no
 *    flapping, no agent crash).
 */
import { checkAgentCrashes } from '../invariants/agent-crashes';
import {
  checkConvergence,
  convergenceBoundMs,
  type BoundFaultKind,
  type BoundTiming,
  type GroupState,
} from '../invariants/convergence';
import { checkFlapping } from '../invariants/flapping';
import type { InvariantResult } from '../invariants/invariant';
import { checkLeaseWrites } from '../invariants/lease-writes';
import type { Lab } from '../lab/lab';
import { isAgentHealthy, type LabSnapshot } from '../lab/snapshot';
import { countCalls, type CallCount } from '../measure/ec2-calls';
import { measureFailover, type FailoverMeasurement } from '../measure/failover';
import { describeError, LabError } from '../errors';
import { sleep, waitUntil } from '../util/wait';
import type { LabGroup } from '../world/topology';
import { SCENARIOS, type ScenarioName } from './scenarios';

export interface InstanceRef {
  instanceId: string;
  name: string;
  eni: string;
}

/** The JSON document `--scenario NAME --json` prints (one line). Schema in apps/lab/README.md. */
export interface ScenarioResult {
  scenario: ScenarioName;
  success: boolean;
  topology: string;
  group: string;
  startedAt: number;
  fault: { kind: ScenarioName; target: InstanceRef; at: number; description: string };
  leaderBefore: InstanceRef | null;
  leaderAfter: InstanceRef | null;
  /** Milliseconds from the fault. */
  timings: {
    failoverMs: number | null;
    lockFreedMs: number | null;
    acquiredMs: number | null;
    firstWriteMs: number | null;
    convergedMs: number | null;
    /** Fault undone → lab steady again. */
    recoveredMs: number | null;
  };
  lockFreedBy: FailoverMeasurement['lockFreedBy'];
  routes: { routeTableId: string; before: string | null; after: string | null }[];
  /** Agents' EC2 calls from the fault to the new leader's `routes_claimed` (or convergence + 1 s). */
  ec2Calls: CallCount;
  invariants: InvariantResult[];
  expectation: string;
  errors: string[];
  durationMs: number;
}

export interface RunScenarioOptions {
  /** Steady-state wait before the fault and after the recovery. Default 90 s. */
  steadyTimeoutMs?: number;
  /** Longest wait for the new leader's routes; default the scenario's (the baseline needs more). */
  timeoutMs?: number;
  /** Skip the recovery (the bench recovers itself; the default is to recover). */
  recover?: boolean;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export function boundTiming(lab: Lab): BoundTiming {
  const { lock } = lab;
  return {
    ...lab.safety,
    // Without the liveness check on the session (Consul defaults) a dead holder is found by the TTL
    // (the servers expire a session 2×TTL after its last renew, spec §2.6), and refused acquires
    // retry on a 5 s grid.
    crashDetectionMs: lock.livenessCheck ? 1_000 + 800 : 2 * lock.sessionTtlMs,
    lockRetryMs: lock.lockRetryMs ?? 0,
    checkIntervalMs: 1_000,
    checkTimeoutMs: 800,
    failureDetectionMs: 6_000,
    rpcHoldTimeoutMs: 7_000,
    healthRiseMs: 3 * 1_000,
    healthFallMs: 2 * 1_000,
    agentStartMs: 3_000,
    claimMs: 1_500,
    slackMs: 2_000,
  };
}

function ref(lab: Lab, id: string | null | undefined): InstanceRef | null {
  if (id == null) return null;
  return { instanceId: id, name: lab.name(id), eni: lab.eniOf(id) ?? '' };
}

function targets(lab: Lab, group: LabGroup): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const t of lab.sim.aws.control.routeTables()) {
    if (!group.tableIds.includes(t.routeTableId)) continue;
    const r = t.routes.find((x) => x.destinationCidrBlock === '0.0.0.0/0');
    out.set(t.routeTableId, r?.networkInterfaceId ?? r?.natGatewayId ?? r?.gatewayId ?? null);
  }
  return out;
}

export function groupStates(lab: Lab, snap: LabSnapshot): GroupState[] {
  return lab.topology.groups.map((g) => {
    const view = snap.groups.find((v) => v.name === g.name);
    return {
      group: g,
      holder: view?.holder?.instanceId ?? null,
      routes: new Map(
        (view?.tables ?? []).map((t) => [t.routeTableId, { target: t.target, state: t.state }]),
      ),
      claimedBy: snap.agents
        .filter((a) => a.status?.groups.some((s) => s.name === g.name && s.leader) === true)
        .map((a) => a.instanceId),
    };
  });
}

export async function runScenario(
  lab: Lab,
  name: ScenarioName,
  options: RunScenarioOptions = {},
): Promise<ScenarioResult> {
  const scenario = SCENARIOS[name];
  const progress = options.onProgress ?? (() => undefined);
  const steadyTimeoutMs = options.steadyTimeoutMs ?? 90_000;
  const signal = options.signal;
  const startedAt = Date.now();
  const group = lab.topology.groups[0] as LabGroup;
  const errors: string[] = [];

  progress('waiting for a steady lab');
  const before = await lab.waitSteady({ timeoutMs: steadyTimeoutMs, ...(signal == null ? {} : { signal }) });
  const leader = before.groups[0]?.holder?.instanceId as string;
  const routesBefore = targets(lab, group);
  const windowFrom = Date.now();

  progress(`${scenario.title} (${lab.name(leader)})`);
  const faultAt = Date.now();
  await scenario.inject(lab, leader);

  let measurement: FailoverMeasurement | undefined;
  const measure = (): FailoverMeasurement =>
    measureFailover({
      faultAt,
      group,
      leaderBefore: leader,
      eniOf: lab.eniOf,
      consulJournal: lab.sim.consul.journal(),
      ec2Journal: lab.sim.aws.control.journal(),
      currentTargets: targets(lab, group),
    });
  try {
    measurement = await waitUntil(
      () => {
        const m = measure();
        return m.failoverMs == null ? undefined : m;
      },
      {
        timeoutMs: options.timeoutMs ?? scenario.timeoutMs,
        intervalMs: 50,
        what: `routes of ${group.name} on a new leader`,
        ...(signal == null ? {} : { signal }),
      },
    );
  } catch (error) {
    if (LabError.isInstance(error) && error.code === 'ABORTED') throw error;
    measurement = measure();
    errors.push(`${describeError(error)}${measurement.problem == null ? '' : ` (${measurement.problem})`}`);
  }

  // The claim ends with verification reads: count calls until the new leader logged routes_claimed.
  let callsUntil = (measurement.convergedAt ?? Date.now()) + 1_000;
  if (measurement.newLeader != null) {
    const claimed = await lab
      .agent(measurement.newLeader)
      .waitForEvent('routes_claimed', {
        timeoutMs: 3_000,
        sinceTime: faultAt,
        match: (l) => l.group === group.name,
      })
      .catch(() => undefined);
    if (claimed != null) callsUntil = claimed.time + 20;
  }
  await sleep(Math.max(0, callsUntil - Date.now()), signal);
  const ec2Calls = countCalls(lab.sim.aws.control.calls(), faultAt, callsUntil);
  const routesAfter = targets(lab, group);

  let recoveredMs: number | null = null;
  let quietAt = Date.now();
  let after: LabSnapshot | undefined;
  if (options.recover ?? true) {
    progress(`undoing the fault on ${lab.name(leader)}`);
    const recoverFrom = Date.now();
    try {
      await scenario.recover(lab, leader, signal);
      quietAt = Date.now();
      after = await lab.waitSteady({ timeoutMs: steadyTimeoutMs, ...(signal == null ? {} : { signal }) });
      recoveredMs = Date.now() - recoverFrom;
    } catch (error) {
      if (LabError.isInstance(error) && error.code === 'ABORTED') throw error;
      errors.push(`recovery: ${describeError(error)}`);
    }
  }
  const windowTo = Date.now();
  const snap = after ?? (await lab.observe(signal));
  const invariants = checkScenarioInvariants(lab, {
    window: { from: windowFrom, to: windowTo },
    initialTargets: new Map([[group.name, lab.eniOf(leader) ?? null]]),
    snap,
    quietAt,
    convergedAt: after == null ? null : after.at,
    kind: scenario.kind,
  });

  const success =
    errors.length === 0 &&
    measurement.failoverMs != null &&
    measurement.newLeader != null &&
    measurement.newLeader !== leader &&
    invariants.every((i) => i.ok);
  return {
    scenario: name,
    success,
    topology: lab.topology.name,
    group: group.name,
    startedAt,
    fault: {
      kind: name,
      target: ref(lab, leader) as InstanceRef,
      at: faultAt,
      description: scenario.title,
    },
    leaderBefore: ref(lab, leader),
    leaderAfter: ref(lab, measurement.newLeader),
    timings: {
      failoverMs: measurement.failoverMs,
      ...measurement.phases,
      recoveredMs,
    },
    lockFreedBy: measurement.lockFreedBy,
    routes: group.tableIds.map((id) => ({
      routeTableId: id,
      before: routesBefore.get(id) ?? null,
      after: routesAfter.get(id) ?? null,
    })),
    ec2Calls,
    invariants,
    expectation: scenario.expectation,
    errors,
    durationMs: Date.now() - startedAt,
  };
}

export interface WindowInvariantInput {
  window: { from: number; to: number };
  initialTargets: ReadonlyMap<string, string | null>;
  snap: LabSnapshot;
  quietAt: number;
  convergedAt: number | null;
  kind: BoundFaultKind;
  faults?: number;
  kinds?: ReadonlySet<BoundFaultKind>;
}

/** The four invariants over a window of a running lab. */
export function checkScenarioInvariants(lab: Lab, input: WindowInvariantInput): InvariantResult[] {
  const consulJournal = lab.sim.consul.journal();
  const ec2Journal = lab.sim.aws.control.journal();
  const groups = lab.topology.groups;
  const kinds = input.kinds ?? new Set([input.kind]);
  const boundMs = convergenceBoundMs(kinds, boundTiming(lab));
  return [
    checkLeaseWrites({
      groups,
      consulJournal,
      ec2Journal,
      timing: lab.safety,
      window: input.window,
      nameOf: lab.name,
    }),
    checkConvergence({
      groups: groupStates(lab, input.snap),
      eniOf: lab.eniOf,
      healthy: new Set(input.snap.agents.filter(isAgentHealthy).map((a) => a.instanceId)),
      quietAt: input.quietAt,
      convergedAt: input.convergedAt,
      boundMs,
      nameOf: lab.name,
    }),
    checkFlapping({
      groups,
      ec2Journal,
      window: input.window,
      initialTargets: input.initialTargets,
      faults: input.faults ?? 1,
      movesPerFault: lab.topology.name === 'per-az' ? 2 : 1,
    }),
    checkAgentCrashes({
      agents: [...lab.agents.values()].map((a) => ({
        instanceId: a.instanceId,
        name: a.name,
        exits: a.exits,
        logs: a.logs,
        text: a.text,
      })),
      window: input.window,
    }),
  ];
}

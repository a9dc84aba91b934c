/**
 * The failover scenarios of the demo, `--scenario NAME` and the bench. Each injects one fault into
 * the leader of a group and later undoes it; the measurement (fault → every route of the group on
 * the new leader's ENI) is the same for all of them.
 */
import type { BoundFaultKind } from '../invariants/convergence';
import type { Lab } from '../lab/lab';

export const SCENARIO_NAMES = ['graceful', 'health', 'crash', 'node', 'partition', 'spot'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface Scenario {
  name: ScenarioName;
  /** One line for help and reports. */
  title: string;
  /** What docs/safety.md predicts, for the report. */
  expectation: string;
  /** The fault kind, for the convergence bound. */
  kind: BoundFaultKind;
  /** Longest wait for the new leader's routes after the fault. */
  timeoutMs: number;
  inject(lab: Lab, leader: string): Promise<void>;
  /** Undo the fault; the lab then waits for a steady state again. */
  recover(lab: Lab, leader: string, signal?: AbortSignal): Promise<void>;
}

async function restartWhenExited(lab: Lab, id: string): Promise<void> {
  await lab.agent(id).whenExited();
  lab.faults.restart(id);
}

export const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = {
  graceful: {
    name: 'graceful',
    title: 'SIGTERM to the leader: it releases the lock first, a follower takes over',
    expectation: 'release + acquire + claim ≈ 0.35 s (target p95 ≤ 0.5 s)',
    kind: 'term',
    timeoutMs: 15_000,
    inject: async (lab, leader) => lab.faults.terminate(leader),
    recover: (lab, leader) => restartWhenExited(lab, leader),
  },
  health: {
    name: 'health',
    title: "the leader's Internet path fails: it resigns (release first)",
    expectation: 'fall detection (2 rounds of 1 s) + handover ≈ 1.3–3.1 s (target p95 ≤ 3.5 s)',
    kind: 'health-flap',
    timeoutMs: 20_000,
    inject: (lab, leader) => lab.faults.internetDown(leader),
    recover: (lab, leader) => lab.faults.internetUp(leader),
  },
  crash: {
    name: 'crash',
    title: "kill -9 of the leader's agent: liveness check, lock-delay, takeover",
    expectation: 'check ≤ 1 s + lock-delay 1.5 s + claim ≈ 1.85–2.85 s (target p95 ≤ 3 s)',
    kind: 'kill',
    timeoutMs: 20_000,
    inject: async (lab, leader) => lab.faults.crash(leader),
    recover: async (lab, leader) => lab.faults.restart(leader),
  },
  node: {
    name: 'node',
    title: 'the whole leader instance dies (agent and Consul agent): gossip detection, lock-delay',
    expectation: 'serfHealth after the detection delay (6 s here) + lock-delay + claim ≈ 7.5–9 s',
    kind: 'node',
    timeoutMs: 40_000,
    inject: (lab, leader) => lab.faults.nodeDown(leader),
    recover: async (lab, leader) => {
      // The Consul agent comes back with the instance (startSim); nat-agent starts once it answers.
      await lab.faults.nodeUp(leader);
      lab.faults.restart(leader);
    },
  },
  partition: {
    name: 'partition',
    title: 'the leader is cut off from the Consul servers: it fences itself, gossip declares it failed',
    expectation:
      'holder fenced within 0.5 s; successor after detection (6 s here) + lock-delay + claim ≈ 7.5–9 s',
    kind: 'partition',
    timeoutMs: 40_000,
    inject: async (lab, leader) => lab.faults.partition(leader),
    recover: async (lab, leader) => lab.faults.heal(leader),
  },
  spot: {
    name: 'spot',
    title: 'a spot instance-action notice reaches the leader: it drains',
    expectation: 'IMDS poll (≤ 5 s) + handover ≈ 0.35 s',
    kind: 'spot',
    timeoutMs: 25_000,
    inject: async (lab, leader) => lab.faults.spotNotice(leader),
    recover: async (lab, leader) => {
      await lab.agent(leader).whenExited();
      // The "replacement": the notice is gone and the agent starts again.
      lab.faults.clearNotices(leader);
      lab.faults.restart(leader);
    },
  },
};

export function isScenarioName(value: string): value is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(value);
}

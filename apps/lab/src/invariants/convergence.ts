/**
 * Invariant 2: after the last fault is healed, every group converges to exactly one healthy leader
 * with all its routes on that leader's ENI, within the bound docs/safety.md derives for the faults
 * that happened (`convergenceBoundMs`).
 */
import { result, type GroupRef, type InvariantResult, type SafetyTiming, type Violation } from './invariant';

export interface GroupState {
  group: GroupRef;
  /** Current lock holder (instance id) from the Consul journal, or null. */
  holder: string | null;
  /** Route table id → current 0.0.0.0/0 target and state. */
  routes: ReadonlyMap<string, { target: string | null; state: string }>;
  /** Agents whose /status says they lead this group. */
  claimedBy: readonly string[];
}

export interface ConvergenceInput {
  groups: readonly GroupState[];
  eniOf: (instanceId: string) => string | undefined;
  /** Agents running, ready, with a healthy path. */
  healthy: ReadonlySet<string>;
  /** When the last fault was healed. */
  quietAt: number;
  /** When the lab first observed every group converged; null if it never did before giving up. */
  convergedAt: number | null;
  boundMs: number;
  nameOf?: (instanceId: string) => string;
}

export function checkConvergence(input: ConvergenceInput): InvariantResult {
  const name = input.nameOf ?? ((id: string) => id);
  const violations: Violation[] = [];
  for (const g of input.groups) {
    const label = `group ${g.group.name}`;
    if (g.holder == null) {
      violations.push({ message: `${label} has no leader` });
      continue;
    }
    if (!input.healthy.has(g.holder))
      violations.push({ message: `${label}: leader ${name(g.holder)} is not healthy` });
    const eni = input.eniOf(g.holder);
    for (const table of g.group.tableIds) {
      const r = g.routes.get(table);
      if (r == null || r.target !== eni) {
        violations.push({
          message: `${label}: ${table} points at ${r?.target ?? 'nothing'}, not at leader ${name(g.holder)}'s ENI ${String(eni)}`,
        });
      } else if (r.state !== 'active') {
        violations.push({ message: `${label}: ${table} → ${String(eni)} is ${r.state}` });
      }
    }
    const others = g.claimedBy.filter((id) => id !== g.holder);
    if (others.length > 0) {
      violations.push({
        message: `${label}: ${others.map(name).join(', ')} believe${others.length === 1 ? 's' : ''} to lead, but ${name(g.holder)} holds the lock`,
      });
    }
  }
  if (input.convergedAt == null) {
    violations.push({ message: `not converged within ${input.boundMs} ms of the last fault's end` });
  } else if (input.convergedAt - input.quietAt > input.boundMs) {
    violations.push({
      at: input.convergedAt,
      message: `converged ${input.convergedAt - input.quietAt} ms after the last fault's end, beyond the bound of ${input.boundMs} ms`,
    });
  }
  return result('convergence', input.groups.length, violations);
}

/** Fault kinds, as far as the bound is concerned. */
export type BoundFaultKind =
  | 'kill'
  | 'term'
  | 'pause'
  | 'partition'
  | 'node'
  | 'consul-leader-loss'
  | 'ec2-throttle'
  | 'ec2-5xx'
  | 'imds-outage'
  | 'health-flap'
  | 'spot';

export interface BoundTiming extends SafetyTiming {
  /** Consul's HTTP check interval and timeout (liveness). */
  checkIntervalMs: number;
  checkTimeoutMs: number;
  /** How long Consul takes to invalidate a dead agent's session: liveness check, or 2×TTL. */
  crashDetectionMs: number;
  /** Fixed retry grid after a refused acquire (Consul's 5 s), 0 when retries follow the lock-delay. */
  lockRetryMs: number;
  /** Gossip failure detection (the emulator's fixed delay, 6 s for up to ten nodes). */
  failureDetectionMs: number;
  /** Consul's rpc_hold_timeout: how long a request waits out a leaderless cluster. */
  rpcHoldTimeoutMs: number;
  /** Health rise: rounds × interval before a (re)started agent is healthy. */
  healthRiseMs: number;
  /** Health fall: rounds × interval before a leader notices its path is gone. */
  healthFallMs: number;
  /** A restarted agent: process start, IMDS identity, Consul registration. */
  agentStartMs: number;
  /** Claim: DescribeRouteTables + ReplaceRoutes + verification, with retries under throttling. */
  claimMs: number;
  /**
   * Added once: real processes on a shared machine (the lab's own event loop runs the emulators'
   * timers and checks). Stated in every report that uses the bound.
   */
  slackMs: number;
}

/**
 * The convergence bound after the last heal, from docs/safety.md's derivations, for the kinds of
 * fault a run contained. From the quiet point, the slowest path is taken:
 * - a dead holder whose session is still alive: liveness check (interval + timeout) + L + claim;
 * - a node the servers had not yet declared failed: gossip detection + L + claim;
 * - a Consul leader loss: requests parked for rpc_hold_timeout, a session that may have been given up
 *   and is re-created, then one lock-delay and the claim;
 * - an agent the lab restarted at the heal: start-up + health rise, then contention (no lock-delay
 *   when the key is free) and the claim — or, if every agent was down, the slowest of the above.
 * Every path is bounded by the sum of its terms; the bound is the maximum over the run's kinds.
 */
export function convergenceBoundMs(kinds: ReadonlySet<BoundFaultKind>, t: BoundTiming): number {
  const claim = t.claimMs;
  const restart = t.agentStartMs + t.healthRiseMs;
  const liveness = t.crashDetectionMs + t.lockDelayMs + t.lockRetryMs + claim;
  let bound = claim + t.healthFallMs + t.lockDelayMs; // a clean system still settling
  const consider = (ms: number) => (bound = Math.max(bound, ms));
  for (const k of kinds) {
    switch (k) {
      case 'kill':
      case 'term':
      case 'spot':
        consider(Math.max(liveness, restart + t.lockDelayMs + claim));
        break;
      case 'pause':
        consider(liveness + t.healthRiseMs);
        break;
      case 'partition':
      case 'node':
        consider(t.failureDetectionMs + t.lockDelayMs + claim + restart);
        break;
      case 'consul-leader-loss':
        consider(t.rpcHoldTimeoutMs + t.lockDelayMs + claim + t.healthRiseMs);
        break;
      case 'health-flap':
        consider(t.healthRiseMs + t.healthFallMs + claim);
        break;
      case 'imds-outage':
      case 'ec2-throttle':
      case 'ec2-5xx':
        consider(liveness);
        break;
    }
  }
  return bound + t.slackMs;
}

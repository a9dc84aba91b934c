import type { HealthState } from './hysteresis';
import type { MonitorSnapshot } from './monitor';
import type { RoundResult } from './round';

/** Consul's check statuses (consul-http-api.md §6.3). */
export type HealthStatus = 'passing' | 'warning' | 'critical';

/** What the health endpoint reports, and serves as its JSON body. */
export interface HealthReport {
  status: HealthStatus;
  /** The monitor's state; absent when the handler has no monitor. */
  state?: HealthState;
  /** Healthy, but the last round had failed targets or a fall is under way. */
  degraded: boolean;
  /** True when the app's `status` provider or `setOverride` changed the status the monitor implies. */
  overridden: boolean;
  /** Clock time of the monitor's last state change. */
  since?: number;
  reason: string;
  /** The last rounds, oldest first. */
  rounds: readonly RoundResult[];
}

/** Maps a status to the HTTP code a Consul HTTP check reads (§6.3: 2xx passing, 429 warning, else critical). */
export const HTTP_STATUS_BY_HEALTH: Readonly<Record<HealthStatus, number>> = {
  passing: 200,
  warning: 429,
  critical: 503,
};

/**
 * The status a monitor snapshot implies: `critical` when unhealthy, and for a degraded but healthy
 * monitor `passing` or `warning` as configured. `warning` never invalidates a Consul session
 * (consul-http-api.md §10 rule 53); `critical` does (rule 52), which is why only the hysteresis
 * decision, not one bad round, may produce it.
 */
export function evaluateHealth(
  snapshot: Pick<MonitorSnapshot, 'state' | 'since' | 'streak' | 'rounds' | 'quorum'>,
  degradedStatus: 'passing' | 'warning',
  roundsInBody: number,
): HealthReport {
  const last = snapshot.rounds[snapshot.rounds.length - 1];
  const rounds = roundsInBody === 0 ? [] : snapshot.rounds.slice(-roundsInBody);
  if (snapshot.state === 'unhealthy') {
    const reason =
      last == null
        ? 'no round has passed yet'
        : `unhealthy: last round ${last.passed}/${last.total} passed, quorum ${last.quorum}`;
    return {
      status: 'critical',
      state: 'unhealthy',
      degraded: false,
      overridden: false,
      since: snapshot.since,
      reason,
      rounds,
    };
  }
  const degraded = snapshot.streak > 0 || (last != null && last.passed < last.total);
  const reason =
    last == null
      ? 'healthy (initial state, no round yet)'
      : degraded
        ? `degraded: last round ${last.passed}/${last.total} passed, quorum ${last.quorum}`
        : `healthy: last round ${last.passed}/${last.total} passed`;
  return {
    status: degraded ? degradedStatus : 'passing',
    state: 'healthy',
    degraded,
    overridden: false,
    since: snapshot.since,
    reason,
    rounds,
  };
}

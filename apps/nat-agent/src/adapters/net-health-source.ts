import {
  createDefaultProbes,
  createDnsProbe,
  createHttpProbe,
  createIcmpProbe,
  createMonitor,
  createTcpProbe,
  type Monitor,
  type Probe,
  type RoundResult,
} from '@nat-ha/net-health';
import type { AgentConfig, ProbeTargetConfig } from '../config/schema';
import { probeJitterMs } from '../config/semantic-checks';
import type {
  Clock,
  HealthLevel,
  HealthRoundSummary,
  HealthSnapshot,
  HealthSource,
  Logger,
  Metrics,
} from '../ports';
import { toLibraryLogger } from './library-logger';

const ROUNDS_KEPT = 5;

export function buildProbes(health: AgentConfig['health'], clock: Clock): Probe[] {
  const common = {
    timeoutMs: health.timeoutMs,
    ...(health.sourceAddress === undefined ? {} : { localAddress: health.sourceAddress }),
    ...(health.interface === undefined ? {} : { interface: health.interface }),
    clock,
  };
  if (health.targets === undefined) return createDefaultProbes(common);
  return health.targets.map((t: ProbeTargetConfig) => {
    switch (t.type) {
      case 'tcp':
        return createTcpProbe({ ...common, host: t.host, port: t.port });
      case 'http':
        return createHttpProbe({ ...common, url: t.url, anyResponse: t.anyStatus });
      case 'icmp':
        return createIcmpProbe({ ...common, host: t.host });
      case 'dns':
        return createDnsProbe({ ...common, hostname: t.name, server: t.resolver });
    }
  });
}

function summarize(round: RoundResult): HealthRoundSummary {
  return {
    at: round.startedAt + round.durationMs,
    passed: round.ok,
    failures: round.results
      .filter((r) => !r.ok)
      .map((r) => ({
        target: r.target,
        reason: r.error === undefined ? 'failed' : `${r.error.code}: ${r.error.message}`,
      })),
  };
}

/**
 * net-health's monitor as the agent's HealthSource. `degraded` = the monitor still says healthy but
 * the last round was not clean (a target failed, or a streak toward unhealthy has begun): Consul
 * sees it as 429/warning, so other agents stop counting this one as a spare, while it keeps leading.
 * `unknown` until the monitor has decided once (a state change, or max(rise, fall) rounds).
 */
export function createNetHealthSource(options: {
  health: AgentConfig['health'];
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  signal: AbortSignal;
}): HealthSource & { monitor: Monitor } {
  const { health, clock, metrics } = options;
  const listeners = new Set<(s: HealthSnapshot) => void>();
  const rounds: HealthRoundSummary[] = [];
  let decided = false;
  let snapshot: HealthSnapshot = { level: 'unknown', since: clock.now(), rounds: [] };

  const monitor = createMonitor({
    probes: buildProbes(health, clock),
    ...(health.quorum === undefined ? {} : { quorum: health.quorum }),
    intervalMs: health.intervalMs,
    jitterMs: probeJitterMs(health.intervalMs),
    rise: health.rise,
    fall: health.fall,
    clock,
    signal: options.signal,
    logger: toLibraryLogger(options.logger, 'net-health'),
    metrics: {
      probe: (result) => metrics.probe(result.target, result.ok, result.latencyMs),
      stateChange: () => {
        decided = true;
      },
    },
  });

  const levelNow = (): HealthLevel => {
    const snap = monitor.snapshot();
    const count = snap.rounds.length;
    if (!decided && count < Math.max(snap.rise, snap.fall)) return 'unknown';
    decided = true;
    if (snap.state === 'unhealthy') return 'unhealthy';
    const last = snap.rounds.at(-1);
    return snap.streak > 0 || (last !== undefined && last.passed < last.total) ? 'degraded' : 'healthy';
  };

  monitor.on('round', (round) => {
    rounds.push(summarize(round));
    if (rounds.length > ROUNDS_KEPT) rounds.shift();
    const level = levelNow();
    const changed = level !== snapshot.level;
    snapshot = { level, since: changed ? clock.now() : snapshot.since, rounds: [...rounds] };
    if (changed) for (const l of [...listeners]) l(snapshot);
  });
  monitor.start();

  return {
    monitor,
    snapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

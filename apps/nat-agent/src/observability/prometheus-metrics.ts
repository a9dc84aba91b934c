import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ALL_PHASE_LABELS } from '../core/group-machine';
import type { HealthLevel, Metrics } from '../ports';

const HEALTH_LEVELS: readonly HealthLevel[] = ['unknown', 'healthy', 'degraded', 'unhealthy'];

export interface PrometheusMetrics extends Metrics {
  registry: Registry;
  /** The text exposition for GET /metrics. */
  render(): Promise<{ contentType: string; body: string }>;
}

/**
 * Every metric the agent exports (docs/operations.md, "Metrics", lists them with their alerts).
 * A private registry: nothing global, so two agents in one test process do not collide.
 */
export function createPrometheusMetrics(info: {
  version: string;
  instanceId: string;
  az: string;
}): PrometheusMetrics {
  const registry = new Registry();
  // 1 s sampling for the event-loop delay histogram: the default 10 ms wakes the process 100 times
  // a second, which shows on the idle-CPU budget (issue 9: ≤ 0.5 % of a core idle).
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 1_000 });
  const r = [registry];
  new Gauge({
    name: 'nat_ha_info',
    help: 'Agent build and placement',
    labelNames: ['version', 'instance_id', 'az'],
    registers: r,
  }).set({ version: info.version, instance_id: info.instanceId, az: info.az }, 1);
  const groupState = new Gauge({
    name: 'nat_ha_group_state',
    help: '1 for the current state of each group',
    labelNames: ['group', 'state'],
    registers: r,
  });
  const leader = new Gauge({
    name: 'nat_ha_leader',
    help: '1 while this instance leads the group',
    labelNames: ['group', 'role'],
    registers: r,
  });
  const failovers = new Counter({
    name: 'nat_ha_failovers_total',
    help: 'Times this instance gave up or lost leadership, by reason',
    labelNames: ['group', 'reason'],
    registers: r,
  });
  const takeovers = new Counter({
    name: 'nat_ha_takeovers_total',
    help: 'Claims by this instance that moved routes away from another target',
    labelNames: ['group'],
    registers: r,
  });
  const claimSeconds = new Gauge({
    name: 'nat_ha_last_claim_duration_seconds',
    help: 'Duration of the last successful claim',
    labelNames: ['group'],
    registers: r,
  });
  const drift = new Counter({
    name: 'nat_ha_route_drift_total',
    help: 'Routes the leader found pointing elsewhere and repaired',
    labelNames: ['group'],
    registers: r,
  });
  const fallback = new Gauge({
    name: 'nat_ha_fallback_active',
    help: '1 while this leader has the routes on the fallback target',
    labelNames: ['group'],
    registers: r,
  });
  const pathHealth = new Gauge({
    name: 'nat_ha_path_health',
    help: '1 for the current Internet-path health level',
    labelNames: ['level'],
    registers: r,
  });
  const ready = new Gauge({
    name: 'nat_ha_ready',
    help: '1 when data plane, source/dest check and IAM self-test pass',
    registers: r,
  });
  const dataplaneOk = new Gauge({
    name: 'nat_ha_dataplane_ok',
    help: '1 when ip_forward and a masquerade rule are in place',
    registers: r,
  });
  const draining = new Gauge({ name: 'nat_ha_draining', help: '1 while the agent drains', registers: r });
  const interruptions = new Counter({
    name: 'nat_ha_interruptions_total',
    help: 'IMDS interruption notices seen',
    labelNames: ['kind'],
    registers: r,
  });
  const consulErrors = new Counter({
    name: 'nat_ha_consul_errors_total',
    help: 'Failed Consul requests',
    labelNames: ['operation', 'code'],
    registers: r,
  });
  const orphanSessions = new Counter({
    name: 'nat_ha_orphan_sessions_destroyed_total',
    help: 'Sessions of an earlier nat-agent process on this instance destroyed at start-up',
    registers: r,
  });
  const ec2Calls = new Counter({
    name: 'nat_ha_ec2_calls_total',
    help: 'EC2 and Auto Scaling calls',
    labelNames: ['action', 'outcome'],
    registers: r,
  });
  const ec2Seconds = new Histogram({
    name: 'nat_ha_ec2_call_duration_seconds',
    help: 'EC2 call latency',
    labelNames: ['action'],
    buckets: [0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2],
    registers: r,
  });
  const throttles = new Counter({
    name: 'nat_ha_ec2_throttles_total',
    help: 'EC2 RequestLimitExceeded answers',
    labelNames: ['action'],
    registers: r,
  });
  const probes = new Counter({
    name: 'nat_ha_probe_results_total',
    help: 'Internet-path probe results',
    labelNames: ['target', 'result'],
    registers: r,
  });
  const probeSeconds = new Histogram({
    name: 'nat_ha_probe_duration_seconds',
    help: 'Internet-path probe latency',
    labelNames: ['target'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8],
    registers: r,
  });
  ready.set(0);
  dataplaneOk.set(0);
  draining.set(0);
  for (const level of HEALTH_LEVELS) pathHealth.set({ level }, level === 'unknown' ? 1 : 0);

  return {
    registry,
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    groupState(group, state) {
      for (const s of ALL_PHASE_LABELS) groupState.set({ group, state: s }, s === state ? 1 : 0);
    },
    leader: (group, role, is) => leader.set({ group, role }, is ? 1 : 0),
    failover: (group, reason) => failovers.inc({ group, reason }),
    takeover: (group) => takeovers.inc({ group }),
    claimDuration: (group, ms) => claimSeconds.set({ group }, ms / 1000),
    routeDrift: (group, n) => drift.inc({ group }, n),
    fallbackActive: (group, on) => fallback.set({ group }, on ? 1 : 0),
    pathHealth(level) {
      for (const l of HEALTH_LEVELS) pathHealth.set({ level: l }, l === level ? 1 : 0);
    },
    ready: (ok) => ready.set(ok ? 1 : 0),
    dataplaneOk: (ok) => dataplaneOk.set(ok ? 1 : 0),
    draining: (on) => draining.set(on ? 1 : 0),
    interruption: (kind) => interruptions.inc({ kind }),
    consulError: (operation, code) => consulErrors.inc({ operation, code }),
    orphanSessionDestroyed: () => orphanSessions.inc(),
    ec2Call(action, outcome, ms) {
      ec2Calls.inc({ action, outcome });
      ec2Seconds.observe({ action }, ms / 1000);
    },
    ec2Throttle: (action) => throttles.inc({ action }),
    probe(target, ok, ms) {
      probes.inc({ target, result: ok ? 'pass' : 'fail' });
      probeSeconds.observe({ target }, ms / 1000);
    },
  };
}

import type { AgentConfig } from '../config/schema';
import type { ResolvedGroup } from '../config/resolve-groups';
import { describeError } from '../errors';
import type {
  Candidate,
  CandidateSource,
  CheckResult,
  Clock,
  ConsulPresence,
  Dataplane,
  DataplaneReport,
  GroupElection,
  GroupRoutes,
  HealthSnapshot,
  HealthSource,
  InstanceIdentity,
  Interruption,
  InterruptionSource,
  LifecycleHook,
  Logger,
  Metrics,
  Preflight,
  TimerHandle,
} from '../ports';
import type { GroupPhase } from './group-machine';
import { createGroupRunner, groupSettings, type GroupRunner, type GroupSnapshot } from './group-runner';
import { desiredHealth, gateHealth, type ReportedHealth } from './health-report';
import { cappedDoublingMs } from './capped-doubling';

export type DrainReason = 'signal' | 'spot' | 'rebalance' | 'lifecycle' | 'maintenance';

export interface AgentOptions {
  config: AgentConfig;
  identity: InstanceIdentity;
  groups: readonly ResolvedGroup[];
  version: string;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  health: HealthSource;
  candidates: CandidateSource;
  presence: ConsulPresence;
  preflight: Preflight;
  dataplane: Dataplane;
  election: (group: ResolvedGroup) => GroupElection;
  routes: (group: ResolvedGroup) => GroupRoutes;
  interruptions?: InterruptionSource;
  /** Present when `drain.lifecycleHookName` is set. */
  lifecycle?: LifecycleHook;
}

export interface AgentStatus {
  version: string;
  startedAt: number;
  now: number;
  instance: InstanceIdentity;
  health: {
    level: HealthSnapshot['level'];
    since: number;
    reported: ReportedHealth;
    rounds: HealthSnapshot['rounds'];
  };
  ready: {
    ok: boolean;
    reasons: string[];
    dataplane?: DataplaneReport;
    sourceDestCheck?: CheckResult;
    iam?: CheckResult;
  };
  consul: ReturnType<ConsulPresence['describe']>;
  draining: { reason: DrainReason; detail?: string; since: number } | null;
  groups: GroupSnapshot[];
  candidates: readonly Candidate[] | null;
  interruptions: Array<{ at: number; notice: Interruption; action: string }>;
}

export interface Agent {
  /** Runs the start-up checks, registers in Consul and starts every group. */
  start(): Promise<void>;
  /**
   * Hands leadership over and stops. Resolves when done (the caller then exits 0). A second call
   * returns the same promise: a second *signal* is the caller's to handle (exit at once).
   */
  drain(reason: DrainReason, detail?: string): Promise<void>;
  /** Stops at once without handing over (the session's checks then fail over for us). */
  stop(): Promise<void>;
  isDraining(): boolean;
  /** Resolves when the agent drained itself (an interruption notice) or was drained. */
  readonly finished: Promise<void>;
  status(): AgentStatus;
  reportedHealth(): ReportedHealth;
}

const MAX_INTERRUPTIONS = 20;
const ROUTE_POLL_MS = 250;

function isActing(phase: GroupPhase): boolean {
  return (
    (phase.kind === 'leader' && phase.mode === 'resigning') ||
    (phase.kind === 'draining' && phase.step !== 'released')
  );
}

export function createAgent(options: AgentOptions): Agent {
  const { config, identity, clock, logger, metrics } = options;
  const startedAt = clock.now();
  const lifetime = new AbortController();
  const runners: GroupRunner[] = [];
  const routesByGroup = new Map<string, GroupRoutes>();
  const unsubscribes: Array<() => void> = [];
  const interruptions: AgentStatus['interruptions'] = [];
  const scheduledMaintenance = new Map<string, TimerHandle>();

  let dataplaneReport: DataplaneReport | undefined;
  let sourceDestCheck: CheckResult | undefined;
  let iam: CheckResult | undefined;
  let ready = false;
  let readyReasons: string[] = ['start-up checks not run yet'];
  let draining: AgentStatus['draining'] = null;
  let drainPromise: Promise<void> | undefined;
  let recheckTimer: TimerHandle | undefined;
  let reported: ReportedHealth = desiredHealth({
    level: 'unknown',
    ready: false,
    readyReasons,
    draining: false,
  });
  let stopped = false;
  let resolveFinished!: () => void;
  const finished = new Promise<void>((resolve) => (resolveFinished = resolve));

  // ─── facts fed to every group ──────────────────────────────────────────────

  function candidateFacts(group: string, list: readonly Candidate[] | undefined) {
    if (list === undefined)
      return { candidatesKnown: false, healthyCandidate: false, primaryCandidate: false };
    const others = list.filter((c) => c.instanceId !== identity.instanceId && c.groups[group] !== undefined);
    return {
      candidatesKnown: true,
      healthyCandidate: others.length > 0,
      primaryCandidate: others.some((c) => c.groups[group] === 'primary'),
    };
  }

  function broadcast(facts: (group: string) => Parameters<GroupRunner['dispatch']>[0]): void {
    for (const r of runners) r.dispatch(facts(r.name));
    refreshReported();
  }

  function refreshReported(): void {
    const desired = desiredHealth({
      level: options.health.snapshot().level,
      ready,
      readyReasons,
      draining: draining !== null,
    });
    const acting = runners.some((r) => isActing(r.state().phase));
    const next = gateHealth(reported, desired, acting);
    if (next.status !== reported.status) {
      logger.event('info', 'health_reported', {
        from: reported.status,
        to: next.status,
        reasons: next.reasons,
      });
    }
    reported = next;
  }

  // ─── readiness: data plane, source/dest check, IAM ─────────────────────────

  async function checkReadiness(signal: AbortSignal, initial: boolean): Promise<void> {
    const report = await options.dataplane.check(signal);
    if (initial || report.ok !== dataplaneReport?.ok || report.reason !== dataplaneReport?.reason) {
      logger.event(report.ok ? 'info' : 'error', 'dataplane_checked', { ...report });
    }
    dataplaneReport = report;
    metrics.dataplaneOk(report.ok);

    if (sourceDestCheck?.ok !== true) {
      sourceDestCheck = await guard(() => options.preflight.sourceDestCheck(signal));
      logger.event(sourceDestCheck.ok ? 'info' : 'error', 'source_dest_check', {
        networkInterfaceId: identity.networkInterfaceId,
        ...sourceDestCheck,
      });
    }
    if (iam?.ok !== true) {
      iam = await guard(() => options.preflight.iamSelfTest(signal));
      logger.event(iam.ok ? 'info' : 'error', 'iam_self_test', { ...iam });
    }
    const reasons: string[] = [];
    if (!report.ok) reasons.push(`data plane: ${report.reason ?? 'not ready'}`);
    if (!sourceDestCheck.ok) reasons.push(`source/dest check: ${sourceDestCheck.reason ?? 'still enabled'}`);
    if (!iam.ok) reasons.push(`IAM: ${iam.reason ?? 'self-test failed'}`);
    const nowReady = reasons.length === 0;
    const changed = nowReady !== ready || reasons.join('|') !== readyReasons.join('|');
    ready = nowReady;
    readyReasons = reasons;
    metrics.ready(ready);
    if (changed) broadcast(() => ({ type: 'facts', facts: { ready } }));
  }

  async function guard(fn: () => Promise<CheckResult>): Promise<CheckResult> {
    try {
      return await fn();
    } catch (error) {
      const e = describeError(error);
      return { ok: false, reason: `${e.code}: ${e.message}`, retryable: e.retryable };
    }
  }

  /**
   * When the readiness re-check runs next. A transient failure (EC2 5xx, throttling, a timeout) is
   * re-checked after 1 s, 2 s, 4 s … up to the reconcile interval: a replacement instance that booted
   * during an EC2 blip must not sit out a whole interval (found by the lab's fault campaign). Anything
   * else waits for the reconcile interval.
   */
  let transientRechecks = 0;
  function nextRecheckMs(): number {
    const transient =
      !ready &&
      [sourceDestCheck, iam].some((c) => c?.ok === false && c.retryable === true) &&
      [sourceDestCheck, iam].every((c) => c?.ok !== false || c.retryable === true) &&
      dataplaneReport?.ok !== false;
    if (!transient) {
      transientRechecks = 0;
      return config.reconcile.intervalMs;
    }
    const delay = cappedDoublingMs(transientRechecks, 1_000, config.reconcile.intervalMs);
    transientRechecks += 1;
    return delay;
  }

  function scheduleRecheck(): void {
    if (stopped || draining !== null) return;
    recheckTimer = clock.setTimer(() => {
      recheckTimer = undefined;
      void checkReadiness(lifetime.signal, false)
        .catch((error: unknown) =>
          logger.event('error', 'dataplane_checked', { error: describeError(error) }),
        )
        .finally(scheduleRecheck);
    }, nextRecheckMs());
  }

  // ─── interruptions ─────────────────────────────────────────────────────────

  function onInterruption(notice: Interruption): void {
    metrics.interruption(notice.kind);
    let action = 'logged';
    switch (notice.kind) {
      case 'spot':
        action = 'drain';
        break;
      case 'rebalance':
        action = config.interruptions.drainOnRebalance ? 'drain' : 'logged (drainOnRebalance is off)';
        break;
      case 'lifecycle':
        action = notice.targetState === 'Terminated' ? 'drain' : 'logged';
        break;
      case 'maintenance': {
        if (notice.code !== 'instance-stop' && notice.code !== 'instance-retirement') break;
        const at = (notice.notBefore ?? clock.now()) - config.interruptions.maintenanceLeadMs;
        const delay = at - clock.now();
        if (delay <= 0) {
          action = 'drain';
          break;
        }
        const id = `${notice.code}@${notice.notBefore ?? 0}`;
        if (!scheduledMaintenance.has(id)) {
          scheduledMaintenance.set(
            id,
            clock.setTimer(() => {
              scheduledMaintenance.delete(id);
              void drain('maintenance', notice.code);
            }, delay),
          );
        }
        action = `drain scheduled at ${new Date(at).toISOString()}`;
        break;
      }
    }
    interruptions.push({ at: clock.now(), notice, action });
    if (interruptions.length > MAX_INTERRUPTIONS) interruptions.shift();
    logger.event('warn', 'interruption_notice', { ...notice, action });
    if (action === 'drain') {
      const detail =
        notice.kind === 'spot' ? notice.action : notice.kind === 'maintenance' ? notice.code : notice.kind;
      void drain(notice.kind, detail);
    }
  }

  // ─── start ─────────────────────────────────────────────────────────────────

  async function start(): Promise<void> {
    const signal = lifetime.signal;
    logger.event('info', 'agent_starting', {
      version: options.version,
      instanceId: identity.instanceId,
      az: identity.az,
      groups: options.groups.map((g) => ({ name: g.name, role: g.role, key: g.key })),
    });
    await checkReadiness(signal, true);
    await options.presence.start(signal);
    logger.event('info', 'consul_registered', { ...options.presence.describe() });
    if (stopped || draining !== null) return;

    const initialCandidates = options.candidates.current();
    for (const group of options.groups) {
      const routes = options.routes(group);
      routesByGroup.set(group.name, routes);
      const runner = createGroupRunner({
        name: group.name,
        key: group.key,
        settings: groupSettings({
          role: group.role,
          fallback: group.fallback,
          rescueAfterMs: group.rescueAfterMs,
          handBackAfterMs: group.handBackAfterMs,
          reconcileIntervalMs: config.reconcile.intervalMs,
        }),
        election: options.election(group),
        routes,
        clock,
        logger,
        metrics,
        initialFacts: {
          health: options.health.snapshot().level,
          ready,
          ...candidateFacts(group.name, initialCandidates),
        },
      });
      unsubscribes.push(runner.onChange(refreshReported));
      runners.push(runner);
    }

    unsubscribes.push(
      options.health.subscribe((snap) => {
        metrics.pathHealth(snap.level);
        const last = snap.rounds.at(-1);
        logger.event(snap.level === 'healthy' ? 'info' : 'warn', 'health_changed', {
          health: snap.level,
          ...(last === undefined ? {} : { failures: last.failures }),
        });
        broadcast(() => ({ type: 'facts', facts: { health: snap.level } }));
      }),
      options.candidates.subscribe((list) => {
        logger.event('debug', 'candidates_changed', {
          candidates: list.map((c) => ({ instanceId: c.instanceId, az: c.az, groups: c.groups })),
        });
        broadcast((g) => ({ type: 'facts', facts: candidateFacts(g, list) }));
      }),
    );
    if (options.interruptions !== undefined)
      unsubscribes.push(options.interruptions.subscribe(onInterruption));

    metrics.pathHealth(options.health.snapshot().level);
    for (const r of runners) r.dispatch({ type: 'start' });
    refreshReported();
    scheduleRecheck();
    logger.event('info', 'agent_ready', {
      ready,
      ...(ready ? {} : { reasons: readyReasons }),
      health: options.health.snapshot().level,
    });
  }

  // ─── drain ─────────────────────────────────────────────────────────────────

  function waitUntil(predicate: () => boolean, deadline: number): Promise<boolean> {
    if (predicate()) return Promise.resolve(true);
    return new Promise((resolve) => {
      let done = false;
      const finish = (value: boolean) => {
        if (done) return;
        done = true;
        for (const u of unsubs) u();
        clock.clearTimer(timer);
        resolve(value);
      };
      const unsubs = runners.map((r) => r.onChange(() => predicate() && finish(true)));
      const timer = clock.setTimer(() => finish(predicate()), Math.max(0, deadline - clock.now()));
    });
  }

  async function routesMovedAway(group: string, deadline: number): Promise<boolean> {
    const routes = routesByGroup.get(group);
    if (routes === undefined) return true;
    while (clock.now() < deadline) {
      try {
        // AbortSignal.timeout wants whole milliseconds; the monotonic clock has fractions.
        const seen = await routes.observe(
          AbortSignal.timeout(Math.max(1, Math.ceil(deadline - clock.now()))),
        );
        if (seen.routes.every((r) => r.target !== identity.networkInterfaceId)) return true;
        logger.event('debug', 'drain_successor', {
          group,
          routesStillHere: seen.routes.filter((r) => r.target === identity.networkInterfaceId).length,
        });
      } catch (error) {
        // A failed read is not evidence either way; try again until the deadline.
        logger.event('debug', 'drain_successor', { group, routesUnreadable: describeError(error) });
      }
      await clock.sleep(ROUTE_POLL_MS);
    }
    return false;
  }

  function drain(reason: DrainReason, detail?: string): Promise<void> {
    if (drainPromise !== undefined) return drainPromise;
    drainPromise = runDrain(reason, detail).finally(resolveFinished);
    return drainPromise;
  }

  async function runDrain(reason: DrainReason, detail: string | undefined): Promise<void> {
    const began = clock.now();
    draining = { reason, ...(detail === undefined ? {} : { detail }), since: began };
    metrics.draining(true);
    if (recheckTimer !== undefined) clock.clearTimer(recheckTimer);
    for (const t of scheduledMaintenance.values()) clock.clearTimer(t);
    scheduledMaintenance.clear();
    const led = runners.filter((r) => r.state().phase.kind === 'leader');
    const successorExpected = new Map(led.map((r) => [r.name, r.state().facts.healthyCandidate]));
    logger.event('info', 'drain_started', {
      reason,
      ...(detail === undefined ? {} : { detail }),
      leaderOf: led.map((r) => r.name),
      successorWaitMs: config.drain.successorWaitMs,
    });
    for (const r of runners) r.dispatch({ type: 'drain' });
    refreshReported();

    const deadline = began + config.drain.successorWaitMs;
    await waitUntil(() => runners.every((r) => isReleased(r.state().phase)), deadline);

    const successors: Record<string, string | null> = {};
    for (const r of led) {
      if (successorExpected.get(r.name) !== true) {
        successors[r.name] = null;
        continue;
      }
      const got = await waitUntil(() => r.state().facts.holder === 'other', deadline);
      successors[r.name] = got ? (r.snapshot().holderSession ?? 'unknown') : null;
      logger.event(got ? 'info' : 'warn', 'drain_successor', {
        group: r.name,
        successorSession: successors[r.name],
        waitedMs: clock.now() - began,
      });
    }

    if (reason === 'lifecycle') await completeLifecycle(led, successors, deadline);

    await shutdown();
    logger.event('info', 'drain_completed', { reason, durationMs: clock.now() - began, successors });
  }

  async function completeLifecycle(
    led: GroupRunner[],
    successors: Record<string, string | null>,
    deadline: number,
  ): Promise<void> {
    if (options.lifecycle === undefined) {
      logger.event('warn', 'lifecycle_failed', {
        reason: 'drain.lifecycleHookName is not set: the Auto Scaling group waits for the hook timeout',
      });
      return;
    }
    // CONTINUE only once the successor's routes are visible (or at the deadline): the ASG terminates
    // the instance right after, and in-flight connections through it die with it.
    for (const r of led) {
      if (successors[r.name] != null) await routesMovedAway(r.name, deadline);
    }
    try {
      await options.lifecycle.complete(AbortSignal.timeout(config.aws.requestTimeoutMs * 3));
      logger.event('info', 'lifecycle_completed', {
        result: 'CONTINUE',
        afterMs: clock.now() - (draining?.since ?? 0),
      });
    } catch (error) {
      logger.event('error', 'lifecycle_failed', { error: describeError(error) });
    }
  }

  async function shutdown(): Promise<void> {
    if (stopped) return;
    stopped = true;
    if (recheckTimer !== undefined) clock.clearTimer(recheckTimer);
    for (const t of scheduledMaintenance.values()) clock.clearTimer(t);
    for (const u of unsubscribes.splice(0)) u();
    for (const r of runners) r.dispatch({ type: 'stop' });
    await Promise.all(runners.map((r) => r.idle()));
    for (const r of runners) r.close();
    lifetime.abort(new Error('agent stopped'));
    await options.presence.stop();
    metrics.draining(false);
  }

  return {
    start,
    drain,
    async stop() {
      await shutdown();
      logger.event('info', 'agent_stopped', {});
      resolveFinished();
    },
    isDraining: () => draining !== null,
    finished,
    reportedHealth: () => reported,
    status: () => ({
      version: options.version,
      startedAt,
      now: clock.now(),
      instance: identity,
      health: {
        level: options.health.snapshot().level,
        since: options.health.snapshot().since,
        reported,
        rounds: options.health.snapshot().rounds,
      },
      ready: {
        ok: ready,
        reasons: readyReasons,
        ...(dataplaneReport === undefined ? {} : { dataplane: dataplaneReport }),
        ...(sourceDestCheck === undefined ? {} : { sourceDestCheck }),
        ...(iam === undefined ? {} : { iam }),
      },
      consul: options.presence.describe(),
      draining,
      groups: runners.map((r) => r.snapshot()),
      candidates: options.candidates.current() ?? null,
      interruptions: [...interruptions],
    }),
  };
}

function isReleased(phase: GroupPhase): boolean {
  return (phase.kind === 'draining' && phase.step === 'released') || phase.kind === 'stopped';
}

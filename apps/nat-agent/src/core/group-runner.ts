import { describeError, isAbortError } from '../errors';
import type {
  Clock,
  GroupElection,
  GroupRoutes,
  HolderView,
  LeadershipLossReason,
  LeaseToken,
  Logger,
  Metrics,
  Role,
  RouteEntry,
  RouteOutcome,
  TimerHandle,
} from '../ports';
import {
  initialGroupState,
  phaseLabel,
  reduceGroup,
  type GroupEffect,
  type GroupEvent,
  type GroupFacts,
  type GroupSettings,
  type GroupState,
  type TimerName,
  type WorkKind,
} from './group-machine';

export interface GroupRunnerOptions {
  name: string;
  key: string;
  settings: GroupSettings;
  election: GroupElection;
  routes: GroupRoutes;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  initialFacts?: Partial<GroupFacts>;
}

export interface FailoverRecord {
  at: number;
  /** `acquired`: this instance became leader and claimed; `lost`: it gave leadership up. */
  direction: 'acquired' | 'lost';
  reason?: LeadershipLossReason;
  /** acquired: from `elected` to routes verified. */
  claimMs?: number;
  /** acquired: from the moment the key was seen free to routes verified (the outage as seen here). */
  sinceKeyFreeMs?: number;
  movedFromOther?: number;
}

export interface GroupSnapshot {
  name: string;
  key: string;
  role: Role;
  state: string;
  since: number;
  leader: boolean;
  term: number;
  lease?: LeaseToken;
  holder: HolderView['holder'];
  holderSession?: string;
  contending: boolean;
  fallbackActive: boolean;
  facts: GroupFacts;
  lastClaim?: { at: number; durationMs: number; changed: number; movedFromOther: number };
  lastFailover?: FailoverRecord;
  routes?: { at: number; entries: RouteEntry[] };
  lastError?: { at: number; code: string; message: string };
}

export interface GroupRunner {
  readonly name: string;
  dispatch(event: GroupEvent): void;
  state(): GroupState;
  snapshot(): GroupSnapshot;
  /** Called after every processed event. */
  onChange(listener: (runner: GroupRunner) => void): () => void;
  /** Settles when no work or resign is in flight (used by shutdown and tests). */
  idle(): Promise<void>;
  /** Unsubscribes from the election and clears timers. */
  close(): void;
}

interface InFlight {
  workId: number;
  kind: WorkKind;
  controller: AbortController;
  promise: Promise<void>;
}

/**
 * Executes the effects of `reduceGroup` against the ports and feeds their results back as events.
 * Events raised while an event is being processed are queued, so the machine sees one at a time.
 */
export function createGroupRunner(options: GroupRunnerOptions): GroupRunner {
  const { name, key, settings, election, routes, clock, logger, metrics } = options;
  let state = initialGroupState(options.initialFacts);
  let since = clock.now();
  let label = phaseLabel(state.phase);
  const timers = new Map<TimerName, TimerHandle>();
  const listeners = new Set<(r: GroupRunner) => void>();
  const pending = new Set<Promise<void>>();
  const queue: GroupEvent[] = [];
  let busy = false;
  let closed = false;
  let current: InFlight | undefined;
  let lastSettled: Promise<void> = Promise.resolve();

  let electedAt: number | undefined;
  let keyFreeAt: number | undefined;
  let holderSession: string | undefined;
  let lastClaim: GroupSnapshot['lastClaim'];
  let lastFailover: FailoverRecord | undefined;
  let lastRoutes: GroupSnapshot['routes'];
  let lastError: GroupSnapshot['lastError'];

  metrics.groupState(name, label);
  metrics.leader(name, settings.role, false);
  metrics.fallbackActive(name, false);

  const track = (p: Promise<void>): void => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  const log = (level: Parameters<Logger['event']>[0], event: Parameters<Logger['event']>[1], fields = {}) =>
    logger.event(level, event, { group: name, ...fields });

  const unsubscribe = election.subscribe((e) => {
    switch (e.type) {
      case 'elected':
        // A starved leader re-confirming reports `elected` again with the same token: not a new term.
        if (state.phase.kind !== 'leader') electedAt = clock.now();
        dispatch({ type: 'elected', token: e.token });
        break;
      case 'deposed':
        dispatch({ type: 'deposed', reason: e.reason });
        break;
      case 'holder': {
        const before = state.facts.holder;
        holderSession = e.view.session;
        if (e.view.holder === 'none' && before !== 'none') keyFreeAt = clock.now();
        dispatch({ type: 'facts', facts: { holder: e.view.holder } });
        break;
      }
    }
  });

  function dispatch(event: GroupEvent): void {
    if (closed) return;
    queue.push(event);
    if (busy) return;
    busy = true;
    try {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const result = reduceGroup(state, next, settings);
        state = result.state;
        for (const effect of result.effects) execute(effect);
        const nextLabel = phaseLabel(state.phase);
        if (nextLabel !== label) {
          log('info', 'state_changed', { from: label, to: nextLabel, term: state.term });
          label = nextLabel;
          since = clock.now();
          metrics.groupState(name, label);
          metrics.leader(name, settings.role, state.phase.kind === 'leader');
        }
        metrics.fallbackActive(name, state.fallbackActive);
        for (const l of listeners) l(runner);
      }
    } finally {
      busy = false;
    }
  }

  function execute(effect: GroupEffect): void {
    switch (effect.type) {
      case 'contend':
        election.contend();
        break;
      case 'withdraw':
        election.withdraw();
        break;
      case 'start-work':
        startWork(effect.work, effect.workId, effect.term);
        break;
      case 'abort-work':
        current?.controller.abort(new Error('work aborted: leadership changed'));
        current = undefined;
        break;
      case 'resign':
        resign(effect.reason, effect.term);
        break;
      case 'set-timer': {
        const old = timers.get(effect.name);
        if (old !== undefined) clock.clearTimer(old);
        timers.set(
          effect.name,
          clock.setTimer(() => {
            timers.delete(effect.name);
            dispatch({ type: 'timer', name: effect.name });
          }, effect.ms),
        );
        break;
      }
      case 'clear-timer': {
        const handle = timers.get(effect.name);
        if (handle !== undefined) clock.clearTimer(handle);
        timers.delete(effect.name);
        break;
      }
      case 'failover':
        metrics.failover(name, effect.reason);
        lastFailover = { at: clock.now(), direction: 'lost', reason: effect.reason };
        break;
      case 'notice':
        log(effect.level, effect.event, effect.fields);
        break;
    }
  }

  function startWork(kind: WorkKind, workId: number, term: number): void {
    const controller = new AbortController();
    const started = clock.now();
    if (kind === 'claim') log('info', 'claim_started', { term });
    // The lease's signal already carries `controller`'s: consul-lock must see our own cuts (a resign,
    // a change of leadership) as cuts, so that the release waits out a write still on its way to EC2.
    const run = (signal: AbortSignal): Promise<RouteOutcome> => {
      if (kind === 'claim') return routes.claim(signal);
      if (kind === 'reconcile') return routes.reconcile(signal);
      return routes.engageFallback(signal);
    };
    const promise = election.withLease(run, controller.signal).then(
      (outcome) => {
        lastRoutes = { at: clock.now(), entries: outcome.routes };
        if (controller.signal.aborted) return;
        onOutcome(kind, outcome, started, term);
        dispatch({ type: 'work-done', work: kind, workId, outcome });
      },
      (error: unknown) => {
        const summary =
          controller.signal.aborted || isAbortError(error)
            ? { code: 'ABORTED', message: 'aborted', retryable: false }
            : describeError(error);
        if (summary.code !== 'ABORTED')
          lastError = { at: clock.now(), code: summary.code, message: summary.message };
        dispatch({ type: 'work-failed', work: kind, workId, error: summary });
      },
    );
    current = { workId, kind, controller, promise };
    lastSettled = promise;
    track(promise);
  }

  function onOutcome(kind: WorkKind, outcome: RouteOutcome, started: number, term: number): void {
    const now = clock.now();
    if (kind === 'claim') {
      const durationMs = now - started;
      lastClaim = { at: now, durationMs, changed: outcome.changed, movedFromOther: outcome.movedFromOther };
      metrics.claimDuration(name, durationMs);
      const record: FailoverRecord = {
        at: now,
        direction: 'acquired',
        claimMs: electedAt === undefined ? durationMs : now - electedAt,
        movedFromOther: outcome.movedFromOther,
        ...(keyFreeAt === undefined ? {} : { sinceKeyFreeMs: now - keyFreeAt }),
      };
      if (outcome.movedFromOther > 0) metrics.takeover(name);
      lastFailover = record;
      log('info', 'routes_claimed', {
        term,
        durationMs,
        sinceElectedMs: record.claimMs,
        ...(record.sinceKeyFreeMs === undefined ? {} : { sinceKeyFreeMs: record.sinceKeyFreeMs }),
        changed: outcome.changed,
        movedFromOther: outcome.movedFromOther,
        routes: outcome.routes.length,
        ...(outcome.eip === undefined ? {} : { eip: outcome.eip }),
      });
    } else if (kind === 'reconcile') {
      if (outcome.changed > 0) {
        metrics.routeDrift(name, outcome.changed);
        log('warn', 'reconcile_drift', { repaired: outcome.changed, routes: outcome.routes });
      }
      if (outcome.eip?.moved === true)
        log('warn', 'eip_followed', { allocationId: outcome.eip.allocationId });
    }
  }

  function resign(reason: LeadershipLossReason, term: number): void {
    // Stop writing first, wait for the aborted call to settle, then release: a successor can only
    // acquire after our last write has left this process (docs/safety.md).
    const inFlight = lastSettled;
    current?.controller.abort(new Error(`resigning: ${reason}`));
    current = undefined;
    const p = (async () => {
      await inFlight.catch(() => undefined);
      await election.resign();
      dispatch({ type: 'resigned', term });
    })();
    track(p);
  }

  const runner: GroupRunner = {
    name,
    dispatch,
    state: () => state,
    snapshot: () => ({
      name,
      key,
      role: settings.role,
      state: label,
      since,
      leader: state.phase.kind === 'leader',
      term: state.term,
      ...(state.phase.kind === 'leader' && state.token !== undefined ? { lease: state.token } : {}),
      holder: state.facts.holder,
      ...(holderSession === undefined ? {} : { holderSession }),
      contending: state.contending,
      fallbackActive: state.fallbackActive,
      facts: state.facts,
      ...(lastClaim === undefined ? {} : { lastClaim }),
      ...(lastFailover === undefined ? {} : { lastFailover }),
      ...(lastRoutes === undefined ? {} : { routes: lastRoutes }),
      ...(lastError === undefined ? {} : { lastError }),
    }),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    close() {
      closed = true;
      unsubscribe();
      for (const handle of timers.values()) clock.clearTimer(handle);
      timers.clear();
      current?.controller.abort(new Error('closed'));
      listeners.clear();
    },
  };
  return runner;
}

/** Settings of a group from its config and the agent-wide knobs. */
export function groupSettings(input: {
  role: Role;
  fallback?: { holdDownMs: number } | undefined;
  rescueAfterMs: number;
  handBackAfterMs: number;
  reconcileIntervalMs: number;
  tuning?: Partial<
    Pick<
      GroupSettings,
      'claimRetryBaseMs' | 'claimRetryMaxMs' | 'claimFailuresBeforeResign' | 'resignCooldownMs'
    >
  >;
}): GroupSettings {
  return {
    role: input.role,
    fallback: input.fallback !== undefined,
    fallbackHoldDownMs: input.fallback?.holdDownMs ?? 0,
    rescueAfterMs: input.rescueAfterMs,
    handBackAfterMs: input.handBackAfterMs,
    reconcileIntervalMs: input.reconcileIntervalMs,
    claimRetryBaseMs: input.tuning?.claimRetryBaseMs ?? 1_000,
    claimRetryMaxMs: input.tuning?.claimRetryMaxMs ?? 30_000,
    claimFailuresBeforeResign: input.tuning?.claimFailuresBeforeResign ?? 3,
    resignCooldownMs: input.tuning?.resignCooldownMs ?? 10_000,
  };
}

import type { ErrorSummary } from '../errors';
import type {
  HealthLevel,
  HolderView,
  LeadershipLossReason,
  LeaseToken,
  LogEvent,
  LogLevel,
  Role,
  RouteOutcome,
} from '../ports';
import { cappedDoublingMs } from './capped-doubling';

/**
 * The decisions of one election group, as a pure function `(state, event) → (state, effects)`.
 *
 * ```
 *  starting ──start──▶ follower ─┬─ contending      (eligible primary, or a ready rescue, or the
 *                                │                   fenced fallback writer when nobody healthy exists)
 *                                ├─ rescue-waiting  (rescue: the group has a leader, or had none for
 *                                │                   less than rescueAfterMs)
 *                                └─ standing-by     (unhealthy, data plane broken, cooling down)
 *        ▲  deposed / resigned      │ elected
 *        │                          ▼
 *        └──────────────── leader ─┬─ claiming ──▶ serving ◀──▶ reconciling
 *                                  ├─ fallback-pending ──hold-down──▶ engaging-fallback ──▶ fallback
 *                                  └─ resigning (release first: no lock-delay for the successor)
 *  any ──drain──▶ draining (engaging-fallback? → resigning → released) ──stop──▶ stopped
 * ```
 *
 * Effects are executed by `createGroupRunner`; every timer is an effect too, so tests drive the whole
 * machine in virtual time. Work (claim, reconcile, fallback) carries the leadership `term` it was
 * started in: results of an older term are ignored, and `abort-work` stops writes at once.
 */

export type FollowerMode = 'contending' | 'standing-by' | 'rescue-waiting';
export type LeaderMode =
  | 'claiming'
  | 'serving'
  | 'reconciling'
  | 'fallback-pending'
  | 'engaging-fallback'
  | 'fallback'
  | 'resigning';
export type DrainStep = 'engaging-fallback' | 'resigning' | 'released';

export type GroupPhase =
  | { kind: 'starting' }
  | { kind: 'follower'; mode: FollowerMode }
  | { kind: 'leader'; mode: LeaderMode }
  | { kind: 'draining'; step: DrainStep }
  | { kind: 'stopped' };

export type WorkKind = 'claim' | 'reconcile' | 'fallback';
export type TimerName = 'rescue' | 'hand-back' | 'fallback-hold' | 'reconcile' | 'claim-retry' | 'cooldown';

export interface GroupFacts {
  /** This instance's Internet-path health. */
  health: HealthLevel;
  /** Data plane, source/dest check and IAM self-test all passed. */
  ready: boolean;
  /** Consul's passing list has been read at least once (else the two below mean nothing). */
  candidatesKnown: boolean;
  /** Another instance serving this group has every check passing. */
  healthyCandidate: boolean;
  /** …and is a primary of this group (what a rescue leader hands back to). */
  primaryCandidate: boolean;
  holder: HolderView['holder'];
}

export interface GroupSettings {
  role: Role;
  /** A fallback target (NAT gateway or ENI) is configured. */
  fallback: boolean;
  rescueAfterMs: number;
  handBackAfterMs: number;
  fallbackHoldDownMs: number;
  reconcileIntervalMs: number;
  /** First retry delay of a failed claim; doubles per failure up to `claimRetryMaxMs`. */
  claimRetryBaseMs: number;
  claimRetryMaxMs: number;
  /** After this many failed claims in a row, a leader with a healthy candidate steps aside. */
  claimFailuresBeforeResign: number;
  /** How long an agent that stepped aside after failed claims stays out of contention. */
  resignCooldownMs: number;
}

export const DEFAULT_GROUP_TUNING = {
  claimRetryBaseMs: 1_000,
  claimRetryMaxMs: 30_000,
  claimFailuresBeforeResign: 3,
  resignCooldownMs: 10_000,
} as const;

export interface GroupState {
  phase: GroupPhase;
  facts: GroupFacts;
  /** Whether the election has been told to contend. */
  contending: boolean;
  /** Leadership term: +1 on every `elected`. */
  term: number;
  token?: LeaseToken;
  /** The work in flight, if any (one at a time), and its id: results of aborted work are ignored. */
  work: WorkKind | null;
  workId: number;
  /** Routes are known to point at this instance (claimed in this term). */
  claimed: boolean;
  fallbackActive: boolean;
  /** Rescue: the group has had no leader for rescueAfterMs. */
  rescueReady: boolean;
  /** Out of contention after stepping aside (claim failures). */
  cooldown: boolean;
  claimFailures: number;
  resignReason?: LeadershipLossReason;
  timers: readonly TimerName[];
  draining: boolean;
}

export type GroupEvent =
  | { type: 'start' }
  | { type: 'facts'; facts: Partial<GroupFacts> }
  | { type: 'elected'; token: LeaseToken }
  | { type: 'deposed'; reason: string }
  | { type: 'work-done'; work: WorkKind; workId: number; outcome: RouteOutcome }
  | { type: 'work-failed'; work: WorkKind; workId: number; error: ErrorSummary }
  | { type: 'resigned'; term: number }
  | { type: 'timer'; name: TimerName }
  | { type: 'drain' }
  | { type: 'stop' };

export type GroupEffect =
  | { type: 'contend' }
  | { type: 'withdraw' }
  | { type: 'start-work'; work: WorkKind; workId: number; term: number }
  | { type: 'abort-work' }
  | { type: 'resign'; reason: LeadershipLossReason; term: number }
  | { type: 'set-timer'; name: TimerName; ms: number }
  | { type: 'clear-timer'; name: TimerName }
  | { type: 'failover'; reason: LeadershipLossReason }
  | { type: 'notice'; level: LogLevel; event: LogEvent; fields: Record<string, unknown> };

export function initialGroupState(facts: Partial<GroupFacts> = {}): GroupState {
  return {
    phase: { kind: 'starting' },
    facts: {
      health: 'unknown',
      ready: false,
      candidatesKnown: false,
      healthyCandidate: false,
      primaryCandidate: false,
      holder: 'unknown',
      ...facts,
    },
    contending: false,
    term: 0,
    work: null,
    workId: 0,
    claimed: false,
    fallbackActive: false,
    rescueReady: false,
    cooldown: false,
    claimFailures: 0,
    timers: [],
    draining: false,
  };
}

/** Healthy or degraded path, and every prerequisite met: may lead and route traffic. */
export function isEligible(f: GroupFacts): boolean {
  return (f.health === 'healthy' || f.health === 'degraded') && f.ready;
}

/**
 * May hold the lock only to point routes at the fallback: a fallback is configured, Consul says no
 * healthy candidate exists, and this instance is not eligible itself. The lock keeps the fallback
 * write single and fenced even when every NAT is down.
 */
function isFallbackWriter(f: GroupFacts, s: GroupSettings): boolean {
  return s.fallback && f.candidatesKnown && !f.healthyCandidate && f.health !== 'unknown' && !isEligible(f);
}

class Step {
  readonly fx: GroupEffect[] = [];
  constructor(
    public st: GroupState,
    readonly s: GroupSettings,
  ) {}

  set(patch: Partial<GroupState>): void {
    this.st = { ...this.st, ...patch };
  }
  emit(effect: GroupEffect): void {
    this.fx.push(effect);
  }
  notice(event: LogEvent, fields: Record<string, unknown> = {}, level: LogLevel = 'info'): void {
    this.fx.push({ type: 'notice', level, event, fields });
  }
  setTimer(name: TimerName, ms: number): void {
    if (this.st.timers.includes(name)) this.emit({ type: 'clear-timer', name });
    this.set({ timers: [...this.st.timers.filter((t) => t !== name), name] });
    this.emit({ type: 'set-timer', name, ms });
  }
  ensureTimer(name: TimerName, ms: number): boolean {
    if (this.st.timers.includes(name)) return false;
    this.setTimer(name, ms);
    return true;
  }
  clearTimer(name: TimerName): void {
    if (!this.st.timers.includes(name)) return;
    this.set({ timers: this.st.timers.filter((t) => t !== name) });
    this.emit({ type: 'clear-timer', name });
  }
  /** A fired timer is no longer pending. */
  fired(name: TimerName): boolean {
    if (!this.st.timers.includes(name)) return false;
    this.set({ timers: this.st.timers.filter((t) => t !== name) });
    return true;
  }
  startWork(work: WorkKind): void {
    const workId = this.st.workId + 1;
    this.set({ work, workId });
    this.emit({ type: 'start-work', work, workId, term: this.st.term });
  }
  abortWork(): void {
    if (this.st.work === null) return;
    this.set({ work: null });
    this.emit({ type: 'abort-work' });
  }
  leaderMode(mode: LeaderMode): void {
    this.set({ phase: { kind: 'leader', mode } });
  }
}

const LEADER_TIMERS: readonly TimerName[] = ['hand-back', 'fallback-hold', 'reconcile', 'claim-retry'];

export function reduceGroup(
  state: GroupState,
  event: GroupEvent,
  settings: GroupSettings,
): { state: GroupState; effects: GroupEffect[] } {
  const x = new Step(state, settings);
  const phase = state.phase;
  switch (event.type) {
    case 'start':
      if (phase.kind === 'starting') {
        x.set({ phase: { kind: 'follower', mode: 'standing-by' } });
        settle(x);
      }
      break;

    case 'facts':
      x.set({ facts: { ...state.facts, ...event.facts } });
      settle(x);
      break;

    case 'elected':
      onElected(x, event.token);
      break;

    case 'deposed':
      onDeposed(x, event.reason);
      break;

    case 'work-done':
      if (event.workId === state.workId && state.work === event.work)
        onWorkDone(x, event.work, event.outcome);
      break;

    case 'work-failed':
      if (event.workId === state.workId && state.work === event.work)
        onWorkFailed(x, event.work, event.error);
      break;

    case 'resigned':
      if (event.term === state.term) onResigned(x);
      break;

    case 'timer':
      if (x.fired(event.name)) onTimer(x, event.name);
      break;

    case 'drain':
      onDrain(x);
      break;

    case 'stop':
      if (phase.kind !== 'stopped') {
        x.abortWork();
        for (const t of state.timers) x.clearTimer(t);
        if (state.contending) {
          x.emit({ type: 'withdraw' });
          x.set({ contending: false });
        }
        x.set({ phase: { kind: 'stopped' } });
      }
      break;
  }
  return { state: x.st, effects: x.fx };
}

function onElected(x: Step, token: LeaseToken): void {
  const { phase } = x.st;
  if (phase.kind === 'leader') return; // duplicate notification of the same lease
  x.set({
    term: x.st.term + 1,
    token,
    claimed: false,
    claimFailures: 0,
    contending: false,
    rescueReady: false,
  });
  x.clearTimer('rescue');
  x.notice('elected', { session: token.session, lockIndex: token.lockIndex, key: token.key });
  if (phase.kind === 'draining' || phase.kind === 'stopped' || x.st.draining) {
    // The acquire raced with the drain: give the lock straight back.
    x.set({ phase: { kind: 'draining', step: 'resigning' } });
    x.emit({ type: 'resign', reason: 'drain', term: x.st.term });
    return;
  }
  const f = x.st.facts;
  if (!isEligible(f) && f.healthyCandidate) {
    resign(x, f.ready ? 'health_lost' : 'not_ready');
    return;
  }
  if (isFallbackWriter(f, x.s)) {
    x.leaderMode('fallback-pending');
    x.setTimer('fallback-hold', x.s.fallbackHoldDownMs);
    x.notice('fallback_pending', { holdDownMs: x.s.fallbackHoldDownMs, why: whyIneligible(f) }, 'warn');
    return;
  }
  // Eligible, or ineligible with nobody better and no fallback: a live NAT beats a dead route.
  x.leaderMode('claiming');
  x.startWork('claim');
  settleLeader(x);
}

function onDeposed(x: Step, reason: string): void {
  const { phase } = x.st;
  if (phase.kind === 'leader') {
    const wasResigning = phase.mode === 'resigning';
    leaveLeadership(x);
    if (wasResigning) {
      // The release we asked for: the key watch saw it before resign() returned.
      completeResign(x);
    } else {
      x.notice('deposed', { reason }, 'warn');
      x.emit({ type: 'failover', reason: 'deposed' });
    }
    x.set({ phase: { kind: 'follower', mode: 'standing-by' } });
    settle(x);
    return;
  }
  if (phase.kind === 'draining' && phase.step !== 'released') {
    x.abortWork();
    x.set({ phase: { kind: 'draining', step: 'released' } });
    if (phase.step === 'resigning') {
      // Our own release, seen by the key watch before resign() returned.
      x.notice('resigned', { reason: 'drain' });
      x.emit({ type: 'failover', reason: 'drain' });
    } else {
      x.notice('deposed', { reason }, 'warn');
      x.emit({ type: 'failover', reason: 'deposed' });
    }
  }
}

function leaveLeadership(x: Step): void {
  x.abortWork();
  for (const t of LEADER_TIMERS) x.clearTimer(t);
  x.set({ claimed: false, fallbackActive: false });
}

function onWorkDone(x: Step, work: WorkKind, outcome: RouteOutcome): void {
  x.set({ work: null });
  const { phase } = x.st;
  if (phase.kind === 'draining' && work === 'fallback' && phase.step === 'engaging-fallback') {
    x.set({ fallbackActive: true, phase: { kind: 'draining', step: 'resigning' } });
    x.notice(
      'fallback_engaged',
      { routes: outcome.routes.length, changed: outcome.changed, during: 'drain' },
      'warn',
    );
    x.emit({ type: 'resign', reason: 'drain', term: x.st.term });
    return;
  }
  if (phase.kind !== 'leader') return;
  switch (work) {
    case 'claim':
      x.set({ claimed: true, fallbackActive: false, claimFailures: 0 });
      x.clearTimer('claim-retry');
      if (phase.mode === 'claiming') {
        x.leaderMode('serving');
        x.setTimer('reconcile', x.s.reconcileIntervalMs);
      }
      break;
    case 'reconcile':
      if (phase.mode === 'reconciling') {
        x.leaderMode('serving');
        x.setTimer('reconcile', x.s.reconcileIntervalMs);
      }
      break;
    case 'fallback':
      if (phase.mode === 'engaging-fallback') {
        x.set({ fallbackActive: true, claimed: false });
        x.leaderMode('fallback');
        x.notice('fallback_engaged', { routes: outcome.routes.length, changed: outcome.changed }, 'warn');
        x.emit({ type: 'failover', reason: 'fallback' });
      }
      break;
  }
  settleLeader(x);
}

function onWorkFailed(x: Step, work: WorkKind, error: ErrorSummary): void {
  x.set({ work: null });
  const { phase } = x.st;
  if (error.code === 'ABORTED' || error.code === 'LEASE_LOST') return; // we stopped it, or deposed follows
  if (phase.kind === 'draining' && phase.step === 'engaging-fallback') {
    x.notice('fallback_failed', { error, during: 'drain' }, 'error');
    x.set({ phase: { kind: 'draining', step: 'resigning' } });
    x.emit({ type: 'resign', reason: 'drain', term: x.st.term });
    return;
  }
  if (phase.kind !== 'leader') return;
  switch (work) {
    case 'claim': {
      const failures = x.st.claimFailures + 1;
      x.set({ claimFailures: failures });
      const delay = cappedDoublingMs(failures - 1, x.s.claimRetryBaseMs, x.s.claimRetryMaxMs);
      x.notice('claim_failed', { error, failures, retryInMs: delay }, 'error');
      if (failures >= x.s.claimFailuresBeforeResign && x.st.facts.healthyCandidate) {
        resign(x, 'claim_failed');
        return;
      }
      x.setTimer('claim-retry', delay);
      break;
    }
    case 'reconcile':
      x.notice('reconcile_failed', { error }, 'warn');
      if (phase.mode === 'reconciling') {
        x.leaderMode('serving');
        x.setTimer('reconcile', Math.min(x.s.reconcileIntervalMs, x.s.claimRetryMaxMs));
      }
      break;
    case 'fallback':
      x.notice('fallback_failed', { error }, 'error');
      if (phase.mode === 'engaging-fallback') {
        x.leaderMode('fallback-pending');
        x.setTimer('fallback-hold', x.s.claimRetryBaseMs);
      }
      break;
  }
  settleLeader(x);
}

function onResigned(x: Step): void {
  const { phase } = x.st;
  if (phase.kind === 'leader' && phase.mode === 'resigning') {
    completeResign(x);
    x.set({ phase: { kind: 'follower', mode: 'standing-by' } });
    settle(x);
  } else if (phase.kind === 'draining' && phase.step === 'resigning') {
    x.set({ phase: { kind: 'draining', step: 'released' } });
    x.notice('resigned', { reason: 'drain' });
    x.emit({ type: 'failover', reason: 'drain' });
  }
}

function completeResign(x: Step): void {
  const reason = x.st.resignReason ?? 'health_lost';
  x.notice('resigned', { reason });
  x.emit({ type: 'failover', reason });
  if (reason === 'claim_failed') {
    x.set({ cooldown: true });
    x.setTimer('cooldown', x.s.resignCooldownMs);
  }
}

function onTimer(x: Step, name: TimerName): void {
  const { phase } = x.st;
  switch (name) {
    case 'rescue':
      if (phase.kind === 'follower' && x.st.facts.holder === 'none') x.set({ rescueReady: true });
      break;
    case 'cooldown':
      x.set({ cooldown: false });
      break;
    case 'hand-back':
      if (
        phase.kind === 'leader' &&
        x.s.role === 'rescue' &&
        x.st.facts.primaryCandidate &&
        phase.mode !== 'resigning'
      ) {
        resign(x, 'hand_back');
        return;
      }
      break;
    case 'fallback-hold':
      if (phase.kind === 'leader' && phase.mode === 'fallback-pending') {
        x.leaderMode('engaging-fallback');
        x.startWork('fallback');
        return;
      }
      break;
    case 'reconcile':
      if (phase.kind === 'leader' && phase.mode === 'serving' && x.st.work === null) {
        x.leaderMode('reconciling');
        x.startWork('reconcile');
        return;
      }
      break;
    case 'claim-retry':
      if (phase.kind === 'leader' && phase.mode === 'claiming' && x.st.work === null) {
        x.startWork('claim');
        return;
      }
      break;
  }
  settle(x);
}

function onDrain(x: Step): void {
  if (x.st.draining) return;
  x.set({ draining: true });
  const { phase } = x.st;
  if (phase.kind === 'leader') {
    if (phase.mode === 'resigning') {
      x.set({ phase: { kind: 'draining', step: 'resigning' } });
      return;
    }
    leaveLeadership(x);
    const f = x.st.facts;
    const noSuccessor = f.candidatesKnown && !f.healthyCandidate;
    if (x.s.fallback && noSuccessor && phase.mode !== 'fallback') {
      // Nobody can take over: leave the routes on the fallback rather than on a NAT about to vanish.
      x.set({ phase: { kind: 'draining', step: 'engaging-fallback' } });
      x.startWork('fallback');
      return;
    }
    x.set({ phase: { kind: 'draining', step: 'resigning' } });
    x.emit({ type: 'resign', reason: 'drain', term: x.st.term });
    return;
  }
  for (const t of x.st.timers) x.clearTimer(t);
  if (x.st.contending) {
    x.emit({ type: 'withdraw' });
    x.set({ contending: false });
    x.notice('withdrawn', { why: 'drain' });
  }
  x.set({ phase: { kind: 'draining', step: 'released' } });
}

function resign(x: Step, reason: LeadershipLossReason): void {
  leaveLeadership(x);
  x.set({ resignReason: reason });
  x.leaderMode('resigning');
  x.emit({ type: 'resign', reason, term: x.st.term });
  if (x.s.role === 'rescue') x.set({ rescueReady: false });
}

export function whyIneligible(f: GroupFacts): string | undefined {
  if (!f.ready) return 'not ready (data plane, source/dest check or IAM)';
  if (f.health === 'unhealthy') return 'Internet path unhealthy';
  if (f.health === 'unknown') return 'Internet path not yet probed';
  return undefined;
}

function settle(x: Step): void {
  const { phase } = x.st;
  if (phase.kind === 'follower') settleFollower(x);
  else if (phase.kind === 'leader') settleLeader(x);
}

function settleFollower(x: Step): void {
  const f = x.st.facts;
  const s = x.s;
  if (s.role === 'rescue') {
    if (f.holder === 'none') {
      if (!x.st.rescueReady) x.ensureTimer('rescue', s.rescueAfterMs);
    } else {
      x.clearTimer('rescue');
      // Only another holder ends a rescue's turn. `self` is our own acquire, seen by the key watch
      // just before `elected`; `unknown` is Consul not answering.
      if (f.holder === 'other') x.set({ rescueReady: false });
    }
  }
  const allowedByRole = s.role === 'primary' || x.st.rescueReady;
  const want = !x.st.cooldown && allowedByRole && (isEligible(f) || isFallbackWriter(f, s));
  if (want && !x.st.contending) {
    x.emit({ type: 'contend' });
    x.set({ contending: true });
    x.notice('contending', isEligible(f) ? {} : { as: 'fallback-writer' });
  } else if (!want && x.st.contending) {
    x.emit({ type: 'withdraw' });
    x.set({ contending: false });
    x.notice('withdrawn', { why: whyIneligible(f) ?? (x.st.cooldown ? 'cooldown' : 'role') });
  }
  const mode: FollowerMode = x.st.contending
    ? 'contending'
    : s.role === 'rescue' && isEligible(f) && !x.st.cooldown
      ? 'rescue-waiting'
      : 'standing-by';
  if (mode !== (x.st.phase as { mode?: string }).mode) x.set({ phase: { kind: 'follower', mode } });
}

function settleLeader(x: Step): void {
  const phase = x.st.phase;
  if (phase.kind !== 'leader' || phase.mode === 'resigning') return;
  const f = x.st.facts;
  const s = x.s;
  const eligible = isEligible(f);

  if (!eligible && f.healthyCandidate) {
    resign(x, f.ready ? 'health_lost' : 'not_ready');
    return;
  }

  if (eligible) {
    if (s.role === 'rescue' && f.primaryCandidate) {
      if (x.ensureTimer('hand-back', s.handBackAfterMs)) {
        x.notice('hand_back_armed', { afterMs: s.handBackAfterMs });
      }
    } else {
      x.clearTimer('hand-back');
    }
    if (phase.mode === 'fallback-pending') {
      x.clearTimer('fallback-hold');
      if (x.st.claimed) {
        x.leaderMode('serving');
        x.ensureTimer('reconcile', s.reconcileIntervalMs);
      } else {
        x.leaderMode('claiming');
        x.startWork('claim');
      }
    } else if (phase.mode === 'fallback' || phase.mode === 'engaging-fallback') {
      x.abortWork();
      x.notice('fallback_disengaged', { why: 'this instance is healthy again' });
      x.leaderMode('claiming');
      x.startWork('claim');
    }
    return;
  }

  // Not eligible, and Consul knows no healthy candidate to hand over to.
  x.clearTimer('hand-back');
  if (
    isFallbackWriter(f, s) &&
    (phase.mode === 'claiming' || phase.mode === 'serving' || phase.mode === 'reconciling')
  ) {
    x.abortWork();
    x.clearTimer('reconcile');
    x.clearTimer('claim-retry');
    x.leaderMode('fallback-pending');
    x.setTimer('fallback-hold', s.fallbackHoldDownMs);
    x.notice('fallback_pending', { holdDownMs: s.fallbackHoldDownMs, why: whyIneligible(f) }, 'warn');
  }
}

/** The label `/status` and the `nat_ha_group_state` metric use: `leader.serving`, `follower.contending`. */
export function phaseLabel(phase: GroupPhase): string {
  switch (phase.kind) {
    case 'follower':
      return `follower.${phase.mode}`;
    case 'leader':
      return `leader.${phase.mode}`;
    case 'draining':
      return `draining.${phase.step}`;
    default:
      return phase.kind;
  }
}

export const ALL_PHASE_LABELS: readonly string[] = [
  'starting',
  'follower.contending',
  'follower.standing-by',
  'follower.rescue-waiting',
  'leader.claiming',
  'leader.serving',
  'leader.reconciling',
  'leader.fallback-pending',
  'leader.engaging-fallback',
  'leader.fallback',
  'leader.resigning',
  'draining.engaging-fallback',
  'draining.resigning',
  'draining.released',
  'stopped',
];

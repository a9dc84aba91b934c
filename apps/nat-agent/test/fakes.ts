/**
 * In-memory implementations of the ports, for unit tests of the core in virtual time. They record
 * what the core asked for, so tests assert behaviour (writes made, locks released) rather than calls.
 */
import { NatAgentError } from '../src/errors';
import type {
  Candidate,
  CheckResult,
  ConsulPresence,
  Preflight,
  CandidateSource,
  Clock,
  Dataplane,
  DataplaneReport,
  ElectionEvent,
  GroupElection,
  GroupRoutes,
  HealthLevel,
  HealthSnapshot,
  HealthSource,
  HolderView,
  Interruption,
  InterruptionSource,
  LeaseToken,
  LifecycleHook,
  Logger,
  LogEvent,
  LogLevel,
  Metrics,
  RouteEntry,
  RouteOutcome,
} from '../src/ports';

export interface LoggedEvent {
  level: LogLevel;
  event: LogEvent;
  fields: Record<string, unknown>;
}

export function createMemoryLogger(): Logger & { events: LoggedEvent[]; names(): LogEvent[] } {
  const events: LoggedEvent[] = [];
  return {
    events,
    names: () => events.map((e) => e.event),
    event(level, event, fields = {}) {
      events.push({ level, event, fields });
    },
  };
}

export type MetricCall = [string, ...unknown[]];

export function createMemoryMetrics(): Metrics & {
  calls: MetricCall[];
  last(name: string): unknown[] | undefined;
} {
  const calls: MetricCall[] = [];
  const rec =
    (n: string) =>
    (...args: unknown[]) => {
      calls.push([n, ...args]);
    };
  return {
    calls,
    last: (n) =>
      calls
        .filter((c) => c[0] === n)
        .at(-1)
        ?.slice(1),
    groupState: rec('groupState'),
    leader: rec('leader'),
    failover: rec('failover'),
    takeover: rec('takeover'),
    claimDuration: rec('claimDuration'),
    routeDrift: rec('routeDrift'),
    fallbackActive: rec('fallbackActive'),
    pathHealth: rec('pathHealth'),
    ready: rec('ready'),
    dataplaneOk: rec('dataplaneOk'),
    draining: rec('draining'),
    interruption: rec('interruption'),
    consulError: rec('consulError'),
    orphanSessionDestroyed: rec('orphanSessionDestroyed'),
    ec2Call: rec('ec2Call'),
    ec2Throttle: rec('ec2Throttle'),
    probe: rec('probe'),
  };
}

// ─── Election ────────────────────────────────────────────────────────────────────────────────────

export interface FakeElection extends GroupElection {
  contending: boolean;
  leader: boolean;
  resignCount: number;
  /** Every signal handed to withLease's fn (the lease's, joined with the caller's), in order. */
  leases: AbortSignal[];
  /** The caller's own signal of each withLease call (what consul-lock records a cut from). */
  callerSignals: (AbortSignal | undefined)[];
  /** Grants the lock (as if the acquire succeeded). */
  grant(token?: Partial<LeaseToken>): void;
  /** Takes the lock away (session invalidated, key stolen): aborts the lease, emits `deposed`. */
  depose(reason?: string): void;
  setHolder(view: HolderView): void;
  /** When set, resign() waits for this promise before releasing. */
  resignGate?: Promise<void>;
}

export function createFakeElection(key = 'nat-ha/groups/g/leader'): FakeElection {
  const listeners = new Set<(e: ElectionEvent) => void>();
  let lease: AbortController | undefined;
  let lockIndex = 0;
  const emit = (e: ElectionEvent) => {
    for (const l of [...listeners]) l(e);
  };
  const fake: FakeElection = {
    contending: false,
    leader: false,
    resignCount: 0,
    leases: [],
    callerSignals: [],
    contend() {
      fake.contending = true;
    },
    withdraw() {
      fake.contending = false;
    },
    async resign() {
      fake.resignCount++;
      if (fake.resignGate !== undefined) await fake.resignGate;
      if (!fake.leader) return;
      fake.leader = false;
      lease?.abort(new Error('resigned'));
      lease = undefined;
      emit({ type: 'holder', view: { holder: 'none' } });
    },
    async withLease(fn, signal) {
      if (!fake.leader || lease === undefined) throw new NatAgentError('LEASE_LOST', 'not the leader');
      // As consul-lock does: the caller's signal cuts the lease it runs under.
      const combined = signal === undefined ? lease.signal : AbortSignal.any([lease.signal, signal]);
      fake.leases.push(combined);
      fake.callerSignals.push(signal);
      return fn(combined);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      listeners.clear();
    },
    grant(token = {}) {
      fake.leader = true;
      fake.contending = false;
      lease = new AbortController();
      lockIndex++;
      emit({ type: 'holder', view: { holder: 'self', session: 'self-session' } });
      emit({
        type: 'elected',
        token: { key, session: 'self-session', lockIndex, ...token },
      });
    },
    depose(reason = 'session invalidated') {
      fake.leader = false;
      lease?.abort(new Error(reason));
      lease = undefined;
      emit({ type: 'deposed', reason });
    },
    setHolder(view) {
      emit({ type: 'holder', view });
    },
  };
  return fake;
}

// ─── Routes ──────────────────────────────────────────────────────────────────────────────────────

export interface FakeRoutes extends GroupRoutes {
  /** Route table id → current target. */
  table: Map<string, string>;
  /** Every write made, in order: [tableId, target]. */
  writes: Array<[string, string]>;
  calls: string[];
  /** Virtual milliseconds each write takes (the claim awaits this between writes). */
  writeMs: number;
  /** Model writes as requests already sent: an abort stops the next write, not the one in flight. */
  uninterruptibleWrites: boolean;
  /** The next N claims fail with this error. */
  failNext: { count: number; error: Error } | undefined;
}

export function createFakeRoutes(
  clock: Clock,
  options: { self: string; fallback?: string; tables?: string[]; initialTarget?: string; writeMs?: number },
): FakeRoutes {
  const tables = options.tables ?? ['rtb-1', 'rtb-2'];
  const table = new Map(tables.map((t) => [t, options.initialTarget ?? 'eni-old']));
  const entries = (): RouteEntry[] =>
    [...table].map(([routeTableId, target]) => ({ routeTableId, destination: '0.0.0.0/0', target }));
  const pointAll = async (target: string, signal: AbortSignal): Promise<RouteOutcome> => {
    let changed = 0;
    let movedFromOther = 0;
    for (const [id, current] of table) {
      if (current === target) continue;
      signal.throwIfAborted();
      if (fake.uninterruptibleWrites) {
        // A request already on the wire: aborting the client does not stop EC2 applying it.
        await clock.sleep(fake.writeMs);
        fake.writes.push([id, target]);
        signal.throwIfAborted();
      } else {
        await clock.sleep(fake.writeMs, signal);
        signal.throwIfAborted();
        fake.writes.push([id, target]);
      }
      table.set(id, target);
      changed++;
      if (current !== 'none' && current !== target) movedFromOther++;
    }
    return { routes: entries(), changed, movedFromOther };
  };
  const maybeFail = () => {
    if (fake.failNext !== undefined && fake.failNext.count > 0) {
      fake.failNext.count--;
      throw fake.failNext.error;
    }
  };
  const fake: FakeRoutes = {
    table,
    writes: [],
    calls: [],
    writeMs: options.writeMs ?? 50,
    uninterruptibleWrites: false,
    failNext: undefined,
    async claim(signal) {
      fake.calls.push('claim');
      maybeFail();
      return pointAll(options.self, signal);
    },
    async reconcile(signal) {
      fake.calls.push('reconcile');
      return pointAll(options.self, signal);
    },
    async engageFallback(signal) {
      fake.calls.push('engageFallback');
      return pointAll(options.fallback ?? 'nat-fallback', signal);
    },
    async observe() {
      fake.calls.push('observe');
      return { routes: entries() };
    },
    async plan() {
      fake.calls.push('plan');
      return {
        routes: entries(),
        calls: entries()
          .filter((e) => e.target !== options.self)
          .map((e) => ({ action: 'ReplaceRoute', params: { RouteTableId: e.routeTableId } })),
      };
    },
  };
  return fake;
}

// ─── Health, candidates, interruptions, dataplane, lifecycle ─────────────────────────────────────

export function createFakeHealth(
  clock: Clock,
  level: HealthLevel = 'unknown',
): HealthSource & { set(l: HealthLevel): void } {
  let snap: HealthSnapshot = { level, since: clock.now(), rounds: [] };
  const listeners = new Set<(s: HealthSnapshot) => void>();
  return {
    snapshot: () => snap,
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    set(l) {
      if (l === snap.level) return;
      snap = { level: l, since: clock.now(), rounds: [] };
      for (const x of [...listeners]) x(snap);
    },
  };
}

export function createFakeCandidates(): CandidateSource & { set(c: Candidate[]): void } {
  let list: Candidate[] | undefined;
  const listeners = new Set<(c: readonly Candidate[]) => void>();
  return {
    current: () => list,
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    set(c) {
      list = c;
      for (const x of [...listeners]) x(c);
    },
  };
}

export function candidate(instanceId: string, groups: Candidate['groups'], az = 'us-east-1a'): Candidate {
  return { instanceId, node: instanceId, az, groups };
}

export function createFakeInterruptions(): InterruptionSource & { emit(n: Interruption): void } {
  const listeners = new Set<(n: Interruption) => void>();
  return {
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit(n) {
      for (const x of [...listeners]) x(n);
    },
  };
}

export function createFakeDataplane(clock: Clock, ok = true): Dataplane & { ok: boolean; checks: number } {
  const fake = {
    ok,
    checks: 0,
    async check(): Promise<DataplaneReport> {
      fake.checks++;
      return fake.ok
        ? {
            mode: 'nftables',
            ok: true,
            managed: false,
            ipForward: true,
            masquerade: true,
            checkedAt: clock.now(),
          }
        : {
            mode: 'nftables',
            ok: false,
            managed: false,
            ipForward: false,
            masquerade: true,
            reason: 'net.ipv4.ip_forward is 0',
            checkedAt: clock.now(),
          };
    },
  };
  return fake;
}

export function createFakeLifecycle(): LifecycleHook & { completed: number[]; clock?: Clock } {
  const fake = {
    completed: [] as number[],
    async complete() {
      fake.completed.push(Date.now());
    },
  };
  return fake;
}

export function createFakePresence(): ConsulPresence & {
  started: number;
  stopped: number;
} {
  const fake = {
    started: 0,
    stopped: 0,
    async start() {
      fake.started++;
    },
    async stop() {
      fake.stopped++;
    },
    describe: () => ({
      serviceId: 'nat-ha-i-self',
      registered: fake.started > fake.stopped,
      ...(fake.started > fake.stopped ? { session: 'self-session' } : {}),
    }),
  };
  return fake;
}

export function createFakePreflight(): Preflight & {
  sdc: CheckResult;
  iam: CheckResult;
  calls: string[];
} {
  const fake = {
    sdc: { ok: true } as CheckResult,
    iam: { ok: true } as CheckResult,
    calls: [] as string[],
    async sourceDestCheck() {
      fake.calls.push('sourceDestCheck');
      return fake.sdc;
    },
    async iamSelfTest() {
      fake.calls.push('iamSelfTest');
      return fake.iam;
    },
  };
  return fake;
}

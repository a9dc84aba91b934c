/**
 * The small interfaces the agent core is written against. Each is implemented twice: by an adapter
 * over one of the nat-ha libraries (`src/adapters/`) and by a fake in tests (`src/testing/`). The core
 * never imports a library directly, so its decisions can be tested in virtual time without Consul,
 * EC2 or a network.
 */

// ─── Time ────────────────────────────────────────────────────────────────────────────────────────

export interface TimerHandle {
  readonly id: number;
}

/**
 * Time, as the core needs it. `createVirtualClock()` and `createSystemClock()` from
 * `@nat-ha/testkit` both satisfy it; production uses `createNodeClock()`.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  setTimer(callback: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

// ─── Logs and metrics ────────────────────────────────────────────────────────────────────────────

/**
 * Stable event names. The lab parses log lines by `event` to build its failover timeline, and the
 * runbook in docs/operations.md refers to them: renaming one is a breaking change.
 */
export type LogEvent =
  | 'agent_starting'
  | 'config_loaded'
  | 'identity_resolved'
  | 'identity_retry'
  | 'dataplane_checked'
  | 'source_dest_check'
  | 'iam_self_test'
  | 'consul_registered'
  | 'consul_error'
  | 'session_created'
  | 'orphan_session_destroyed'
  | 'session_lost'
  | 'http_listening'
  | 'agent_ready'
  | 'health_changed'
  | 'health_reported'
  | 'candidates_changed'
  | 'state_changed'
  | 'contending'
  | 'withdrawn'
  | 'elected'
  | 'deposed'
  | 'claim_started'
  | 'routes_claimed'
  | 'claim_failed'
  | 'reconcile_drift'
  | 'reconcile_failed'
  | 'eip_followed'
  | 'resigned'
  | 'hand_back_armed'
  | 'fallback_pending'
  | 'fallback_engaged'
  | 'fallback_failed'
  | 'fallback_disengaged'
  | 'interruption_notice'
  | 'drain_started'
  | 'drain_successor'
  | 'drain_completed'
  | 'drain_aborted'
  | 'lifecycle_completed'
  | 'lifecycle_failed'
  | 'agent_stopped'
  | 'fatal';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  /** One structured line: `{"level":…,"time":<ms>,"event":name,…fields}`. */
  event(level: LogLevel, name: LogEvent, fields?: Record<string, unknown>): void;
  /**
   * A line from a library, which carries its own `event` names (`lock_acquired`, …) and a message.
   * Optional: test loggers may drop them.
   */
  raw?(level: LogLevel, fields: Record<string, unknown>, message?: string): void;
}

/** Why a leader stopped being one (the `reason` label of `nat_ha_failovers_total`). */
export type LeadershipLossReason =
  'health_lost' | 'not_ready' | 'hand_back' | 'claim_failed' | 'deposed' | 'drain' | 'fallback';

export interface Metrics {
  groupState(group: string, state: string): void;
  /** `role` lets an alert tell a rescue leader (cross-AZ traffic) from a primary one. */
  leader(group: string, role: Role, isLeader: boolean): void;
  /** This instance gave up (or lost) leadership of `group`. */
  failover(group: string, reason: LeadershipLossReason): void;
  /** This instance claimed routes that pointed somewhere else (covers a crashed predecessor). */
  takeover(group: string): void;
  claimDuration(group: string, ms: number): void;
  routeDrift(group: string, routes: number): void;
  fallbackActive(group: string, active: boolean): void;
  pathHealth(level: HealthLevel): void;
  ready(ok: boolean): void;
  dataplaneOk(ok: boolean): void;
  draining(active: boolean): void;
  interruption(kind: InterruptionKind): void;
  consulError(operation: string, code: string): void;
  /** A session an earlier agent process on this instance left behind was destroyed at start-up. */
  orphanSessionDestroyed(): void;
  ec2Call(action: string, outcome: string, ms: number): void;
  ec2Throttle(action: string): void;
  probe(target: string, ok: boolean, ms: number): void;
}

// ─── Path health (net-health) ────────────────────────────────────────────────────────────────────

/** `unknown` until the monitor has finished enough rounds to decide. */
export type HealthLevel = 'unknown' | 'healthy' | 'degraded' | 'unhealthy';

export interface HealthRoundSummary {
  at: number;
  passed: boolean;
  failures: Array<{ target: string; reason: string }>;
}

export interface HealthSnapshot {
  level: HealthLevel;
  since: number;
  /** The most recent rounds, newest last (bounded). */
  rounds: HealthRoundSummary[];
}

export interface HealthSource {
  snapshot(): HealthSnapshot;
  /** Called on every level change; returns an unsubscribe function. */
  subscribe(listener: (snapshot: HealthSnapshot) => void): () => void;
}

// ─── Candidates (Consul health/service?passing) ──────────────────────────────────────────────────

export type Role = 'primary' | 'rescue';

/** An agent whose every check is passing, as Consul's `health/service/<name>?passing` lists it. */
export interface Candidate {
  instanceId: string;
  node: string;
  az: string;
  /** The groups the agent serves and its role in each (from the service Meta). */
  groups: Record<string, Role>;
}

export interface CandidateSource {
  /** `undefined` until the first answer arrives (Consul unreachable so far). */
  current(): readonly Candidate[] | undefined;
  subscribe(listener: (candidates: readonly Candidate[]) => void): () => void;
}

// ─── Election (consul-lock) ──────────────────────────────────────────────────────────────────────

export interface LeaseToken {
  key: string;
  session: string;
  lockIndex: number;
}

/** Who holds a group's lock key, as the blocking query on the key last saw it. */
export interface HolderView {
  /** `none`: key absent or released; `unknown`: Consul not answering. */
  holder: 'self' | 'other' | 'none' | 'unknown';
  session?: string;
}

export type ElectionEvent =
  | { type: 'elected'; token: LeaseToken }
  | { type: 'deposed'; reason: string }
  | { type: 'holder'; view: HolderView };

/**
 * One group's lock, over the agent's single Consul session. Contention is switched on and off by
 * the core (a rescue waits, an unhealthy agent stands by); the key watch runs all the time.
 */
export interface GroupElection {
  /** Starts acquiring (idempotent). `elected` follows when the lock is ours. */
  contend(): void;
  /** Stops acquiring. Does not release a held lock: that is `resign`. */
  withdraw(): void;
  /**
   * Releases the key first (no lock-delay for the successor), keeping the shared session. Never
   * rejects: it resolves once the key is released or the lease is otherwise gone.
   */
  resign(): Promise<void>;
  /**
   * Runs `fn` after a fresh confirmation that we hold the lock; `fn`'s signal aborts as soon as the
   * lease can no longer be trusted, or `signal` (the caller's own way to cut the work) aborts. Pass
   * that signal here rather than combining it inside `fn`, so that the cut counts as one: a write cut
   * mid-flight may still be applied by EC2, and the next release waits that out (docs/safety.md).
   * Rejects with code `LEASE_LOST` when we do not hold it.
   */
  withLease<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T>;
  subscribe(listener: (event: ElectionEvent) => void): () => void;
  /** Stops the watch and contention; used at shutdown. */
  close(): void;
}

// ─── Routes (route-switcher) ─────────────────────────────────────────────────────────────────────

export interface RouteEntry {
  routeTableId: string;
  destination: string;
  /** `eni-…`, `nat-…`, `igw-…`, or `none` when the route is missing. */
  target: string;
  state?: 'active' | 'blackhole';
}

export interface RouteOutcome {
  /** Every route of the group after the operation. */
  routes: RouteEntry[];
  /** Routes that had to be written. */
  changed: number;
  /** Of those, routes that pointed at another NAT (not missing, not already ours). */
  movedFromOther: number;
  eip?: { allocationId: string; moved: boolean };
}

export interface RouteObservation {
  routes: RouteEntry[];
}

export interface PlannedCall {
  action: string;
  params: Record<string, unknown>;
}

export interface RoutePlan {
  routes: RouteEntry[];
  calls: PlannedCall[];
}

/** What the leader of one group does to EC2. Every call is bounded and honours its signal. */
export interface GroupRoutes {
  /** Points every route of the group at this instance's ENI, verified (and the EIP, if set). */
  claim(signal: AbortSignal): Promise<RouteOutcome>;
  /** One-call drift check; repairs routes that point elsewhere; re-follows the EIP. */
  reconcile(signal: AbortSignal): Promise<RouteOutcome>;
  /** Points every route at the configured fallback target (NAT gateway or ENI), verified. */
  engageFallback(signal: AbortSignal): Promise<RouteOutcome>;
  /** Reads the group's routes (one DescribeRouteTables). */
  observe(signal: AbortSignal): Promise<RouteObservation>;
  /** Dry-run of `claim`: the calls that would be made now. */
  plan(signal: AbortSignal): Promise<RoutePlan>;
}

// ─── Interruptions (aws-discovery) ───────────────────────────────────────────────────────────────

export type InterruptionKind = 'spot' | 'rebalance' | 'lifecycle' | 'maintenance';

export type Interruption =
  | { kind: 'spot'; action: string; deadline?: number }
  | { kind: 'rebalance'; noticeTime?: number }
  | { kind: 'lifecycle'; targetState: string }
  | { kind: 'maintenance'; code: string; notBefore?: number };

export interface InterruptionSource {
  subscribe(listener: (notice: Interruption) => void): () => void;
}

/** The Auto Scaling side of a Terminating lifecycle hook. */
export interface LifecycleHook {
  /** CompleteLifecycleAction with `CONTINUE`. Rejects with the EC2/ASG error. */
  complete(signal: AbortSignal): Promise<void>;
}

// ─── Data plane ──────────────────────────────────────────────────────────────────────────────────

export type DataplaneMode = 'nftables' | 'iptables' | 'off';

export interface DataplaneReport {
  mode: DataplaneMode;
  /** `true` when this instance can forward and masquerade (always `true` in mode `off`). */
  ok: boolean;
  /** Whether nat-agent installed the rules (manageNat) or only verified them. */
  managed: boolean;
  ipForward?: boolean;
  masquerade?: boolean;
  egressInterface?: string;
  /** Why it is not ok, in words an operator can act on. */
  reason?: string;
  checkedAt: number;
}

export interface Dataplane {
  /** Prepares (manageNat) or verifies the data plane. Never throws: failures are in the report. */
  check(signal?: AbortSignal): Promise<DataplaneReport>;
}

// ─── Identity ────────────────────────────────────────────────────────────────────────────────────

export interface InstanceIdentity {
  instanceId: string;
  region: string;
  az: string;
  vpcId: string;
  subnetId: string;
  privateIp: string;
  networkInterfaceId: string;
  mac: string;
  vpcCidrs: string[];
  publicIp?: string;
  lifecycle?: 'spot' | 'on-demand';
}

// ─── Start-up prerequisites and Consul presence ──────────────────────────────────────────────────

export interface CheckResult {
  ok: boolean;
  /** Why it failed, in words an operator can act on. */
  reason?: string;
  /**
   * The failure is transient (EC2 5xx or throttled, a timeout): re-check soon on a backoff instead
   * of at the next reconcile. Absent or false: a configuration problem an operator must fix.
   */
  retryable?: boolean;
  detail?: Record<string, unknown>;
}

/** The AWS-side prerequisites of leading (route-switcher). */
export interface Preflight {
  /** Turns source/dest check off on this instance's ENI and verifies it. */
  sourceDestCheck(signal: AbortSignal): Promise<CheckResult>;
  /** DryRun of the writes a leader makes: `UnauthorizedOperation` fails naming action and resource. */
  iamSelfTest(signal: AbortSignal): Promise<CheckResult>;
}

/**
 * The agent in Consul: one service with two HTTP checks (`/health/live`, attached to the session;
 * `/health`, not attached) and ONE session tied to `serfHealth` and the liveness check, shared by
 * every group's lock.
 */
export interface ConsulPresence {
  /** Registers the service and creates the session; retries until it succeeds or `signal` aborts. */
  start(signal: AbortSignal): Promise<void>;
  /** Destroys the session and deregisters the service; best effort and bounded. */
  stop(): Promise<void>;
  describe(): { serviceId: string; registered: boolean; session?: string };
}

// ─── Cluster view (for `nat-agent status`) ───────────────────────────────────────────────────────

export interface ClusterInstance {
  instanceId: string;
  node: string;
  az: string;
  groups: Record<string, Role>;
  /** Every check of the instance (serfHealth, liveness, path health) with its status. */
  checks: Array<{ name: string; status: string; output?: string }>;
}

export interface ClusterSnapshot {
  /** Lock key → the session holding it and that session's node, or null when free. */
  holders: Record<string, { session: string; node?: string } | null>;
  instances: ClusterInstance[];
}

/** Consul, read-only, as `nat-agent status` sees it. */
export interface ClusterView {
  read(keys: readonly string[], signal: AbortSignal): Promise<ClusterSnapshot>;
}

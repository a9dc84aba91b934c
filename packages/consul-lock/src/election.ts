import { EventEmitter } from 'node:events';
import { linkSignals, sleepUnlessAborted, waitForAbort } from './abort';
import { backoffDelayMs } from './backoff';
import { nextBlockingIndex } from './blocking-query';
import { systemClock, type Clock } from './clock';
import { type ConsulClient } from './consul-client';
import { ConsulLockError } from './errors';
import { EventQueue } from './event-queue';
import { LOCK_FLAG_VALUE, type KvEntry } from './kv-api';
import { silentLogger, type Logger } from './logger';
import { createSession, type ManagedSession, type SessionLostEvent, type SessionOptions } from './session';
import { requireMs, TIMING_DEFAULTS, validateFenceTiming } from './timing';
import { createTokenBucket, type TokenBucket } from './token-bucket';

/**
 * Proof of leadership to hand to whatever the leader writes to: (Key, LockIndex, Session) is Consul's
 * lock "sequencer" (§3.5 R4). `lockIndex` grows with every new acquire of the key.
 */
export interface FencingToken {
  key: string;
  session: string;
  lockIndex: number;
}

export type DeposeReason =
  /** `resign()` was called. */
  | 'resigned'
  /** A read showed the key no longer held by our session (released by an invalidation, deleted, taken). */
  | 'lost'
  /** No confirmation succeeded for `fenceAfterMs` (partition, leader loss, a slow agent). */
  | 'unconfirmed'
  /** The session was invalidated or could not be renewed within its TTL. */
  | 'session-lost'
  /** The election's `signal` aborted. */
  | 'aborted';

export interface DeposedEvent {
  token: FencingToken;
  reason: DeposeReason;
  error?: ConsulLockError;
}

/** Who holds the key, as the election last saw it. */
export interface HolderView {
  /** `none`: absent or unlocked; `unknown`: Consul is not answering. */
  holder: 'self' | 'other' | 'none' | 'unknown';
  session?: string;
}

export type ElectionEvent =
  | { type: 'elected'; token: FencingToken }
  | ({ type: 'deposed' } & DeposedEvent)
  | { type: 'holder'; view: HolderView }
  | { type: 'error'; error: ConsulLockError };

export interface LeaderElectionEvents {
  elected: [token: FencingToken];
  deposed: [event: DeposedEvent];
  holder: [view: HolderView];
  error: [error: ConsulLockError];
}

/** Session settings for a session the election creates and owns (destroyed by `resign()`). */
export type OwnedSessionOptions = Omit<SessionOptions, 'consul' | 'clock' | 'logger' | 'signal'>;

export interface LeaderElectionOptions {
  consul: Pick<ConsulClient, 'kv' | 'session'>;
  /** The lock key, e.g. `nat-ha/<group>/leader`. */
  key: string;
  /** Stored in the key while we hold it (e.g. our node and ENI), so others can see who leads. */
  value?: string | Uint8Array;
  /**
   * A shared `ManagedSession` (not destroyed by `resign()`), or settings for a session this election
   * creates and owns. Default: an owned session with the package defaults.
   */
  session?: ManagedSession | OwnedSessionOptions;
  /**
   * Lock-delay of our own session, ms: the bound the safety invariant is checked against, and the
   * retry time after a lock-delay refusal when the holder's own lock-delay is unknown. Default: the
   * shared session's, else 1 500.
   */
  lockDelayMs?: number;
  /** Stop acting as leader when no confirmation succeeded for this long, ms. Default 500. */
  fenceAfterMs?: number;
  /** Bound on any single write done under `withLease`, ms. Default 800. */
  maxWriteMs?: number;
  /** Interval of the leader's `?consistent` confirmations while a lease is in use, ms. Default 150; must be < fenceAfterMs. */
  confirmIntervalMs?: number;
  /**
   * Interval of an idle leader's confirmations (no `withLease` running), ms. Default 1 000; at least
   * confirmIntervalMs. An idle leader writes nothing, every guarded write starts with a fresh
   * confirmation, and a blocking watch on the key reports a loss at once; this bounds how long a
   * leader cut off from Consul keeps reporting itself as leader (idleConfirmIntervalMs + fenceAfterMs).
   */
  idleConfirmIntervalMs?: number;
  /** Blocking-query wait while following the key, ms. Default 30 000. */
  waitMs?: number;
  /** Per-request timeout of reads, acquire and release, ms. Default 5 000. */
  requestTimeoutMs?: number;
  /** Rate limit of the follow loop (§4.3 rule 3). Default burst 5, one token per 250 ms. */
  watchBurst?: number;
  watchRefillMs?: number;
  /**
   * Fixed wait after an acquire refused by lock-delay, ms, the way HashiCorp's `api/lock.go` waits
   * `DefaultLockRetryTime` (5 000, §5.3). Unset (the default, and the recommendation) retries at the
   * moment the lock-delay can have expired instead. It exists to reproduce Consul's defaults, e.g.
   * for a baseline measurement.
   */
  lockRetryMs?: number;
  /** Backoff after retryable errors, ms. Default 100 … 2 000. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  random?: () => number;
  /** Start contending at once. Default true; with false the election only follows the key until `contend()`. */
  contend?: boolean;
  clock?: Clock;
  logger?: Logger;
  /** Aborting resigns (releases the key if held) and stops the election. */
  signal?: AbortSignal;
}

export interface LeaderElection extends EventEmitter<LeaderElectionEvents>, AsyncIterable<ElectionEvent> {
  readonly key: string;
  /** The effective timing (after defaults). */
  readonly timing: Readonly<{
    fenceAfterMs: number;
    maxWriteMs: number;
    lockDelayMs: number;
    confirmIntervalMs: number;
    idleConfirmIntervalMs: number;
  }>;
  /**
   * True while elected and trusted: within fenceAfterMs of the last confirmation while a lease is in
   * use, within idleConfirmIntervalMs + fenceAfterMs while idle.
   */
  isLeader(): boolean;
  /** The current term's fencing token, or `undefined` when not leader. */
  token(): FencingToken | undefined;
  /** A `?consistent` read proving we hold the lock now (§4.4); extends the lease. Rejects `CONSUL_LOCK_LOST` otherwise. */
  confirm(signal?: AbortSignal): Promise<FencingToken>;
  /**
   * Runs `fn` only after a fresh confirmation; its signal aborts the moment the lease can no longer
   * be trusted (deposed, fence expired, resign, abort). Writes inside must each be bounded by `maxWriteMs`.
   */
  withLease<T>(
    fn: (signal: AbortSignal, token: FencingToken) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T>;
  /** Releases the key first (no lock-delay for successors), then destroys the session if the election owns it. Final. */
  resign(signal?: AbortSignal): Promise<void>;
  /** True once `resign()` was called or the signal aborted. */
  readonly stopped: boolean;
  /** The holder as last seen. */
  holder(): HolderView;
  /** Resumes acquiring after `withdraw()` (or `contend: false`). Idempotent. */
  contend(): void;
  /** Stops acquiring; keeps following the key. A held lock stays held: releasing it is `resign()`. */
  withdraw(): void;
}

interface Term {
  token: FencingToken;
  /** Instant until which writes are trusted: send time of the last good confirmation + fenceAfterMs. */
  leaseUntil: number;
  /** `withLease` calls running now; while > 0 the leader confirms at the fast cadence and fences at leaseUntil. */
  activeLeases: number;
  /** Wakes the leader's loops when the cadence changes (a lease starts). */
  wakers: Set<AbortController>;
  ended: boolean;
  reason: DeposeReason | undefined;
  controller: AbortController;
}

/** Outcome of following the key with one session. */
type ContendResult = 'session-lost' | 'stopped';

const LOCK_DELAY_MARGIN_MS = 5;

function bytesOf(value: string | Uint8Array | undefined): Uint8Array | string {
  return value ?? '';
}

class LeaderElectionImpl extends EventEmitter<LeaderElectionEvents> implements LeaderElection {
  readonly key: string;
  readonly timing: LeaderElection['timing'];
  readonly #consul: Pick<ConsulClient, 'kv' | 'session'>;
  readonly #value: Uint8Array | string;
  readonly #session: ManagedSession;
  readonly #ownsSession: boolean;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #waitMs: number;
  readonly #requestTimeoutMs: number;
  readonly #retryBaseMs: number;
  readonly #lockRetryMs: number | undefined;
  readonly #retryMaxMs: number;
  readonly #random: (() => number) | undefined;
  readonly #bucket: TokenBucket;
  readonly #stop = new AbortController();
  readonly #queues = new Set<EventQueue<ElectionEvent>>();
  readonly #leases = new Set<Promise<unknown>>();
  /** When a lease was last cut while its guarded work was still running (clock ms). */
  #lastGuardedAbortAt: number | undefined;
  /** Lock-delay of sessions seen holding the key (session id → ms), learnt from `session/info`. */
  readonly #holderLockDelay = new Map<string, number>();
  #term: Term | undefined;
  /** Session id of an acquire that may have landed (sent, or we led): resign releases with it. */
  #mayHold: string | undefined;
  #contendingWith: AbortController | undefined;
  #contendingSession: string | undefined;
  #running: Promise<void>;
  #resigning: Promise<void> | undefined;
  #finished = false;
  #contending: boolean;
  #wake: AbortController | undefined;
  #holder: HolderView = { holder: 'unknown' };
  #detach: (() => void)[] = [];

  constructor(options: LeaderElectionOptions) {
    super();
    if (options.consul == null) throw new ConsulLockError('INVALID_OPTION', 'consul is required');
    if (typeof options.key !== 'string' || options.key === '' || options.key.startsWith('/')) {
      throw new ConsulLockError(
        'INVALID_OPTION',
        `key must be a non-empty KV path without a leading / (got ${JSON.stringify(options.key)})`,
      );
    }
    this.key = options.key;
    this.#consul = options.consul;
    this.#value = bytesOf(options.value);
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#random = options.random;
    this.#contending = options.contend ?? true;
    const shared = isManagedSession(options.session) ? options.session : undefined;
    if (shared != null && options.lockDelayMs != null && options.lockDelayMs !== shared.lockDelayMs) {
      throw new ConsulLockError(
        'INVALID_OPTION',
        `lockDelayMs (${options.lockDelayMs}) differs from the shared session's lockDelayMs (${shared.lockDelayMs}); omit it`,
      );
    }
    const ownedOptions = shared == null ? (options.session ?? {}) : undefined;
    if (
      ownedOptions?.lockDelayMs != null &&
      options.lockDelayMs != null &&
      ownedOptions.lockDelayMs !== options.lockDelayMs
    ) {
      throw new ConsulLockError(
        'INVALID_OPTION',
        'give lockDelayMs once: either as lockDelayMs or as session.lockDelayMs',
      );
    }
    const lockDelayMs =
      shared?.lockDelayMs ?? options.lockDelayMs ?? ownedOptions?.lockDelayMs ?? TIMING_DEFAULTS.lockDelayMs;
    const confirmIntervalMs = options.confirmIntervalMs ?? TIMING_DEFAULTS.confirmIntervalMs;
    const timing = {
      fenceAfterMs: options.fenceAfterMs ?? TIMING_DEFAULTS.fenceAfterMs,
      maxWriteMs: options.maxWriteMs ?? TIMING_DEFAULTS.maxWriteMs,
      lockDelayMs,
      confirmIntervalMs,
      idleConfirmIntervalMs:
        options.idleConfirmIntervalMs ?? Math.max(TIMING_DEFAULTS.idleConfirmIntervalMs, confirmIntervalMs),
    };
    validateFenceTiming(timing);
    this.timing = Object.freeze(timing);
    this.#waitMs = requireMs('waitMs', options.waitMs ?? TIMING_DEFAULTS.waitMs, 1);
    this.#requestTimeoutMs = requireMs(
      'requestTimeoutMs',
      options.requestTimeoutMs ?? TIMING_DEFAULTS.requestTimeoutMs,
      1,
    );
    this.#retryBaseMs = requireMs('retryBaseMs', options.retryBaseMs ?? TIMING_DEFAULTS.retryBaseMs, 1);
    this.#lockRetryMs =
      options.lockRetryMs == null ? undefined : requireMs('lockRetryMs', options.lockRetryMs, 1);
    this.#retryMaxMs = requireMs(
      'retryMaxMs',
      options.retryMaxMs ?? TIMING_DEFAULTS.retryMaxMs,
      this.#retryBaseMs,
    );
    this.#bucket = createTokenBucket({
      capacity: requireMs('watchBurst', options.watchBurst ?? TIMING_DEFAULTS.watchBurst, 1),
      refillIntervalMs: requireMs('watchRefillMs', options.watchRefillMs ?? TIMING_DEFAULTS.watchRefillMs, 1),
      clock: this.#clock,
    });

    if (shared != null) {
      this.#session = shared;
      this.#ownsSession = false;
    } else {
      this.#session = createSession({
        ...ownedOptions,
        lockDelayMs,
        consul: this.#consul,
        clock: this.#clock,
        logger: this.#logger,
      });
      this.#ownsSession = true;
      const onSessionError = (error: ConsulLockError): void => this.#emitError(error);
      this.#session.on('error', onSessionError);
      this.#detach.push(() => this.#session.off('error', onSessionError));
    }
    const onLost = (event: SessionLostEvent): void => this.#onSessionLost(event);
    this.#session.on('lost', onLost);
    this.#detach.push(() => this.#session.off('lost', onLost));

    const signal = options.signal;
    if (signal != null) {
      const onAbort = (): void => void this.#shutdown('aborted').catch(() => undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#detach.push(() => signal.removeEventListener('abort', onAbort));
    }
    this.#running = this.#run();
    if (signal?.aborted === true) void this.#shutdown('aborted').catch(() => undefined);
  }

  get stopped(): boolean {
    return this.#stop.signal.aborted;
  }

  isLeader(): boolean {
    const term = this.#term;
    return term != null && !term.ended && this.#clock.now() < this.#trustedUntil(term);
  }

  token(): FencingToken | undefined {
    return this.isLeader() ? this.#term?.token : undefined;
  }

  async confirm(signal?: AbortSignal): Promise<FencingToken> {
    const term = this.#term;
    if (term == null || term.ended) throw this.#notLeader();
    return this.#confirmTerm(term, signal);
  }

  async withLease<T>(
    fn: (signal: AbortSignal, token: FencingToken) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const term = this.#term;
    if (term == null || term.ended) throw this.#notLeader();
    // A fresh confirmation, not a cached one: the lease fn runs under starts now.
    const token = await this.#confirmTerm(term, signal);
    if (term.ended) throw this.#notLeader();
    // Fast cadence and the strict fence from now until fn settles.
    term.activeLeases += 1;
    this.#wakeLeader(term);
    const lease = linkSignals(term.controller.signal, signal);
    // An EC2 request aborted client-side can still be applied by EC2 up to maxWriteMs after it was
    // sent (docs/safety.md, assumption 3). Remember when work was cut mid-flight so a later release
    // waits that out.
    let running = true;
    const onCut = (): void => {
      if (running) this.#lastGuardedAbortAt = Math.max(this.#lastGuardedAbortAt ?? 0, this.#clock.now());
    };
    lease.signal.addEventListener('abort', onCut, { once: true });
    const run = (async () => {
      try {
        return await fn(lease.signal, token);
      } catch (err) {
        if (term.controller.signal.aborted) {
          throw new ConsulLockError(
            'CONSUL_LOCK_LOST',
            `the lease on ${this.key} ended while the guarded work ran (${term.reason ?? 'deposed'})`,
            {
              cause: err,
            },
          );
        }
        throw err;
      } finally {
        running = false;
        term.activeLeases -= 1;
        lease.signal.removeEventListener('abort', onCut);
        lease.dispose();
      }
    })();
    const tracked = run.then(
      () => undefined,
      () => undefined,
    );
    this.#leases.add(tracked);
    void tracked.then(() => this.#leases.delete(tracked));
    return run;
  }

  resign(signal?: AbortSignal): Promise<void> {
    return this.#shutdown('resigned', signal);
  }

  holder(): HolderView {
    return { ...this.#holder };
  }

  contend(): void {
    if (this.#contending) return;
    this.#contending = true;
    // Wake the blocking read so a free key is acquired now, not when the key next changes.
    this.#wake?.abort();
  }

  withdraw(): void {
    this.#contending = false;
  }

  #setHolder(view: HolderView): void {
    if (view.holder === this.#holder.holder && view.session === this.#holder.session) return;
    this.#holder = view;
    this.#publish({ type: 'holder', view: { ...view } });
    this.emit('holder', { ...view });
  }

  [Symbol.asyncIterator](): AsyncIterator<ElectionEvent> {
    const queue: EventQueue<ElectionEvent> = new EventQueue(() => this.#queues.delete(queue));
    if (this.#finished) queue.end();
    else this.#queues.add(queue);
    return queue;
  }

  // ── events ────────────────────────────────────────────────────────────────────────────────

  #publish(event: ElectionEvent): void {
    for (const queue of this.#queues) queue.push(event);
  }

  #emitError(error: ConsulLockError): void {
    this.#publish({ type: 'error', error });
    // 'error' without a listener would throw: errors are reported, never fatal to the process.
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  #notLeader(): ConsulLockError {
    return new ConsulLockError('CONSUL_LOCK_LOST', `not the leader of ${this.key}`);
  }

  // ── leadership ────────────────────────────────────────────────────────────────────────────

  /**
   * One `?consistent` read (§4.4: the leader re-verifies its leadership first). If it shows our
   * session on the key, the lease runs until send time + fenceAfterMs: Consul evaluated the read
   * after we sent it, and any successor must wait for an invalidation after that plus lock-delay.
   */
  async #confirmTerm(term: Term, signal?: AbortSignal): Promise<FencingToken> {
    const link = linkSignals(term.controller.signal, signal);
    const sentAt = this.#clock.now();
    let entry: KvEntry | undefined;
    try {
      // A later answer is useless: the lease it would grant has already run out.
      ({ entry } = await this.#consul.kv.get(this.key, {
        consistency: 'consistent',
        timeoutMs: this.timing.fenceAfterMs,
        signal: link.signal,
      }));
    } catch (err) {
      if (term.ended) throw this.#notLeader();
      throw ConsulLockError.from(err);
    } finally {
      link.dispose();
    }
    if (term.ended) throw this.#notLeader();
    if (entry?.session !== term.token.session) {
      this.#depose(term, 'lost');
      throw new ConsulLockError(
        'CONSUL_LOCK_LOST',
        `lost ${this.key}: it is ${entry == null ? 'gone' : entry.session == null ? 'unlocked' : 'held by another session'}`,
      );
    }
    term.leaseUntil = Math.max(term.leaseUntil, sentAt + this.timing.fenceAfterMs);
    return term.token;
  }

  #depose(term: Term, reason: DeposeReason, error?: ConsulLockError): void {
    if (term.ended) return;
    term.ended = true;
    term.reason = reason;
    term.controller.abort(
      new ConsulLockError(
        'CONSUL_LOCK_LOST',
        `deposed from ${this.key} (${reason})`,
        error == null ? {} : { cause: error },
      ),
    );
    this.#logger.warn(
      {
        event: 'lock_deposed',
        key: this.key,
        reason,
        lockIndex: term.token.lockIndex,
        session: term.token.session,
      },
      `deposed from ${this.key} (${reason})`,
    );
    const event: DeposedEvent = { token: term.token, reason, ...(error == null ? {} : { error }) };
    this.#publish({ type: 'deposed', ...event });
    this.emit('deposed', event);
  }

  /** While a lease is in use: the strict write lease. Idle: one idle interval longer (see `idleConfirmIntervalMs`). */
  #trustedUntil(term: Term): number {
    return term.leaseUntil + (term.activeLeases > 0 ? 0 : this.timing.idleConfirmIntervalMs);
  }

  #wakeLeader(term: Term): void {
    for (const waker of [...term.wakers]) waker.abort();
  }

  /** Sleeps `ms`, or less if `#wakeLeader` is called; false once the term has ended. */
  async #nap(term: Term, ms: number): Promise<boolean> {
    const waker = new AbortController();
    term.wakers.add(waker);
    const link = linkSignals(term.controller.signal, waker.signal);
    try {
      await sleepUnlessAborted(this.#clock, ms, link.signal);
    } finally {
      link.dispose();
      term.wakers.delete(waker);
    }
    return !term.ended;
  }

  /**
   * Runs while leader. Confirms every confirmIntervalMs while a lease is in use (every
   * idleConfirmIntervalMs otherwise) and deposes the moment trust runs out: exactly fenceAfterMs after
   * the last good confirmation's send time while a lease is in use, which is what fences writes. A
   * blocking watch on the key reports a release or a new holder at once, whatever the cadence.
   */
  async #lead(term: Term): Promise<void> {
    const signal = term.controller.signal;
    const confirmLoop = async (): Promise<void> => {
      while (!term.ended) {
        const interval =
          term.activeLeases > 0 ? this.timing.confirmIntervalMs : this.timing.idleConfirmIntervalMs;
        if (!(await this.#nap(term, interval))) return;
        try {
          await this.#confirmTerm(term);
        } catch (err) {
          if (term.ended) return;
          const error = ConsulLockError.from(err);
          this.#logger.warn({ event: 'lock_confirm_failed', key: this.key, code: error.code }, error.message);
          this.#emitError(error);
        }
      }
    };
    const fence = async (): Promise<void> => {
      while (!term.ended) {
        const remaining = this.#trustedUntil(term) - this.#clock.now();
        if (remaining <= 0) {
          this.#depose(term, 'unconfirmed');
          return;
        }
        if (!(await this.#nap(term, remaining))) return;
      }
    };
    const watchKey = async (): Promise<void> => {
      let index = 0;
      let errors = 0;
      while (!term.ended) {
        try {
          await this.#bucket.take(signal);
          const { entry, meta } = await this.#consul.kv.get(this.key, {
            index: Math.max(index, 1),
            waitMs: this.#waitMs,
            signal,
          });
          errors = 0;
          if (term.ended) return;
          if (entry?.session !== term.token.session) {
            // Released, deleted or taken over: confirm() would say the same, only later.
            this.#depose(term, 'lost');
            return;
          }
          index = nextBlockingIndex(index, meta.index) ?? 0;
        } catch {
          // The confirm loop and the fence judge Consul's health; the watch only speeds up a loss.
          if (term.ended) return;
          index = 0;
          if (!(await sleepUnlessAborted(this.#clock, this.#backoff(errors++), signal))) return;
        }
      }
    };
    void confirmLoop();
    void fence();
    void watchKey();
    await waitForAbort(signal);
  }

  #onSessionLost(event: SessionLostEvent): void {
    const term = this.#term;
    if (term != null && term.token.session === event.id) this.#depose(term, 'session-lost', event.error);
    if (this.#contendingSession === event.id) this.#contendingWith?.abort();
  }

  // ── contention ────────────────────────────────────────────────────────────────────────────

  #backoff(attempt: number, baseMs = this.#retryBaseMs, maxMs = this.#retryMaxMs): number {
    return backoffDelayMs(attempt, {
      baseMs,
      maxMs,
      ...(this.#random == null ? {} : { random: this.#random }),
    });
  }

  async #run(): Promise<void> {
    const stop = this.#stop.signal;
    while (!stop.aborted) {
      let sessionId: string;
      try {
        sessionId = await this.#session.ready(stop);
      } catch {
        if (stop.aborted) return;
        // A shared session was destroyed under us: nothing to contend with any more.
        this.#emitError(new ConsulLockError('CONSUL_SESSION_EXPIRED', 'the shared session was destroyed'));
        return;
      }
      const result = await this.#contend(sessionId);
      if (result === 'stopped') return;
    }
  }

  /** Learns the lock-delay of a session seen holding the key, to time our retry after its invalidation. */
  #learnHolder(session: string): void {
    if (this.#holderLockDelay.has(session)) return;
    this.#holderLockDelay.set(session, Number.NaN);
    if (this.#holderLockDelay.size > 16) {
      const oldest = this.#holderLockDelay.keys().next().value;
      if (oldest != null) this.#holderLockDelay.delete(oldest);
    }
    void this.#consul.session
      .info(session, { timeoutMs: this.#requestTimeoutMs, signal: this.#stop.signal })
      .then(
        ({ session: info }) => {
          if (info != null)
            this.#holderLockDelay.set(session, Math.min(info.lockDelayMs, TIMING_DEFAULTS.maxLockDelayMs));
        },
        () => this.#holderLockDelay.delete(session),
      );
  }

  #lockDelayOf(holder: string | undefined): number {
    const learnt = holder == null ? undefined : this.#holderLockDelay.get(holder);
    return learnt != null && !Number.isNaN(learnt) ? learnt : this.timing.lockDelayMs;
  }

  /**
   * Follows the key with one session until the session is lost or the election stops. The key is
   * read with blocking queries (§4.2) so a release wakes us at once; an acquire refused by
   * lock-delay is retried when that lock-delay can have expired, not on a fixed timer (§5.3 step 3).
   */
  async #contend(sessionId: string): Promise<ContendResult> {
    const contending = linkSignals(this.#stop.signal);
    this.#contendingWith = contending;
    this.#contendingSession = sessionId;
    const signal = contending.signal;
    let index: number | undefined;
    let failures = 0;
    /** The last holder we saw, and whether the key was held in the previous read. */
    let holder: string | undefined;
    let sawHeld = false;
    /** When we first saw the key free after seeing it held: the invalidation happened before this. */
    let freedAt: number | undefined;
    /** Next acquire attempt allowed at (lock-delay), and how many refusals in a row. */
    let retryAt: number | undefined;
    let refusals = 0;
    let conflictAt: number | undefined;
    try {
      while (!signal.aborted) {
        if (retryAt != null && !(await sleepUnlessAborted(this.#clock, retryAt - this.#clock.now(), signal)))
          break;
        let entry: KvEntry | undefined;
        let answeredAt: number;
        const wake = new AbortController();
        this.#wake = wake;
        const read = linkSignals(signal, wake.signal);
        try {
          await this.#bucket.take(signal);
          const res = await this.#consul.kv.get(this.key, {
            index,
            waitMs: this.#waitMs,
            signal: read.signal,
            ...(index == null ? { timeoutMs: this.#requestTimeoutMs } : {}),
          });
          answeredAt = this.#clock.now();
          entry = res.entry;
          index = nextBlockingIndex(index, res.meta.index);
        } catch (err) {
          if (signal.aborted) break;
          if (wake.signal.aborted) {
            index = undefined; // contend() was called: read again without blocking
            continue;
          }
          this.#setHolder({ holder: 'unknown' });
          if (!(await this.#afterError(err, failures++, signal))) break;
          index = undefined;
          continue;
        } finally {
          read.dispose();
          if (this.#wake === wake) this.#wake = undefined;
        }
        failures = 0;
        this.#setHolder(
          entry?.session == null
            ? { holder: 'none' }
            : { holder: entry.session === sessionId ? 'self' : 'other', session: entry.session },
        );

        if (entry != null && entry.flags !== LOCK_FLAG_VALUE) {
          // Something other than a lock lives here (§5.3: ErrLockConflict). Report it once per change
          // and keep following: it may be deleted or fixed.
          if (entry.modifyIndex !== conflictAt) {
            conflictAt = entry.modifyIndex;
            this.#emitError(
              new ConsulLockError(
                'CONSUL_LOCK_CONFLICT',
                `${this.key} exists with Flags ${entry.flags}, not the lock flag value: something else uses this key`,
              ),
            );
          }
          continue;
        }
        conflictAt = undefined;

        if (entry?.session === sessionId) {
          // Ours: a previous acquire landed, or we were deposed 'unconfirmed' and still hold it (§5.3: reclaim).
          retryAt = undefined;
          const outcome = await this.#holdAndLead(sessionId, signal);
          if (outcome === 'session-lost' || outcome === 'stopped') return outcome;
          index = undefined;
          sawHeld = false;
          continue;
        }

        if (entry?.session != null) {
          if (entry.session !== holder) {
            holder = entry.session;
            this.#learnHolder(holder);
          }
          sawHeld = true;
          freedAt = undefined;
          retryAt = undefined;
          refusals = 0;
          continue; // block on the key until it changes
        }

        // Free: absent, or unlocked.
        if (sawHeld) {
          freedAt = answeredAt;
          sawHeld = false;
        }
        if (!this.#contending) continue; // withdrawn: keep following, do not acquire
        const sentAt = this.#clock.now();
        let acquired: boolean;
        try {
          this.#mayHold = sessionId;
          acquired = await this.#consul.kv.acquire(this.key, sessionId, this.#value, {
            flags: LOCK_FLAG_VALUE,
            timeoutMs: this.#requestTimeoutMs,
            signal,
          });
        } catch (err) {
          if (signal.aborted) break;
          const error = ConsulLockError.from(err);
          if (error.code === 'CONSUL_INVALID_SESSION') {
            // Our session is gone (§3.3): have it re-created instead of retrying with a dead id.
            await this.#session.verify(sessionId, signal);
            if (this.#session.id !== sessionId) return 'session-lost';
          }
          if (!(await this.#afterError(error, failures++, signal))) break;
          index = undefined;
          continue;
        }
        if (acquired) {
          this.#logger.info(
            {
              event: 'lock_acquired',
              key: this.key,
              session: sessionId,
              afterMs: this.#clock.now() - sentAt,
            },
            `acquired ${this.key}`,
          );
          retryAt = undefined;
          refusals = 0;
          const outcome = await this.#holdAndLead(sessionId, signal);
          if (outcome === 'session-lost' || outcome === 'stopped') return outcome;
          index = undefined;
          sawHeld = false;
          continue;
        }
        // Refused. Either someone else won the race (the next read shows their session and blocks),
        // or lock-delay is running on the key (§2.8): the key stays free and acquires fail until it ends.
        const lockDelayMs = this.#lockDelayOf(holder);
        const now = this.#clock.now();
        if (this.#lockRetryMs != null) {
          // api/lock.go's fixed grid (§5.3): assume lock-delay and wait a whole retry period.
          retryAt = now + this.#lockRetryMs;
        } else if (freedAt != null && refusals === 0 && freedAt + lockDelayMs + LOCK_DELAY_MARGIN_MS > now) {
          // We saw the release: the invalidation happened before `freedAt`, so the delay ends by freedAt + L.
          retryAt = freedAt + lockDelayMs + LOCK_DELAY_MARGIN_MS;
        } else if (freedAt == null && refusals === 0) {
          // We never saw it held: the delay ends somewhere in (now, now + L]. Probe a few times within it.
          retryAt =
            now + Math.max(LOCK_DELAY_MARGIN_MS, Math.min(lockDelayMs, Math.max(lockDelayMs / 4, 50)));
        } else {
          // Still refused at or past the expected end (clock-rate drift, a racing contender): back off briefly.
          retryAt = now + this.#backoff(refusals - 1, 25, Math.max(25, lockDelayMs / 4));
        }
        refusals += 1;
        this.#logger.debug(
          { event: 'lock_refused', key: this.key, lockDelayMs, retryInMs: retryAt - now, refusals },
          'acquire refused (lock-delay or contention)',
        );
        index = undefined; // re-read without blocking after the wait: the refusal may have been a lost race
      }
      return this.#stop.signal.aborted ? 'stopped' : 'session-lost';
    } finally {
      contending.dispose();
      if (this.#contendingSession === sessionId) {
        this.#contendingSession = undefined;
        this.#contendingWith = undefined;
      }
    }
  }

  /** Reports an error and waits out its backoff. False when aborted meanwhile. */
  async #afterError(err: unknown, attempt: number, signal: AbortSignal): Promise<boolean> {
    const error = ConsulLockError.from(err);
    if (error.code === 'ABORTED') return false;
    this.#logger.warn(
      { event: 'lock_follow_failed', key: this.key, code: error.code, attempt },
      error.message,
    );
    this.#emitError(error);
    // Non-retryable errors (ACL denied, …) will not heal by themselves: retry at the slowest pace.
    const delay = error.retryable ? this.#backoff(attempt) : this.#retryMaxMs;
    return sleepUnlessAborted(this.#clock, delay, signal);
  }

  /** Confirms a fresh hold, then leads until deposed. */
  async #holdAndLead(sessionId: string, signal: AbortSignal): Promise<ContendResult | 'continue'> {
    const sentAt = this.#clock.now();
    let entry: KvEntry | undefined;
    try {
      ({ entry } = await this.#consul.kv.get(this.key, {
        consistency: 'consistent',
        timeoutMs: this.timing.fenceAfterMs,
        signal,
      }));
    } catch (err) {
      if (signal.aborted) return this.#stop.signal.aborted ? 'stopped' : 'session-lost';
      await this.#afterError(err, 0, signal);
      return 'continue';
    }
    if (entry?.session !== sessionId) return 'continue';
    if (signal.aborted) return this.#stop.signal.aborted ? 'stopped' : 'session-lost';
    const term: Term = {
      token: { key: this.key, session: sessionId, lockIndex: entry.lockIndex },
      leaseUntil: sentAt + this.timing.fenceAfterMs,
      activeLeases: 0,
      wakers: new Set(),
      ended: false,
      reason: undefined,
      controller: new AbortController(),
    };
    this.#term = term;
    this.#mayHold = sessionId;
    this.#setHolder({ holder: 'self', session: sessionId });
    this.#logger.info(
      { event: 'lock_elected', key: this.key, session: sessionId, lockIndex: term.token.lockIndex },
      `elected leader of ${this.key}`,
    );
    this.#publish({ type: 'elected', token: term.token });
    this.emit('elected', term.token);
    await this.#lead(term);
    if (this.#stop.signal.aborted) return 'stopped';
    if (term.reason === 'session-lost') return 'session-lost';
    if (term.reason === 'lost') {
      // The key went away under us; most often our session was invalidated. Find out now instead of
      // at the next renewal, so a fresh session can contend at once.
      const alive = await this.#session.verify(sessionId, signal).catch(() => true);
      if (!alive) return 'session-lost';
    }
    if (term.reason === 'unconfirmed') {
      // Consul is unhealthy or unreachable; give it a moment before hammering it again.
      await sleepUnlessAborted(this.#clock, this.#retryBaseMs, signal);
    }
    return 'continue';
  }

  // ── shutdown ──────────────────────────────────────────────────────────────────────────────

  #shutdown(reason: 'resigned' | 'aborted', signal?: AbortSignal): Promise<void> {
    if (this.#resigning != null) return this.#resigning;
    this.#resigning = (async () => {
      const term = this.#term;
      if (term != null) this.#depose(term, reason);
      this.#stop.abort();
      for (const detach of this.#detach.splice(0)) detach();
      await this.#running;
      // In-flight guarded writes were aborted with the lease; let them settle (each is bounded by
      // maxWriteMs) before the release lets a successor in without lock-delay.
      if (this.#leases.size > 0) {
        const settled = Promise.all([...this.#leases]);
        const timeout = new AbortController();
        await Promise.race([
          settled,
          sleepUnlessAborted(this.#clock, this.timing.maxWriteMs, timeout.signal),
        ]);
        timeout.abort();
        if (this.#leases.size > 0) {
          this.#logger.warn(
            { event: 'lease_overran', key: this.key, count: this.#leases.size },
            'guarded work did not settle within maxWriteMs',
          );
        }
      }
      let failure: ConsulLockError | undefined;
      const held = this.#mayHold;
      if (held != null) {
        // A release lets successors in with no lock-delay, so it must not come before EC2 can have
        // applied (or dropped) a write that was cut mid-flight: every such write was sent no later
        // than the cut, and each is bounded by maxWriteMs. Nothing was in flight → no wait.
        const quietAt =
          this.#lastGuardedAbortAt == null ? undefined : this.#lastGuardedAbortAt + this.timing.maxWriteMs;
        if (quietAt != null && quietAt > this.#clock.now()) {
          this.#logger.info(
            { event: 'release_deferred', key: this.key, waitMs: quietAt - this.#clock.now() },
            'waiting out cut guarded writes before releasing',
          );
          // If the caller aborts the wait, the release below is aborted with the same signal, and the
          // key is then freed only by session invalidation, under lock-delay.
          await this.#clock.sleep(quietAt - this.#clock.now(), signal).catch(() => undefined);
        }
        failure = await this.#release(held, signal);
      }
      if (this.#ownsSession) {
        // Destroying after the release: the key is already free, so no lock-delay applies (§5.5).
        try {
          await this.#session.destroy(signal);
          failure = undefined; // the destroy released anything the failed release left behind
        } catch (err) {
          failure ??= ConsulLockError.from(err);
        }
      }
      this.#finished = true;
      for (const queue of this.#queues) queue.end();
      this.#queues.clear();
      if (failure != null) throw failure;
    })();
    return this.#resigning;
  }

  /** Releases the key held by `session`, then checks it really is free of us (an aborted acquire may land late). */
  async #release(session: string, signal?: AbortSignal): Promise<ConsulLockError | undefined> {
    let last: ConsulLockError | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.#consul.kv.release(this.key, session, this.#value, {
          flags: LOCK_FLAG_VALUE,
          timeoutMs: this.#requestTimeoutMs,
          signal,
        });
        const { entry } = await this.#consul.kv.get(this.key, { timeoutMs: this.#requestTimeoutMs, signal });
        if (entry?.session !== session) {
          this.#logger.info({ event: 'lock_released', key: this.key, session }, `released ${this.key}`);
          return undefined;
        }
      } catch (err) {
        last = ConsulLockError.from(err);
        if (!last.retryable) break;
        if (signal?.aborted === true) break;
        await sleepUnlessAborted(this.#clock, this.#backoff(attempt), signal ?? new AbortController().signal);
      }
    }
    last ??= new ConsulLockError('CONSUL_UNAVAILABLE', `could not release ${this.key}`, { retryable: true });
    this.#logger.warn({ event: 'lock_release_failed', key: this.key, code: last.code }, last.message);
    return last;
  }
}

function isManagedSession(value: unknown): value is ManagedSession {
  return (
    value != null &&
    typeof value === 'object' &&
    typeof (value as ManagedSession).ready === 'function' &&
    typeof (value as ManagedSession).verify === 'function'
  );
}

/**
 * Creates a leader election on `key` (issue 5) and starts contending at once. Listen for `elected`
 * and `deposed`, or iterate the election; guard every write with `withLease`.
 */
export function createLeaderElection(options: LeaderElectionOptions): LeaderElection {
  return new LeaderElectionImpl(options);
}

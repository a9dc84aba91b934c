import { EventEmitter } from 'node:events';
import { linkSignals, sleepUnlessAborted, waitForAbort } from './abort';
import { backoffDelayMs } from './backoff';
import { systemClock, type Clock } from './clock';
import { type ConsulClient } from './consul-client';
import { ConsulLockError } from './errors';
import { silentLogger, type Logger } from './logger';
import { type SessionBehavior } from './session-api';
import { requireMs, TIMING_DEFAULTS } from './timing';

export interface SessionOptions {
  consul: Pick<ConsulClient, 'session'>;
  /** Session name, shown in `consul` tooling. Default `nat-ha`. */
  name?: string;
  /** Node to create the session on. Default: the agent's own node. */
  node?: string;
  /** Session TTL, ms; 0 = none. Default 10 000 (Consul's `session_ttl_min`). Renewed every TTL/2. */
  ttlMs?: number;
  /** Lock-delay after invalidation, ms (0 – 60 000). Default 1 500 (docs/safety.md). */
  lockDelayMs?: number;
  /** What happens to held keys on invalidation. Default `release`. */
  behavior?: SessionBehavior;
  /** Node checks the session dies with. Default `['serfHealth']` (the node is alive). */
  nodeChecks?: readonly string[];
  /** Service checks the session dies with, e.g. the agent's HTTP check id. Default none. */
  serviceChecks?: readonly string[];
  /** Per-request timeout of create/renew/destroy, ms. Default 5 000; a renew never outlives the TTL. */
  requestTimeoutMs?: number;
  /** Backoff between failed creates and renews, ms. Default 100 … 2 000; renew retries are capped at 1 000 (as `RenewPeriodic`, §5.6). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  random?: () => number;
  clock?: Clock;
  logger?: Logger;
  /** Aborting destroys the session and stops renewing. */
  signal?: AbortSignal;
}

export type SessionLostReason =
  /** Consul no longer knows the session: a check went critical, it was destroyed, or its TTL ran out (renew 404). */
  | 'invalidated'
  /** No renew succeeded for a whole TTL; the session cannot be trusted any more (§5.6). */
  | 'expired';

export interface SessionLostEvent {
  id: string;
  reason: SessionLostReason;
  error?: ConsulLockError;
}

export interface ManagedSessionEvents {
  created: [id: string];
  lost: [event: SessionLostEvent];
  error: [error: ConsulLockError];
}

/**
 * A Consul session kept alive for as long as it is wanted, and re-created when Consul invalidates
 * it. Several elections may share one (one session per agent, many lock keys).
 */
export interface ManagedSession extends EventEmitter<ManagedSessionEvents> {
  /** The live session id, or `undefined` while (re-)creating. */
  readonly id: string | undefined;
  readonly name: string;
  readonly ttlMs: number;
  readonly lockDelayMs: number;
  readonly closed: boolean;
  /** Resolves the live session id, waiting for creation when needed. Rejects `ABORTED` on abort or close. */
  ready(signal?: AbortSignal): Promise<string>;
  /**
   * Renews `id` now and reports whether it is still alive. When Consul no longer knows it, the
   * session is marked lost at once and a new one is created (an election calls this when its key
   * was released under it, instead of waiting up to TTL/2 for the next renew).
   */
  verify(id: string, signal?: AbortSignal): Promise<boolean>;
  /** Stops renewing and destroys the session on Consul (keys it holds are released with lock-delay, §2.7). */
  destroy(signal?: AbortSignal): Promise<void>;
}

interface Current {
  id: string;
  /** Send time of the create or of the last successful renew: Consul reset its timer after this. */
  lastGoodAt: number;
  ttlMs: number;
  lost: SessionLostEvent | undefined;
  stop: AbortController;
}

class ManagedSessionImpl extends EventEmitter<ManagedSessionEvents> implements ManagedSession {
  readonly name: string;
  readonly ttlMs: number;
  readonly lockDelayMs: number;
  #closed = false;
  #current: Current | undefined;
  readonly #consul: Pick<ConsulClient, 'session'>;
  readonly #options: SessionOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #requestTimeoutMs: number;
  readonly #retryBaseMs: number;
  readonly #retryMaxMs: number;
  readonly #life = new AbortController();
  readonly #running: Promise<void>;
  #waiters = new Set<() => void>();
  #detachSignal: () => void = () => undefined;

  constructor(options: SessionOptions) {
    super();
    this.#options = options;
    this.#consul = options.consul;
    this.name = options.name ?? 'nat-ha';
    this.ttlMs = options.ttlMs ?? TIMING_DEFAULTS.sessionTtlMs;
    if (this.ttlMs !== 0) requireMs('ttlMs', this.ttlMs, 1);
    this.lockDelayMs = requireMs(
      'lockDelayMs',
      options.lockDelayMs ?? TIMING_DEFAULTS.lockDelayMs,
      0,
      60_000,
    );
    this.#requestTimeoutMs = requireMs(
      'requestTimeoutMs',
      options.requestTimeoutMs ?? TIMING_DEFAULTS.requestTimeoutMs,
      1,
    );
    this.#retryBaseMs = requireMs('retryBaseMs', options.retryBaseMs ?? TIMING_DEFAULTS.retryBaseMs, 1);
    this.#retryMaxMs = requireMs(
      'retryMaxMs',
      options.retryMaxMs ?? TIMING_DEFAULTS.retryMaxMs,
      this.#retryBaseMs,
    );
    const behavior = options.behavior ?? 'release';
    if (behavior !== 'release' && behavior !== 'delete') {
      throw new ConsulLockError(
        'INVALID_OPTION',
        `behavior must be 'release' or 'delete' (got ${String(behavior)})`,
      );
    }
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    const signal = options.signal;
    if (signal != null) {
      const onAbort = (): void => void this.destroy().catch(() => undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#detachSignal = () => signal.removeEventListener('abort', onAbort);
    }
    this.#running = this.#run();
    if (signal?.aborted === true) void this.destroy().catch(() => undefined);
  }

  get id(): string | undefined {
    const current = this.#current;
    return current != null && current.lost == null ? current.id : undefined;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async ready(signal?: AbortSignal): Promise<string> {
    for (;;) {
      const id = this.id;
      if (id != null) return id;
      if (this.#closed) throw new ConsulLockError('ABORTED', 'the session was destroyed');
      if (signal?.aborted === true)
        throw new ConsulLockError('ABORTED', 'the operation was aborted', { cause: signal.reason });
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.#waiters.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        this.#waiters.add(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  async verify(id: string, signal?: AbortSignal): Promise<boolean> {
    const current = this.#current;
    if (current == null || current.id !== id || current.lost != null) return false;
    const sentAt = this.#clock.now();
    try {
      const info = await this.#consul.session.renew(id, { timeoutMs: this.#requestTimeoutMs, signal });
      if (info == null) {
        this.#markLost(current, 'invalidated');
        return false;
      }
      current.lastGoodAt = Math.max(current.lastGoodAt, sentAt);
      return current.lost == null;
    } catch (err) {
      // Unknown: the regular renew loop decides (it gives up only after a whole TTL without success).
      this.#logger.debug({ event: 'session_verify_failed', session: id, err }, 'session verify failed');
      return current.lost == null;
    }
  }

  async destroy(signal?: AbortSignal): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#detachSignal();
      this.#life.abort();
      this.#wake();
    }
    await this.#running;
    const current = this.#current;
    this.#current = undefined;
    if (current == null || current.lost != null) return;
    current.lost = { id: current.id, reason: 'invalidated' };
    try {
      await this.#consul.session.destroy(current.id, { timeoutMs: this.#requestTimeoutMs, signal });
      this.#logger.info({ event: 'session_destroyed', session: current.id }, 'session destroyed');
    } catch (err) {
      const error = ConsulLockError.from(err);
      this.#logger.warn(
        { event: 'session_destroy_failed', session: current.id, code: error.code },
        error.message,
      );
      throw error;
    }
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  #emitError(error: ConsulLockError): void {
    // An 'error' event without listeners would throw; errors here are reported, never fatal.
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  #markLost(current: Current, reason: SessionLostReason, error?: ConsulLockError): void {
    if (current.lost != null) return;
    const lost: SessionLostEvent = { id: current.id, reason, ...(error == null ? {} : { error }) };
    current.lost = lost;
    current.stop.abort();
    // Synchronously, so elections using the session depose before anything else runs.
    this.#logger.warn({ event: 'session_lost', session: lost.id, reason }, 'session lost');
    this.emit('lost', lost);
  }

  #backoff(attempt: number, maxMs = this.#retryMaxMs): number {
    return backoffDelayMs(attempt, {
      baseMs: this.#retryBaseMs,
      maxMs,
      ...(this.#options.random == null ? {} : { random: this.#options.random }),
    });
  }

  async #run(): Promise<void> {
    const life = this.#life.signal;
    let attempt = 0;
    while (!life.aborted) {
      const sentAt = this.#clock.now();
      let id: string;
      try {
        id = await this.#consul.session.create(
          {
            name: this.name,
            node: this.#options.node,
            ttlMs: this.ttlMs,
            lockDelayMs: this.lockDelayMs,
            behavior: this.#options.behavior ?? 'release',
            nodeChecks: this.#options.nodeChecks ?? ['serfHealth'],
            serviceChecks: this.#options.serviceChecks ?? [],
          },
          { timeoutMs: this.#requestTimeoutMs, signal: life },
        );
      } catch (err) {
        if (life.aborted) return;
        const error = ConsulLockError.from(err);
        this.#logger.warn({ event: 'session_create_failed', code: error.code, attempt }, error.message);
        this.#emitError(error);
        // A non-retryable error (ACL denied, bad TTL) will not heal quickly: retry at the slowest pace.
        const delay = error.retryable ? this.#backoff(attempt++) : this.#retryMaxMs;
        if (!(await sleepUnlessAborted(this.#clock, delay, life))) return;
        continue;
      }
      attempt = 0;
      const current: Current = {
        id,
        lastGoodAt: sentAt,
        ttlMs: this.ttlMs,
        lost: undefined,
        stop: new AbortController(),
      };
      this.#current = current;
      if (life.aborted) return;
      this.#logger.info(
        { event: 'session_created', session: id, ttlMs: this.ttlMs, lockDelayMs: this.lockDelayMs },
        'session created',
      );
      this.emit('created', id);
      this.#wake();
      await this.#keepAlive(current);
      if (life.aborted && current.lost == null) return;
      if (current.lost?.reason === 'expired') void this.#destroyStale(id);
    }
  }

  /**
   * A session given up locally may still exist on the servers and hold keys that nobody follows any
   * more. Destroy it (idempotent, §2.3) as soon as Consul answers, so its keys are freed after one
   * lock-delay instead of after 2×TTL.
   */
  async #destroyStale(id: string): Promise<void> {
    for (let attempt = 0; !this.#life.signal.aborted; attempt++) {
      try {
        await this.#consul.session.destroy(id, {
          timeoutMs: this.#requestTimeoutMs,
          signal: this.#life.signal,
        });
        return;
      } catch {
        if (!(await sleepUnlessAborted(this.#clock, this.#backoff(attempt), this.#life.signal))) return;
      }
    }
  }

  /** Renews at TTL/2; on failure retries until a whole TTL has passed since the last good renew (§5.6). */
  async #keepAlive(current: Current): Promise<void> {
    const link = linkSignals(this.#life.signal, current.stop.signal);
    const signal = link.signal;
    try {
      if (current.ttlMs === 0) {
        // No TTL, nothing to renew: only a verify() or destroy() ends this session's watch.
        await waitForAbort(signal);
        return;
      }
      for (;;) {
        const dueAt = current.lastGoodAt + current.ttlMs / 2;
        if (!(await sleepUnlessAborted(this.#clock, dueAt - this.#clock.now(), signal))) return;
        let failures = 0;
        for (;;) {
          const deadline = current.lastGoodAt + current.ttlMs;
          const sentAt = this.#clock.now();
          try {
            const info = await this.#consul.session.renew(current.id, {
              timeoutMs: Math.max(1, Math.min(this.#requestTimeoutMs, deadline - sentAt)),
              signal,
            });
            if (info == null) {
              this.#markLost(current, 'invalidated');
              return;
            }
            current.lastGoodAt = Math.max(current.lastGoodAt, sentAt);
            // Consul may hand back a longer TTL to ask for fewer renewals (§2.5); honour it.
            if (info.ttlMs > 0) current.ttlMs = info.ttlMs;
            break;
          } catch (err) {
            if (signal.aborted) return;
            const error = ConsulLockError.from(err);
            if (error.code === 'CONSUL_NO_LEADER') {
              // TTL timers run only on the leader; a new leader restarts them all at 2×TTL (§2.6, §7.3).
              // So this answer proves the session cannot expire before sentAt + 2×TTL, like a renew would.
              current.lastGoodAt = Math.max(current.lastGoodAt, sentAt);
            }
            const now = this.#clock.now();
            this.#logger.warn(
              {
                event: 'session_renew_failed',
                session: current.id,
                code: error.code,
                sinceGoodMs: now - current.lastGoodAt,
              },
              error.message,
            );
            this.#emitError(error);
            if (now >= current.lastGoodAt + current.ttlMs) {
              this.#markLost(
                current,
                'expired',
                new ConsulLockError(
                  'CONSUL_SESSION_EXPIRED',
                  `session ${current.id} not renewed for a whole TTL`,
                  {
                    cause: error,
                  },
                ),
              );
              return;
            }
            const delay = Math.min(
              this.#backoff(failures++, Math.min(1_000, this.#retryMaxMs)),
              current.lastGoodAt + current.ttlMs - now,
            );
            if (!(await sleepUnlessAborted(this.#clock, delay, signal))) return;
          }
        }
      }
    } finally {
      link.dispose();
    }
  }
}

/** Creates a session and keeps it alive (issue 5: TTL/2 renewals, retry until TTL, re-create on loss). */
export function createSession(options: SessionOptions): ManagedSession {
  return new ManagedSessionImpl(options);
}

import { ConsulLockError } from './errors';

/**
 * Every timing default of the package, in one place (house style 11). docs/safety.md derives them
 * and the failover times they give; change them there first.
 */
export const TIMING_DEFAULTS = {
  /** Consul HTTP check interval for the agent's health endpoint: Consul's floor (§6.3, §8.4). */
  checkIntervalMs: 1_000,
  /** HTTP check timeout: a hung agent fails its check within interval + timeout. */
  checkTimeoutMs: 500,
  /** Session TTL: Consul's default `session_ttl_min` (§2.2 step 5). A backstop; the checks do the fast work. */
  sessionTtlMs: 10_000,
  /** Lock-delay after an invalidation (§2.8): the window in which a deposed holder must have stopped writing. */
  lockDelayMs: 1_500,
  /** A holder that has not confirmed its lock for this long stops acting as leader. */
  fenceAfterMs: 500,
  /** Hard bound on any single guarded write (one EC2 call); the app passes it as the per-call timeout. */
  maxWriteMs: 800,
  /** How often a leader confirms its lock with a `?consistent` read while a lease is in use. */
  confirmIntervalMs: 150,
  /**
   * How often an idle leader (no `withLease` running) confirms. It writes nothing then, and every
   * guarded write starts with a fresh confirmation; a blocking watch on the key reports a loss at once.
   */
  idleConfirmIntervalMs: 1_000,
  /** Server-side wait of each blocking query on the lock key (§4.1). Aborts are immediate, so this only sets the request rate while idle. */
  waitMs: 30_000,
  /** Per-request timeout of acquire, release, reads and session calls. */
  requestTimeoutMs: 5_000,
  /** Watch loop rate limit (§4.3 rule 3): burst and refill interval. */
  watchBurst: 5,
  watchRefillMs: 250,
  /** Backoff after retryable errors. */
  retryBaseMs: 100,
  retryMaxMs: 2_000,
  /** Consul caps lock-delay at 60 s (§2.8). */
  maxLockDelayMs: 60_000,
} as const;

/** Throws `INVALID_OPTION` naming `name` unless `value` is a finite number within [min, max]. */
export function requireMs(name: string, value: number, min: number, max = Number.POSITIVE_INFINITY): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `between ${min} and ${max}`;
    throw new ConsulLockError(
      'INVALID_OPTION',
      `${name} must be a number of ms ${range} (got ${String(value)})`,
    );
  }
  return value;
}

export interface FenceTiming {
  fenceAfterMs: number;
  maxWriteMs: number;
  lockDelayMs: number;
  confirmIntervalMs: number;
  /** Must be ≥ confirmIntervalMs when given. */
  idleConfirmIntervalMs?: number;
}

/**
 * The safety invariant (docs/safety.md): a deposed holder stops starting writes `fenceAfterMs`
 * after its last confirmation, and each write ends within `maxWriteMs`; a successor cannot acquire
 * before `lockDelayMs` after the invalidation that followed that confirmation. So
 * `fenceAfterMs + maxWriteMs < lockDelayMs`.
 */
export function validateFenceTiming(timing: FenceTiming): void {
  requireMs('fenceAfterMs', timing.fenceAfterMs, 1);
  requireMs('maxWriteMs', timing.maxWriteMs, 1);
  requireMs('lockDelayMs', timing.lockDelayMs, 0, TIMING_DEFAULTS.maxLockDelayMs);
  requireMs('confirmIntervalMs', timing.confirmIntervalMs, 1);
  if (!(timing.fenceAfterMs + timing.maxWriteMs < timing.lockDelayMs)) {
    throw new ConsulLockError(
      'INVALID_OPTION',
      `fenceAfterMs + maxWriteMs must be < lockDelayMs so a deposed leader has stopped writing before a ` +
        `successor can acquire (got fenceAfterMs ${timing.fenceAfterMs} + maxWriteMs ${timing.maxWriteMs} = ` +
        `${timing.fenceAfterMs + timing.maxWriteMs} >= lockDelayMs ${timing.lockDelayMs}; see docs/safety.md)`,
    );
  }
  if (timing.idleConfirmIntervalMs !== undefined) {
    requireMs('idleConfirmIntervalMs', timing.idleConfirmIntervalMs, timing.confirmIntervalMs);
  }
  if (!(timing.confirmIntervalMs < timing.fenceAfterMs)) {
    throw new ConsulLockError(
      'INVALID_OPTION',
      `confirmIntervalMs (${timing.confirmIntervalMs}) must be < fenceAfterMs (${timing.fenceAfterMs}), or the lease ` +
        `would lapse between two confirmations`,
    );
  }
}

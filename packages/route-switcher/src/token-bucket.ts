import type { Clock } from './clock';

/** A token bucket's size: `burst` tokens at most, refilled continuously at `perSecond`. */
export interface RateLimit {
  burst: number;
  perSecond: number;
}

export interface TokenBucket {
  /**
   * Resolves with the time waited (ms) once a token is taken. Waiters are served first come, first
   * served. An abort while waiting rejects with the signal's reason and takes no token: waiting for
   * a token is not a write, so an aborted caller never gets to send.
   */
  take(signal?: AbortSignal): Promise<number>;
  /**
   * EC2 answered `RequestLimitExceeded`: the account's real bucket is empty (it is shared with other
   * automation, §3.4), so ours is too. Emptying it makes every concurrent caller pace itself at the
   * refill rate instead of each one discovering the throttle separately.
   */
  drain(): void;
  /** Tokens available now (fractional). */
  available(): number;
}

interface Waiter {
  start: number;
  resolve: (waitedMs: number) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

// Refill arithmetic is in floating point; a token that is "0.9999999999" full is full.
const EPSILON = 1e-9;

/**
 * A client-side copy of one of EC2's per-action token buckets (ec2-query-and-imds.md §3.4: mutating
 * actions 50 burst / 5 per s, describes 100 / 20). Sending no faster than EC2 refills means a burst
 * of route writes is paced instead of throttled and retried.
 */
export function createTokenBucket(limit: RateLimit, clock: Clock): TokenBucket {
  let tokens = limit.burst;
  let last = clock.now();
  const queue: Waiter[] = [];
  let pumping = false;
  let pumpSleep: AbortController | undefined;

  const refill = (): void => {
    const now = clock.now();
    if (now > last) tokens = Math.min(limit.burst, tokens + ((now - last) * limit.perSecond) / 1000);
    last = Math.max(last, now);
  };

  const pump = async (): Promise<void> => {
    pumping = true;
    try {
      while (queue.length > 0) {
        refill();
        while (queue.length > 0 && tokens >= 1 - EPSILON) {
          const w = queue.shift() as Waiter;
          tokens = Math.max(0, tokens - 1);
          w.signal?.removeEventListener('abort', w.onAbort);
          w.resolve(clock.now() - w.start);
        }
        if (queue.length === 0) break;
        const waitMs = Math.max(1, Math.ceil(((1 - tokens) * 1000) / limit.perSecond));
        pumpSleep = new AbortController();
        try {
          await clock.sleep(waitMs, pumpSleep.signal);
        } catch {
          // Woken early because every waiter aborted; the loop condition ends the pump.
        } finally {
          pumpSleep = undefined;
        }
      }
    } finally {
      pumping = false;
    }
  };

  return {
    take(signal) {
      if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
      refill();
      if (queue.length === 0 && tokens >= 1 - EPSILON) {
        tokens = Math.max(0, tokens - 1);
        return Promise.resolve(0);
      }
      return new Promise<number>((resolve, reject) => {
        const waiter: Waiter = {
          start: clock.now(),
          resolve,
          reject,
          signal,
          onAbort: () => {
            const i = queue.indexOf(waiter);
            if (i >= 0) queue.splice(i, 1);
            // Nobody left to serve: stop the pump's timer now (house style 12).
            if (queue.length === 0) pumpSleep?.abort();
            reject(signal?.reason as Error);
          },
        };
        signal?.addEventListener('abort', waiter.onAbort, { once: true });
        queue.push(waiter);
        if (!pumping) void pump();
      });
    },
    drain() {
      refill();
      tokens = 0;
    },
    available() {
      refill();
      return tokens;
    },
  };
}

/** A bucket that never waits, for `rateLimits: false`. */
export const unlimitedBucket: TokenBucket = {
  take: (signal) => (signal?.aborted === true ? Promise.reject(signal.reason as Error) : Promise.resolve(0)),
  drain: () => {},
  available: () => Number.POSITIVE_INFINITY,
};

import type { Clock } from './clock';

/** A token bucket's size: `burst` tokens at most, refilled continuously at `perSecond`. */
export interface RateLimit {
  burst: number;
  perSecond: number;
}

/** A token taken from a bucket. `done()` must be called when the request it paid for has settled. */
export interface TokenTicket {
  /** Time waited for the token, ms. */
  waitedMs: number;
  /** The request settled (answer, error, timeout, or it was never sent). Idempotent. */
  done(): void;
}

export interface TokenBucket {
  /**
   * Resolves with a ticket once a token is taken. Waiters are served first come, first served. An
   * abort while waiting rejects with the signal's reason and takes no token: waiting for a token
   * is not a write, so an aborted caller never gets to send.
   */
  take(signal?: AbortSignal): Promise<TokenTicket>;
  /**
   * EC2 answered `RequestLimitExceeded`: the account's real bucket is empty (it is shared with other
   * automation, §3.4), so ours is too. Emptying it makes every concurrent caller pace itself at the
   * refill rate instead of each one discovering the throttle separately.
   */
  drain(): void;
  /** Tokens available now (fractional; refill may be on hold, see `createTokenBucket`). */
  available(): number;
}

interface Waiter {
  start: number;
  resolve: (ticket: TokenTicket) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

// Refill arithmetic is in floating point; a token that is "0.9999999999" full is full.
const EPSILON = 1e-9;
/**
 * Longest refill hold. Every caller settles its ticket (the EC2 caller does in `finally`, and its
 * hard per-call timeout bounds each attempt), so this only guards against a ticket that is never
 * settled stalling the bucket for good.
 */
const MAX_HOLD_MS = 10_000;

const NOOP_TICKET = (waitedMs: number): TokenTicket => ({ waitedMs, done: () => {} });

/**
 * A client-side copy of one of EC2's per-action token buckets (ec2-query-and-imds.md §3.4: mutating
 * actions 50 burst / 5 per s, describes 100 / 20). Sending no faster than EC2 refills means a burst
 * of route writes is paced instead of throttled and retried.
 *
 * Refill timing: EC2's bucket starts refilling when EC2 *receives* the request that takes it below
 * full — later than we take our token, by the SDK's work, a new connection and the network (the
 * first request of a burst is the slowest of all). If our refill started at take time, the first
 * request after the burst could reach EC2 before EC2's refill and be throttled. So when a take
 * empties a full bucket, refill is on hold until that request settles: by its answer EC2 has
 * certainly received it. The cost is one round trip once per burst; the gain is a burst boundary
 * that is never throttled by our own earlier requests.
 */
export function createTokenBucket(limit: RateLimit, clock: Clock): TokenBucket {
  let tokens = limit.burst;
  let last = clock.now();
  /** The ticket whose request anchors the refill, while refill is on hold, and since when. */
  let anchor: object | undefined;
  let anchoredAt = 0;
  const queue: Waiter[] = [];
  let pumping = false;
  let pumpSleep: AbortController | undefined;

  const refill = (): void => {
    const now = clock.now();
    if (anchor != null && now - anchoredAt >= MAX_HOLD_MS) {
      anchor = undefined;
      last = anchoredAt + MAX_HOLD_MS;
    }
    if (anchor == null && now > last) {
      tokens = Math.min(limit.burst, tokens + ((now - last) * limit.perSecond) / 1000);
    }
    last = Math.max(last, now);
  };

  const takeOne = (waitedMs: number): TokenTicket => {
    const wasFull = tokens >= limit.burst - EPSILON;
    tokens = Math.max(0, tokens - 1);
    if (!wasFull || anchor != null) return NOOP_TICKET(waitedMs);
    const id = {};
    anchor = id;
    anchoredAt = clock.now();
    return {
      waitedMs,
      done: () => {
        if (anchor !== id) return;
        anchor = undefined;
        last = clock.now();
        pumpSleep?.abort(); // wake the pump: refill has begun
      },
    };
  };

  const pump = async (): Promise<void> => {
    pumping = true;
    try {
      while (queue.length > 0) {
        refill();
        while (queue.length > 0 && tokens >= 1 - EPSILON) {
          const w = queue.shift() as Waiter;
          w.signal?.removeEventListener('abort', w.onAbort);
          w.resolve(takeOne(clock.now() - w.start));
        }
        if (queue.length === 0) break;
        // While refill is on hold, sleep until the hold's cap; `done()` wakes the pump earlier.
        const waitMs =
          anchor != null
            ? Math.max(1, anchoredAt + MAX_HOLD_MS - clock.now())
            : Math.max(1, Math.ceil(((1 - tokens) * 1000) / limit.perSecond));
        pumpSleep = new AbortController();
        try {
          await clock.sleep(waitMs, pumpSleep.signal);
        } catch {
          // Woken early: the refill hold ended, or every waiter aborted. The loop re-evaluates.
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
      if (queue.length === 0 && tokens >= 1 - EPSILON) return Promise.resolve(takeOne(0));
      return new Promise<TokenTicket>((resolve, reject) => {
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
  take: (signal) =>
    signal?.aborted === true ? Promise.reject(signal.reason as Error) : Promise.resolve(NOOP_TICKET(0)),
  drain: () => {},
  available: () => Number.POSITIVE_INFINITY,
};

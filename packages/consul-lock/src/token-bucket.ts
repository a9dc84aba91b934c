import { type Clock } from './clock';
import { ConsulLockError } from './errors';

export interface TokenBucketOptions {
  /** Tokens available at once (the burst). */
  capacity: number;
  /** One token is added every `refillIntervalMs`, up to `capacity`. */
  refillIntervalMs: number;
  clock: Clock;
}

export interface TokenBucket {
  /** Takes one token, waiting on the clock until one is available. Rejects `ABORTED` on abort. */
  take(signal?: AbortSignal): Promise<void>;
  /** Tokens available now (fractional). */
  available(): number;
}

/**
 * The rate limiter §4.3 rule 3 asks for around a blocking-query loop: a burst absorbs the normal
 * wake-ups, and when a value churns (or a server keeps answering at once) the loop degrades to one
 * request per `refillIntervalMs` instead of spinning.
 */
export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  const { capacity, refillIntervalMs, clock } = options;
  if (!(capacity >= 1))
    throw new ConsulLockError('INVALID_OPTION', `capacity must be >= 1 (got ${capacity})`);
  if (!(refillIntervalMs > 0)) {
    throw new ConsulLockError('INVALID_OPTION', `refillIntervalMs must be > 0 (got ${refillIntervalMs})`);
  }
  let tokens = capacity;
  let updatedAt = clock.now();
  // Waiters are served in order so a burst of callers cannot starve one of them.
  let queue: Promise<void> = Promise.resolve();

  const refill = (): void => {
    const now = clock.now();
    tokens = Math.min(capacity, tokens + (now - updatedAt) / refillIntervalMs);
    updatedAt = now;
  };

  const takeNow = async (signal?: AbortSignal): Promise<void> => {
    for (;;) {
      if (signal?.aborted === true) {
        throw new ConsulLockError('ABORTED', 'the operation was aborted', { cause: signal.reason });
      }
      refill();
      if (tokens >= 1) {
        tokens -= 1;
        return;
      }
      try {
        await clock.sleep(Math.ceil((1 - tokens) * refillIntervalMs), signal);
      } catch (err) {
        throw new ConsulLockError('ABORTED', 'the operation was aborted', { cause: signal?.reason ?? err });
      }
    }
  };

  return {
    take(signal) {
      const turn = queue.then(() => takeNow(signal));
      queue = turn.catch(() => undefined);
      return turn;
    },
    available() {
      refill();
      return tokens;
    },
  };
}

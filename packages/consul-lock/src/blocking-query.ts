import { backoffDelayMs } from './backoff';
import { type Clock } from './clock';
import { ConsulLockError } from './errors';
import { createTokenBucket, type TokenBucket } from './token-bucket';

/**
 * The index to send on the next blocking query, per the client rules of §4.3:
 * 1. if the index went backwards (snapshot restore, a restarted server), reset: the next read is
 *    non-blocking (`undefined`) so it learns the current index instead of waiting on a stale one;
 * 2. never 0: a missing or zero index becomes 1, which blocks until anything is written.
 */
export function nextBlockingIndex(previous: number | undefined, returned: number): number | undefined {
  if (previous != null && returned < previous) return undefined;
  return Math.max(1, returned);
}

export interface BlockingQueryResult<T> {
  value: T;
  /** `X-Consul-Index` of the answer. */
  index: number;
}

export interface BlockingQueryOptions<T> {
  /** Runs one query. `index` is `undefined` for a non-blocking read. */
  query(params: {
    index: number | undefined;
    waitMs: number;
    signal: AbortSignal;
  }): Promise<BlockingQueryResult<T>>;
  /** Server-side wait per request, ms. Default 30 000. */
  waitMs?: number;
  /** Rate limit of the loop (§4.3 rule 3). Default: burst 2, one more every 1 000 ms. */
  bucket?: TokenBucket;
  /** Backoff after retryable errors, ms. Default 250 … 5 000. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Called with every retryable error before the loop backs off. */
  onError?: (error: ConsulLockError) => void;
  random?: () => number;
  clock: Clock;
  signal: AbortSignal;
}

/**
 * Follows a resource with blocking queries and yields each answer whose index moved (a return is
 * no guarantee of a change, §4.2). Retryable errors back off and continue; others end the loop by
 * throwing. Ends quietly when `signal` aborts.
 */
export async function* watchBlocking<T>(
  options: BlockingQueryOptions<T>,
): AsyncGenerator<BlockingQueryResult<T>> {
  const { clock, signal } = options;
  const waitMs = options.waitMs ?? 30_000;
  const bucket = options.bucket ?? createTokenBucket({ capacity: 2, refillIntervalMs: 1_000, clock });
  let index: number | undefined;
  let yielded: number | undefined;
  let failures = 0;
  while (!signal.aborted) {
    let result: BlockingQueryResult<T>;
    try {
      await bucket.take(signal);
      result = await options.query({ index, waitMs, signal });
    } catch (err) {
      const error = ConsulLockError.from(err);
      if (signal.aborted || error.code === 'ABORTED') return;
      if (!error.retryable) throw error;
      options.onError?.(error);
      index = undefined;
      try {
        await clock.sleep(
          backoffDelayMs(failures++, {
            baseMs: options.retryBaseMs ?? 250,
            maxMs: options.retryMaxMs ?? 5_000,
            ...(options.random == null ? {} : { random: options.random }),
          }),
          signal,
        );
      } catch {
        return;
      }
      continue;
    }
    failures = 0;
    const next = nextBlockingIndex(index, result.index);
    const changed = yielded == null || result.index !== yielded || next == null;
    index = next;
    if (changed) {
      yielded = result.index;
      yield result;
    }
  }
}

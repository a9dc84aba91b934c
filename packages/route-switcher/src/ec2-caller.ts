import { fullJitterDelayMs } from './backoff';
import type { Clock } from './clock';
import { abortError, classifyEc2Error, fromEc2Error, throwIfAborted, type Ec2FailureKind } from './ec2-error';
import { RouteSwitcherError } from './errors';
import type { Logger } from './logger';
import type { Ec2CallOutcome, RouteSwitcherMetrics } from './metrics';
import type { TokenBucket, TokenTicket } from './token-bucket';

export interface Ec2CallerConfig {
  clock: Clock;
  logger: Logger;
  metrics: RouteSwitcherMetrics;
  random: () => number;
  /** The client-side token bucket of an EC2 action (one bucket per action, as EC2 has, §3.4). */
  bucketFor: (action: string) => TokenBucket;
  maxAttempts: number;
  backoffBaseMs: number;
  throttleBackoffBaseMs: number;
  backoffMaxMs: number;
}

export interface CallOptions {
  signal?: AbortSignal | undefined;
  /** Hard bound for one attempt: the SDK's `send()` (with any SDK-internal retries) must settle within it. */
  timeoutMs: number;
  /** Only for metrics/logs: the request carries `DryRun: true`. */
  dryRun?: boolean;
  /** Overrides `maxAttempts` (e.g. 1 for a DryRun probe we do not want retried on 4xx anyway). */
  maxAttempts?: number;
  /** Called right before each attempt is handed to the SDK (after the token and the signal checks). */
  onSend?: (attempt: number) => void;
}

/** The verdict of a `DryRun: true` request (ec2-query-and-imds.md §2.10). */
export type DryRunVerdict =
  | { verdict: 'allowed' }
  | { verdict: 'denied'; message: string }
  | { verdict: 'inconclusive'; error: RouteSwitcherError };

export interface Ec2Caller {
  /**
   * Sends one logical EC2 call through the retry loop. `send` gets the per-attempt abort signal and
   * must hand it to `ec2.send(command, { abortSignal })`.
   */
  call<T>(action: string, send: (abortSignal: AbortSignal) => Promise<T>, options: CallOptions): Promise<T>;
  /** Sends a `DryRun: true` request and maps `DryRunOperation` / `UnauthorizedOperation` to a verdict. */
  dryRun(
    action: string,
    send: (abortSignal: AbortSignal) => Promise<unknown>,
    options: CallOptions,
  ): Promise<DryRunVerdict>;
}

const OUTCOME: Readonly<Record<Ec2FailureKind, Ec2CallOutcome>> = {
  aborted: 'aborted',
  timeout: 'timeout',
  throttled: 'throttled',
  server: 'server_error',
  network: 'network_error',
  'dry-run-ok': 'dry_run_ok',
  unauthorized: 'unauthorized',
  'auth-failed': 'client_error',
  client: 'client_error',
};

const RETRYABLE: ReadonlySet<Ec2FailureKind> = new Set(['timeout', 'throttled', 'server', 'network']);

/** Our own per-attempt timeout, distinguishable from an SDK `TimeoutError`. */
class HardTimeout extends Error {
  override readonly name = 'TimeoutError';
}

function safely(hook: (() => void) | undefined): void {
  try {
    hook?.();
  } catch {
    // Metrics must never break a claim (metrics.ts).
  }
}

/**
 * The one place EC2 is called. Each attempt:
 *
 * 1. re-checks the caller's signal (fencing: once the lease is gone no new call may start),
 * 2. waits for a token of the action's client-side bucket (abortable; an abort there sends nothing),
 * 3. re-checks the signal, because the token may arrive in the same turn as the abort,
 * 4. sends with a per-attempt AbortSignal that the caller's signal and a hard timer on the injected
 *    clock both abort, and races the SDK promise against them: even an SDK (or a mock) that ignores
 *    `abortSignal`, or that retries internally, cannot keep a write alive past `timeoutMs`.
 *
 * Retryable failures (throttle, 5xx, socket errors, timeouts — §1.4) are retried with full-jitter
 * backoff; a throttle also empties the action's bucket (the account's real bucket is empty).
 * 4xx errors are never retried; an abort is never retried.
 */
export function createEc2Caller(config: Ec2CallerConfig): Ec2Caller {
  const { clock, logger, metrics, random } = config;

  const attemptOnce = async <T>(
    action: string,
    send: (abortSignal: AbortSignal) => Promise<T>,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<T> => {
    const attempt = new AbortController();
    const timer = new AbortController();
    let onCallerAbort: (() => void) | undefined;
    try {
      const aborted = new Promise<never>((_, reject) => {
        onCallerAbort = () => {
          attempt.abort(signal?.reason);
          reject(abortError(signal, action));
        };
        signal?.addEventListener('abort', onCallerAbort, { once: true });
      });
      const timedOut = clock.sleep(timeoutMs, timer.signal).then(() => {
        const err = new HardTimeout(`${action} did not complete within ${timeoutMs} ms`);
        attempt.abort(err);
        throw err;
      });
      // Whichever loses the race must not surface as an unhandled rejection.
      timedOut.catch(() => {});
      aborted.catch(() => {});
      let sent: Promise<T>;
      try {
        sent = Promise.resolve(send(attempt.signal));
      } catch (err) {
        sent = Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      sent.catch(() => {});
      return await Promise.race([sent, timedOut, aborted]);
    } finally {
      timer.abort();
      if (onCallerAbort != null) signal?.removeEventListener('abort', onCallerAbort);
    }
  };

  const call = async <T>(
    action: string,
    send: (abortSignal: AbortSignal) => Promise<T>,
    options: CallOptions,
  ): Promise<T> => {
    const { signal, timeoutMs } = options;
    const dryRun = options.dryRun ?? false;
    const maxAttempts = options.maxAttempts ?? config.maxAttempts;
    const bucket = config.bucketFor(action);
    for (let attempt = 1; ; attempt++) {
      throwIfAborted(signal, action);
      let ticket: TokenTicket;
      try {
        ticket = await bucket.take(signal);
      } catch {
        throw abortError(signal, action);
      }
      const waitMs = ticket.waitedMs;
      if (waitMs > 0) safely(() => metrics.onTokenWait?.({ action, waitMs }));
      if (signal?.aborted === true) {
        ticket.done();
        throw abortError(signal, action);
      }

      const started = clock.now();
      options.onSend?.(attempt);
      try {
        const out = await attemptOnce(action, send, timeoutMs, signal).finally(() => ticket.done());
        safely(() =>
          metrics.onEc2Call?.({
            action,
            outcome: 'ok',
            ec2Code: undefined,
            latencyMs: clock.now() - started,
            attempt,
            dryRun,
          }),
        );
        return out;
      } catch (err) {
        const failure = classifyEc2Error(err);
        safely(() =>
          metrics.onEc2Call?.({
            action,
            outcome: OUTCOME[failure.kind],
            ec2Code: failure.ec2Code,
            latencyMs: clock.now() - started,
            attempt,
            dryRun,
          }),
        );
        if (failure.kind === 'aborted') throw abortError(signal, action);
        if (failure.kind === 'throttled') {
          safely(() => metrics.onThrottle?.({ action }));
          bucket.drain();
        }
        const normalized =
          err instanceof HardTimeout
            ? new RouteSwitcherError('EC2_TIMEOUT', err.message, { retryable: true, cause: err })
            : fromEc2Error(err, action);
        if (!RETRYABLE.has(failure.kind) || attempt >= maxAttempts) throw normalized;
        const base = failure.kind === 'throttled' ? config.throttleBackoffBaseMs : config.backoffBaseMs;
        const delayMs = fullJitterDelayMs(attempt - 1, base, config.backoffMaxMs, random);
        logger.warn(
          { event: 'ec2_retry', action, attempt, code: normalized.code, ec2Code: failure.ec2Code, delayMs },
          `${action} failed (${normalized.code}); retrying in ${delayMs} ms`,
        );
        try {
          await clock.sleep(delayMs, signal);
        } catch {
          throw abortError(signal, action);
        }
      }
    }
  };

  const dryRun = async (
    action: string,
    send: (abortSignal: AbortSignal) => Promise<unknown>,
    options: CallOptions,
  ): Promise<DryRunVerdict> => {
    try {
      await call(action, send, { ...options, dryRun: true });
    } catch (err) {
      const e = err as RouteSwitcherError;
      if (e.code === 'ABORTED') throw e;
      // §2.10: success of a dry run is an error: DryRunOperation (412).
      if (e.ec2Code === 'DryRunOperation') return { verdict: 'allowed' };
      if (e.ec2Code === 'UnauthorizedOperation')
        return { verdict: 'denied', message: classifyEc2Error(e.cause).message };
      return { verdict: 'inconclusive', error: e };
    }
    // A 200 to a DryRun request means the endpoint ignored DryRun — and may have mutated.
    return {
      verdict: 'inconclusive',
      error: new RouteSwitcherError(
        'EC2_REQUEST_FAILED',
        `${action} with DryRun=true returned success instead of DryRunOperation`,
      ),
    };
  };

  return { call, dryRun };
}

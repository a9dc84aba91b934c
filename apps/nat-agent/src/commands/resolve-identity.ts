/**
 * The instance identity at start-up, read from IMDS. IMDS can be briefly unavailable (a boot race,
 * a host event): a retryable failure is retried on a backoff — 1 s, doubling, at most `maxDelayMs` —
 * and logged as `identity_retry`, instead of ending the process. A non-retryable one (IMDS disabled,
 * the hop-limit symptom) is a set-up error and ends the start-up at once, as before.
 */
import { describeError } from '../errors';
import type { Clock, InstanceIdentity, Logger } from '../ports';
import { cappedDoublingMs } from '../core/capped-doubling';

export interface ResolveIdentityOptions {
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  /** Longest wait between two attempts, ms. Default 30 000. */
  maxDelayMs?: number;
}

export async function resolveIdentityWithRetry(
  read: (signal: AbortSignal) => Promise<InstanceIdentity>,
  options: ResolveIdentityOptions,
): Promise<InstanceIdentity> {
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await read(options.signal);
    } catch (error) {
      const summary = describeError(error);
      if (!summary.retryable || options.signal.aborted) throw error;
      const delayMs = cappedDoublingMs(attempt - 1, 1_000, maxDelayMs);
      options.logger.event('warn', 'identity_retry', { attempt, delayMs, error: summary });
      await options.clock.sleep(delayMs, options.signal);
    }
  }
}

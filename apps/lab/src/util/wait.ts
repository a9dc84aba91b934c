/**
 * Real-time waiting for the lab (it drives real processes, so it runs on the system clock).
 * Every wait takes a signal and clears its timer when it settles.
 */
import { LabError } from '../errors';

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new LabError('ABORTED', 'aborted', { cause: signal.reason }));
      return;
    }
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new LabError('ABORTED', 'aborted', { cause: signal?.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface WaitUntilOptions {
  /** Give up after this long; the error message says what was awaited. */
  timeoutMs: number;
  /** Poll period. Default 50 ms. */
  intervalMs?: number;
  /** What is awaited, for the timeout message. */
  what: string;
  signal?: AbortSignal;
  /** Errors from the probe that end the wait at once instead of being retried. */
  rethrow?: (error: unknown) => boolean;
}

/**
 * Polls `probe` until it returns a non-undefined value, then returns it. A probe that throws is
 * retried (the thing it reads may not exist yet); its last error is attached to the timeout.
 */
export async function waitUntil<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  options: WaitUntilOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 50;
  let lastError: unknown;
  for (;;) {
    if (options.signal?.aborted === true)
      throw new LabError('ABORTED', 'aborted', { cause: options.signal.reason });
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (options.rethrow?.(error) === true) throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new LabError('TIMEOUT', `timed out after ${options.timeoutMs} ms waiting for ${options.what}`, {
        cause: lastError,
      });
    }
    await sleep(Math.min(interval, Math.max(1, deadline - Date.now())), options.signal);
  }
}

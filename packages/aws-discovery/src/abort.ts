import type { Clock } from './clock';
import { DiscoveryError } from './errors';

/** The one shape an abort takes in this package: `ABORTED`, never retried, reason kept as cause. */
export function abortedError(signal: AbortSignal, what: string): DiscoveryError {
  return new DiscoveryError('ABORTED', `${what} was aborted`, { cause: signal.reason });
}

export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted === true) throw abortedError(signal, what);
}

/**
 * Waits for a promise that the caller does not own (a shared token fetch) while letting this
 * caller's signal end the wait. The listener is removed on settle (house style 12).
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (signal == null) return promise;
  if (signal.aborted) return Promise.reject(abortedError(signal, what));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(signal, what));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** Sleeps on the injected clock; an abort becomes `ABORTED`. */
export async function sleepOrAbort(
  clock: Pick<Clock, 'sleep'>,
  ms: number,
  signal: AbortSignal | undefined,
  what: string,
): Promise<void> {
  if (ms <= 0) {
    throwIfAborted(signal, what);
    return;
  }
  try {
    await clock.sleep(ms, signal);
  } catch (err) {
    if (signal?.aborted === true) throw abortedError(signal, what);
    throw err;
  }
}

/**
 * The time this package needs: the current instant and an abortable sleep. `@nat-ha/testkit`'s
 * `createVirtualClock()` satisfies it, so rounds, jitter, hysteresis and probe timeouts all run in
 * virtual time in tests (house style: Vitest fake timers do not move `AbortSignal.timeout()`).
 */
export interface Clock {
  /** Milliseconds; only differences are used, so any monotonic origin works. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first; removes its timer. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}

/**
 * The real clock. `now()` is `performance.timeOrigin + performance.now()`: epoch milliseconds like
 * `Date.now()`, but monotonic (an NTP step cannot shorten an interval or fake a latency) and with
 * sub-millisecond resolution, so loopback latencies are not all 0.
 */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortReason(signal as AbortSignal));
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

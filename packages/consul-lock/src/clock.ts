/**
 * The time this package needs: the current instant and an abortable sleep. `@nat-ha/testkit`'s
 * `createVirtualClock()` satisfies it, so every timeout, renewal, fence and backoff can be tested in
 * virtual time (house style: Vitest fake timers do not move `AbortSignal.timeout()`, so no timeout in
 * this package uses it).
 */
export interface Clock {
  /** Milliseconds. Only differences are used, so any steady origin works. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first; removes its timer on abort. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}

/**
 * The real clock. `now()` is monotonic (`performance.timeOrigin + performance.now()`), not
 * `Date.now()`: a lease or a renewal deadline must not jump when NTP steps the wall clock
 * (docs/safety.md, "Assumptions").
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

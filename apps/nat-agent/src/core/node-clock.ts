import type { Clock, TimerHandle } from '../ports';

/**
 * The production clock. `now()` is monotonic (`performance.timeOrigin + performance.now()`): lease
 * fences and hold-downs must not jump when NTP steps the wall clock (docs/safety.md), and the libraries
 * share this clock. Timers are unref'd — the agent's lifetime is held by its HTTP server and Consul
 * watches, never by a pending timer.
 */
export function createNodeClock(): Clock {
  let nextId = 1;
  const timers = new Map<number, NodeJS.Timeout>();
  return {
    now: () => performance.timeOrigin + performance.now(),
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted === true) {
          reject(signal.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError'));
          return;
        }
        const onAbort = () => {
          clearTimeout(t);
          reject(signal?.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError'));
        };
        const t = setTimeout(
          () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
          Math.max(0, ms),
        );
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    setTimer(callback, ms): TimerHandle {
      const id = nextId++;
      const t = setTimeout(
        () => {
          timers.delete(id);
          callback();
        },
        Math.max(0, ms),
      );
      t.unref();
      timers.set(id, t);
      return { id };
    },
    clearTimer(handle) {
      const t = timers.get(handle.id);
      if (t !== undefined) clearTimeout(t);
      timers.delete(handle.id);
    },
  };
}

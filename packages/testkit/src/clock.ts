/**
 * Time for the emulators and for tests. Every emulator timer (session TTLs, lock-delay, check
 * intervals, blocking-query waits, token expiry) runs on a `TestClock`, so a test can swap the real
 * clock for a virtual one and run a 20 s TTL rule in microseconds.
 *
 * The library packages define their own `Clock` interface (`now`, `sleep`); a `TestClock` is a
 * structural superset, so the virtual clock can be handed to them as well.
 */
export interface TestClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Schedules `callback` after `ms`; returns a handle for `clearTimer`. */
  setTimer(callback: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export interface TimerHandle {
  readonly id: number;
}

export interface VirtualClock extends TestClock {
  /**
   * Moves time forward by `ms`, firing due timers in order. Between timers it lets pending
   * promise continuations run, so work a timer starts can schedule further timers inside the window.
   */
  advance(ms: number): Promise<void>;
  /** Moves time to the absolute instant `t` (no-op if `t` is in the past). */
  advanceTo(t: number): Promise<void>;
  /** Number of timers not yet fired or cleared. */
  pendingTimers(): number;
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}

function sleepOn(
  clock: Pick<TestClock, 'setTimer' | 'clearTimer'>,
  ms: number,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clock.clearTimer(handle);
      reject(abortReason(signal as AbortSignal));
    };
    const handle = clock.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The real clock: `Date.now()` and Node timers. Timers are unref'd so they never keep a process alive. */
export function createSystemClock(): TestClock {
  let nextId = 1;
  const timers = new Map<number, NodeJS.Timeout>();
  const clock: TestClock = {
    now: () => Date.now(),
    setTimer(callback, ms) {
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
      if (t != null) clearTimeout(t);
      timers.delete(handle.id);
    },
    sleep: (ms, signal) => sleepOn(clock, ms, signal),
  };
  return clock;
}

interface PendingTimer {
  id: number;
  due: number;
  seq: number;
  callback: () => void;
}

/** Lets queued promise continuations and one macrotask turn run. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A clock that only moves when told to. `start` defaults to 2024-01-01T00:00:00Z. */
export function createVirtualClock(start = Date.UTC(2024, 0, 1)): VirtualClock {
  let now = start;
  let nextId = 1;
  let seq = 0;
  const timers = new Map<number, PendingTimer>();

  const nextDue = (limit: number): PendingTimer | undefined => {
    let best: PendingTimer | undefined;
    for (const t of timers.values()) {
      if (t.due > limit) continue;
      if (best == null || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    return best;
  };

  const clock: VirtualClock = {
    now: () => now,
    setTimer(callback, ms) {
      const id = nextId++;
      timers.set(id, { id, due: now + Math.max(0, ms), seq: seq++, callback });
      return { id };
    },
    clearTimer(handle) {
      timers.delete(handle.id);
    },
    sleep: (ms, signal) => sleepOn(clock, ms, signal),
    async advanceTo(target) {
      await flush();
      for (;;) {
        const t = nextDue(target);
        if (t == null) break;
        timers.delete(t.id);
        now = Math.max(now, t.due);
        t.callback();
        await flush();
      }
      now = Math.max(now, target);
      await flush();
    },
    advance(ms) {
      return clock.advanceTo(now + ms);
    },
    pendingTimers: () => timers.size,
  };
  return clock;
}

import { ConsulLockError } from './errors';

/** Throws `ABORTED` when the signal has aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw new ConsulLockError('ABORTED', 'the operation was aborted', { cause: signal.reason });
  }
}

export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** Aborts the linked signal with `reason`. */
  abort(reason?: unknown): void;
  /** Removes the listeners on the parent signals. Call on settle (house style 12). */
  dispose(): void;
}

/**
 * A signal that aborts when any parent aborts, with listeners removed on `dispose()`.
 * `AbortSignal.any` would do the first half but keeps its parents' listeners until they are collected.
 */
export function linkSignals(...parents: (AbortSignal | undefined)[]): LinkedSignal {
  const controller = new AbortController();
  const cleanups: (() => void)[] = [];
  for (const parent of parents) {
    if (parent == null) continue;
    if (parent.aborted) {
      controller.abort(parent.reason);
      break;
    }
    const onAbort = (): void => controller.abort(parent.reason);
    parent.addEventListener('abort', onAbort, { once: true });
    cleanups.push(() => parent.removeEventListener('abort', onAbort));
  }
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    dispose: () => {
      for (const cleanup of cleanups.splice(0)) cleanup();
    },
  };
}

/** Sleeps on the clock; resolves `false` instead of throwing when the signal aborts. */
export async function sleepUnlessAborted(
  clock: { sleep(ms: number, signal?: AbortSignal): Promise<void> },
  ms: number,
  signal: AbortSignal,
): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await clock.sleep(Math.max(0, ms), signal);
    return true;
  } catch {
    return false;
  }
}

/** Resolves when the signal aborts (never rejects). */
export function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

import { setMaxListeners } from 'node:events';

export interface LinkedSignal {
  /** Aborts when the parent aborts (with the parent's reason). */
  signal: AbortSignal;
  /** Removes the listener from the parent (house style 12). */
  dispose(): void;
}

/**
 * One internal signal per operation, linked to the caller's with a single listener. A claim runs
 * up to `concurrency` calls and token waits at once, each listening for the abort; hanging them all
 * on the caller's (the lease's) signal would trip Node's MaxListeners warning on an object we do
 * not own. Our own signal may carry any number of listeners.
 */
export function linkSignal(parent: AbortSignal | undefined): LinkedSignal {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  if (parent == null) return { signal: controller.signal, dispose: () => {} };
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { signal: controller.signal, dispose: () => {} };
  }
  const onAbort = (): void => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  return { signal: controller.signal, dispose: () => parent.removeEventListener('abort', onAbort) };
}

import type { VirtualClock } from '@nat-ha/testkit';

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Advances a virtual clock in `stepMs` steps until `promise` settles (each step also lets pending
 * I/O callbacks run), so retries and timeouts built on the injected clock complete without any
 * real waiting. Fails loudly instead of spinning forever.
 */
export async function settleWithClock<T>(
  clock: VirtualClock,
  promise: Promise<T>,
  { stepMs = 10, maxVirtualMs = 600_000 }: { stepMs?: number; maxVirtualMs?: number } = {},
): Promise<Settled<T>> {
  let result: Settled<T> | undefined;
  const tracked = promise.then(
    (value) => {
      result = { ok: true, value };
    },
    (error: unknown) => {
      result = { ok: false, error };
    },
  );
  const start = clock.now();
  while (result == null) {
    if (clock.now() - start > maxVirtualMs)
      throw new Error(`promise still pending after ${maxVirtualMs} virtual ms`);
    await clock.advance(stepMs);
  }
  await tracked;
  return result;
}

/** Lets pending promise continuations and I/O callbacks run without moving virtual time. */
export async function flushIo(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Advances a virtual clock in small steps until `condition` holds — used to wait for real
 * loopback I/O (a request reaching a server) while timers run in virtual time.
 */
export async function advanceUntil(
  clock: VirtualClock,
  condition: () => boolean,
  { stepMs = 10, maxVirtualMs = 600_000 }: { stepMs?: number; maxVirtualMs?: number } = {},
): Promise<void> {
  const start = clock.now();
  while (!condition()) {
    if (clock.now() - start > maxVirtualMs)
      throw new Error(`condition still false after ${maxVirtualMs} virtual ms`);
    await clock.advance(stepMs);
  }
}

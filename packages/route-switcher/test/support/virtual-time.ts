import type { VirtualClock } from '@nat-ha/testkit';

/**
 * Drives a virtual clock until `promise` settles (or `maxMs` of virtual time passed), in steps of
 * `stepMs`, and returns its outcome. Lets a test run retries, backoff and token-bucket waits of
 * many seconds in a few milliseconds of real time.
 */
export async function settle<T>(
  clock: VirtualClock,
  promise: Promise<T>,
  { stepMs = 5, maxMs = 300_000 } = {},
): Promise<T> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  const start = clock.now();
  await clock.advance(0);
  while (!done && clock.now() - start < maxMs) await clock.advance(stepMs);
  return promise;
}

/** Records the virtual time of every call a fake receives. */
export function stamp(clock: VirtualClock): { times: number[]; mark(): void } {
  const times: number[] = [];
  return { times, mark: () => times.push(clock.now()) };
}

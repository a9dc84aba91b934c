/**
 * Runs `fn` over `items` with at most `limit` in flight, in order. Once `signal` aborts no further
 * item starts (fencing: no new write after the lease is gone); items already running are expected to
 * observe the same signal. Resolves when every started item has settled; never rejects on its own —
 * `fn` reports failures in its result. Items never started are `undefined` in the result.
 */
export async function runLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  signal: AbortSignal | undefined,
): Promise<(R | undefined)[]> {
  const results: (R | undefined)[] = new Array<R | undefined>(items.length).fill(undefined);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && signal?.aborted !== true) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Full-jitter exponential backoff: `delay = random() * min(capMs, baseMs * 2^retry)` — the AWS
 * recommendation (ec2-query-and-imds.md §1.4, §3.4) and the SDK's own formula. Jitter spreads the
 * retries of concurrent calls (and of other agents) so they do not hit a refilled bucket together.
 *
 * @param retry 0 for the first retry, 1 for the second, …
 */
export function fullJitterDelayMs(
  retry: number,
  baseMs: number,
  capMs: number,
  random: () => number,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, retry));
  return Math.floor(random() * ceiling);
}

import type { SwitcherContext } from './context';
import { RouteSwitcherError } from './errors';

/**
 * Re-reads until `check` reports done, with the verification backoff (`verifyIntervalMs` doubling up
 * to `verifyMaxIntervalMs`) bounded by `verifyTimeoutMs` — eventual consistency (§3.3) for the
 * non-route verifications (source/dest check, EIP association). Returns whether it got there.
 */
export async function pollUntil(
  ctx: SwitcherContext,
  check: () => Promise<boolean>,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  const { clock, config } = ctx;
  const deadline = clock.now() + config.verifyTimeoutMs;
  let delayMs = config.verifyIntervalMs;
  for (;;) {
    if (await check()) return true;
    if (clock.now() + delayMs > deadline) return false;
    try {
      await clock.sleep(delayMs, signal);
    } catch {
      throw new RouteSwitcherError('ABORTED', 'verification aborted', { cause: signal?.reason });
    }
    delayMs = Math.min(delayMs * 2, config.verifyMaxIntervalMs);
  }
}

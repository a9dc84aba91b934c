/**
 * EC2 and Auto Scaling calls made by the agents (calls signed with an instance role; the lab's own
 * reads are unsigned or signed as a principal and never counted) in a time window, by action.
 */
import type { ApiCallRecord } from '@nat-ha/testkit';

export interface CallCount {
  total: number;
  mutating: number;
  byAction: Record<string, number>;
  /** Calls answered with an error code (throttles included). */
  errors: number;
}

export function countCalls(calls: readonly ApiCallRecord[], from: number, to: number): CallCount {
  const byAction: Record<string, number> = {};
  let total = 0;
  let mutating = 0;
  let errors = 0;
  for (const c of calls) {
    if (c.callerInstanceId == null || c.receivedAt < from || c.receivedAt > to) continue;
    total++;
    if (c.mutating) mutating++;
    if (c.outcome !== 'ok' && c.outcome !== 'pending') errors++;
    byAction[c.action] = (byAction[c.action] ?? 0) + 1;
  }
  return { total, mutating, byAction: Object.fromEntries(Object.entries(byAction).sort()), errors };
}

/** Calls per hour, extrapolated linearly from a measured window. */
export function perHour(count: number, windowMs: number): number {
  return windowMs <= 0 ? 0 : (count * 3_600_000) / windowMs;
}

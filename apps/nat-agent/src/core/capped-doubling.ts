/**
 * The agent's one retry schedule: `baseMs` doubling per step up to `maxMs` (step 0 → `baseMs`).
 * Deterministic on purpose: these retries are per process (start-up, claims, prerequisite re-checks),
 * so there is no herd to spread, and a fixed schedule is what the logs and docs can state.
 */
export function cappedDoublingMs(step: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, step), 30));
}

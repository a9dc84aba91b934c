/**
 * Whether this process's event loop is responsive: a 1 s heartbeat timer that must not fall
 * behind by more than `maxStallMs`. `/health/live` (the check the Consul session is tied to) turns
 * 503 when it does, so an agent stuck in a hot loop loses its session instead of holding a lock it
 * cannot act on. A loop blocked outright cannot answer at all, and Consul's check timeout covers that.
 */
export interface LivenessMonitor {
  state(): { live: boolean; stallMs: number };
  stop(): void;
}

// One wake-up a second: cheap, and a stall of maxStallMs (2 s) still shows within one Consul check.
const BEAT_MS = 1_000;

export function createLivenessMonitor(
  options: { maxStallMs?: number; now?: () => number } = {},
): LivenessMonitor {
  const now = options.now ?? Date.now;
  const maxStallMs = options.maxStallMs ?? 2_000;
  let last = now();
  let lastLag = 0;
  const timer = setInterval(() => {
    const t = now();
    lastLag = Math.max(0, t - last - BEAT_MS);
    last = t;
  }, BEAT_MS);
  timer.unref();
  return {
    state() {
      const sinceBeat = Math.max(0, now() - last - BEAT_MS);
      const stallMs = Math.max(lastLag, sinceBeat);
      return { live: stallMs <= maxStallMs, stallMs };
    },
    stop: () => clearInterval(timer),
  };
}

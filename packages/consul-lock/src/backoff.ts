/** Retry delays for transient Consul errors. */
export interface BackoffOptions {
  /** First delay ceiling, in ms. */
  baseMs: number;
  /** Largest delay ceiling, in ms. */
  maxMs: number;
  /** Uniform random in [0, 1). Injected so tests are deterministic. */
  random?: () => number;
}

/**
 * "Full jitter" exponential backoff: a uniform delay in [baseMs/2, ceiling] where the ceiling doubles
 * per attempt up to `maxMs`. The half-base floor keeps a herd of contenders from retrying in a busy
 * loop when the random draw is near 0. `attempt` starts at 0.
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions): number {
  const random = options.random ?? Math.random;
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(Math.max(0, attempt), 30));
  const floor = Math.min(ceiling, options.baseMs / 2);
  return Math.round(floor + random() * (ceiling - floor));
}

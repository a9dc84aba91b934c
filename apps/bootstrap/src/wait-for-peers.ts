import type { Clock } from './clock';
import { BootstrapError } from './errors';
import type { PeerFacts } from './facts';

export interface WaitForPeersOptions {
  /** How many instances must match the join selector (this one included when it matches). */
  count: number;
  timeoutMs: number;
  /** Pause between discovery rounds. */
  intervalMs: number;
  clock: Clock;
  /** One discovery round (DescribeInstances / Auto Scaling through aws-discovery). */
  discover: (signal?: AbortSignal) => Promise<readonly PeerFacts[]>;
  /** Called after each round with what was seen, for progress logging. */
  onRound?: (peers: readonly PeerFacts[]) => void;
  signal?: AbortSignal;
}

/**
 * Polls discovery until `count` instances are visible — the seed's "three servers start together"
 * step, which `bootstrap_expect = 3` needs before the first render is worth writing. Retryable
 * discovery errors (throttling, a timeout) are retried until the deadline; a permanent one (IAM
 * denial, bad filter) fails at once. On timeout the error says how many were seen and which.
 */
export async function waitForPeers(options: WaitForPeersOptions): Promise<readonly PeerFacts[]> {
  const { count, timeoutMs, intervalMs, clock, discover, onRound, signal } = options;
  const deadline = clock.now() + timeoutMs;
  let seen: readonly PeerFacts[] = [];
  let lastError: BootstrapError | undefined;
  for (;;) {
    if (signal?.aborted === true) throw new BootstrapError('ABORTED', 'waiting for peers: aborted');
    try {
      seen = await discover(signal);
      lastError = undefined;
      onRound?.(seen);
      if (seen.length >= count) return seen;
    } catch (error) {
      const normalised = BootstrapError.from(error, 'DISCOVERY_FAILED', 'peer discovery failed');
      if (!normalised.retryable) throw normalised;
      lastError = normalised;
    }
    const remaining = deadline - clock.now();
    if (remaining <= 0) {
      const ids = seen.map((peer) => `${peer.instanceId} (${peer.privateIp})`).join(', ');
      const why = lastError == null ? '' : `; last discovery error: ${lastError.message}`;
      throw new BootstrapError(
        'PEERS_TIMEOUT',
        `--wait-for-peers ${count}: saw ${seen.length} of ${count} instances after ${timeoutMs} ms` +
          `${ids === '' ? '' : ` (${ids})`}${why}. Start the missing instances, check their tags, or raise --timeout.`,
        { cause: lastError },
      );
    }
    try {
      await clock.sleep(Math.min(intervalMs, remaining), signal);
    } catch (error) {
      throw BootstrapError.from(error, 'ABORTED', 'waiting for peers');
    }
  }
}

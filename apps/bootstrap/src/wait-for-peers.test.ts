import { createVirtualClock } from '@nat-ha/testkit';
import { describe, expect, it } from 'vitest';
import { BootstrapError } from './errors';
import type { PeerFacts } from './facts';
import { waitForPeers } from './wait-for-peers';

const peer = (n: number): PeerFacts => ({
  instanceId: `i-000000000000000${n}`,
  privateIp: `10.0.${n}.10`,
  availabilityZone: 'us-east-1a',
});

/** Discovery that sees one more instance every `everyRounds` rounds. */
function growing(everyRounds: number) {
  let round = 0;
  return {
    calls: () => round,
    discover: async () => {
      round++;
      return Array.from({ length: 1 + Math.floor((round - 1) / everyRounds) }, (_, i) => peer(i + 1));
    },
  };
}

describe('waitForPeers (virtual time)', () => {
  it('returns as soon as N instances are visible, polling every interval', async () => {
    const clock = createVirtualClock(0);
    const source = growing(2);
    const rounds: number[] = [];
    const done = waitForPeers({
      count: 3,
      timeoutMs: 60_000,
      intervalMs: 5_000,
      clock,
      discover: source.discover,
      onRound: (seen) => rounds.push(seen.length),
    });
    await clock.advance(25_000);
    const peers = await done;
    expect(peers.map((p) => p.instanceId)).toEqual([
      'i-0000000000000001',
      'i-0000000000000002',
      'i-0000000000000003',
    ]);
    expect(rounds).toEqual([1, 1, 2, 2, 3]);
    expect(clock.now()).toBe(25_000);
  });

  it('times out with a message naming how many were seen and which', async () => {
    const clock = createVirtualClock(0);
    const done = waitForPeers({
      count: 3,
      timeoutMs: 12_000,
      intervalMs: 5_000,
      clock,
      discover: async () => [peer(1), peer(2)],
    }).catch((e: unknown) => e);
    await clock.advance(12_000);
    const error = await done;
    expect(BootstrapError.isInstance(error) && error.code).toBe('PEERS_TIMEOUT');
    expect((error as Error).message).toBe(
      '--wait-for-peers 3: saw 2 of 3 instances after 12000 ms (i-0000000000000001 (10.0.1.10), i-0000000000000002 (10.0.2.10)). ' +
        'Start the missing instances, check their tags, or raise --timeout.',
    );
  });

  it('retries retryable discovery errors until the deadline, and reports the last one', async () => {
    const clock = createVirtualClock(0);
    let calls = 0;
    const done = waitForPeers({
      count: 1,
      timeoutMs: 10_000,
      intervalMs: 4_000,
      clock,
      discover: async () => {
        calls++;
        throw Object.assign(new Error('Rate exceeded'), { retryable: true });
      },
    }).catch((e: unknown) => e);
    await clock.advance(10_000);
    const error = (await done) as BootstrapError;
    expect(error.code).toBe('PEERS_TIMEOUT');
    expect(error.message).toMatch(/last discovery error: peer discovery failed: Rate exceeded/);
    expect(calls).toBe(4); // t = 0, 4, 8, 10 s
  });

  it('fails at once on a permanent discovery error (an IAM denial does not fix itself)', async () => {
    const clock = createVirtualClock(0);
    const error = await waitForPeers({
      count: 3,
      timeoutMs: 60_000,
      intervalMs: 5_000,
      clock,
      discover: async () => {
        throw new BootstrapError('DISCOVERY_FAILED', 'UnauthorizedOperation: ec2:DescribeInstances');
      },
    }).catch((e: unknown) => e);
    expect((error as BootstrapError).code).toBe('DISCOVERY_FAILED');
    expect(clock.now()).toBe(0);
  });

  it('stops when aborted while sleeping', async () => {
    const clock = createVirtualClock(0);
    const controller = new AbortController();
    const done = waitForPeers({
      count: 3,
      timeoutMs: 60_000,
      intervalMs: 5_000,
      clock,
      discover: async () => [],
      signal: controller.signal,
    }).catch((e: unknown) => e);
    await clock.advance(1_000);
    controller.abort();
    expect(((await done) as BootstrapError).code).toBe('ABORTED');
    expect(clock.pendingTimers()).toBe(0);
  });
});

import { DiscoveryError } from '@nat-ha/aws-discovery';
import { createVirtualClock } from '@nat-ha/testkit';
import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../test/fakes';
import type { InstanceIdentity } from '../ports';
import { resolveIdentityWithRetry } from './resolve-identity';

const identity = { instanceId: 'i-1', az: 'us-east-1a' } as InstanceIdentity;
const outage = () =>
  new DiscoveryError('IMDS_UNAVAILABLE', 'IMDS answered 500 for PUT /latest/api/token', { retryable: true });

describe('resolveIdentityWithRetry', () => {
  it('retries a retryable IMDS failure at 1 s, 2 s, 4 s … and logs each retry (chaos seed 1031)', async () => {
    const clock = createVirtualClock();
    const logger = createMemoryLogger();
    const attempts: number[] = [];
    const result = resolveIdentityWithRetry(
      async () => {
        attempts.push(clock.now());
        if (attempts.length <= 3) throw outage();
        return identity;
      },
      { clock, logger, signal: new AbortController().signal },
    );
    await clock.advance(10_000);
    await expect(result).resolves.toBe(identity);
    const t0 = attempts[0]!;
    expect(attempts.map((t) => t - t0)).toEqual([0, 1_000, 3_000, 7_000]);
    expect(logger.events.map((e) => [e.level, e.event, e.fields['attempt'], e.fields['delayMs']])).toEqual([
      ['warn', 'identity_retry', 1, 1_000],
      ['warn', 'identity_retry', 2, 2_000],
      ['warn', 'identity_retry', 3, 4_000],
    ]);
    expect(logger.events[0]!.fields['error']).toMatchObject({ code: 'IMDS_UNAVAILABLE', retryable: true });
  });

  it('waits at most maxDelayMs between attempts', async () => {
    const clock = createVirtualClock();
    const logger = createMemoryLogger();
    let n = 0;
    const result = resolveIdentityWithRetry(
      async () => {
        if (++n <= 8) throw outage();
        return identity;
      },
      { clock, logger, signal: new AbortController().signal, maxDelayMs: 5_000 },
    );
    await clock.advance(60_000);
    await expect(result).resolves.toBe(identity);
    expect(logger.events.map((e) => e.fields['delayMs'])).toEqual([
      1_000, 2_000, 4_000, 5_000, 5_000, 5_000, 5_000, 5_000,
    ]);
  });

  it('ends at once on a non-retryable failure (IMDS disabled is a set-up error)', async () => {
    const clock = createVirtualClock();
    const logger = createMemoryLogger();
    const disabled = new DiscoveryError('IMDS_DISABLED', 'IMDS is disabled on this instance (403)');
    await expect(
      resolveIdentityWithRetry(
        async () => {
          throw disabled;
        },
        { clock, logger, signal: new AbortController().signal },
      ),
    ).rejects.toBe(disabled);
    expect(logger.events).toEqual([]);
  });

  it('stops waiting when the signal aborts (SIGTERM during start-up)', async () => {
    const clock = createVirtualClock();
    const controller = new AbortController();
    const result = resolveIdentityWithRetry(
      async () => {
        throw outage();
      },
      { clock, logger: createMemoryLogger(), signal: controller.signal },
    );
    const settled = result.catch((e: unknown) => e);
    await clock.advance(500);
    controller.abort(new Error('received SIGTERM'));
    expect(await settled).toMatchObject({ message: 'received SIGTERM' });
  });
});

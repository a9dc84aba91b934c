import { createVirtualClock } from '@nat-ha/testkit';
import { describe, expect, it } from 'vitest';
import { createTokenBucket } from './token-bucket';

describe('createTokenBucket', () => {
  it('serves a burst at once, then one token per refill interval, in order', async () => {
    const clock = createVirtualClock(0);
    const bucket = createTokenBucket({ capacity: 2, refillIntervalMs: 250, clock });
    const at: number[] = [];
    const takes = Array.from({ length: 5 }, () => bucket.take().then(() => at.push(clock.now())));
    await clock.advance(2_000);
    await Promise.all(takes);
    expect(at).toEqual([0, 0, 250, 500, 750]);
  });

  it('refills up to capacity while idle', async () => {
    const clock = createVirtualClock(0);
    const bucket = createTokenBucket({ capacity: 3, refillIntervalMs: 100, clock });
    await bucket.take();
    await bucket.take();
    await clock.advance(10_000);
    expect(bucket.available()).toBe(3);
  });

  it('rejects ABORTED when the signal aborts while waiting', async () => {
    const clock = createVirtualClock(0);
    const bucket = createTokenBucket({ capacity: 1, refillIntervalMs: 1_000, clock });
    await bucket.take();
    const controller = new AbortController();
    const waiting = bucket.take(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
    expect(clock.pendingTimers()).toBe(0);
  });

  it('validates its options by name', () => {
    const clock = createVirtualClock(0);
    expect(() => createTokenBucket({ capacity: 0, refillIntervalMs: 1, clock })).toThrow(/capacity/);
    expect(() => createTokenBucket({ capacity: 1, refillIntervalMs: 0, clock })).toThrow(/refillIntervalMs/);
  });
});

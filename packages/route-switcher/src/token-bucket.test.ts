import { createVirtualClock } from '@nat-ha/testkit';
import { describe, expect, it } from 'vitest';
import { createTokenBucket } from './token-bucket';

const MUTATING = { burst: 50, perSecond: 5 };

describe('createTokenBucket (EC2 mutating bucket, ec2-query-and-imds.md §3.4)', () => {
  it('serves the 50-token burst at once, then one token per 200 ms', async () => {
    const clock = createVirtualClock();
    const bucket = createTokenBucket(MUTATING, clock);
    const t0 = clock.now();
    const waits = await Promise.all(Array.from({ length: 50 }, () => bucket.take()));
    expect(waits.every((w) => w === 0)).toBe(true);
    const grantedAt: number[] = [];
    const later = Array.from({ length: 3 }, () => bucket.take().then(() => grantedAt.push(clock.now() - t0)));
    await clock.advance(1000);
    await Promise.all(later);
    expect(grantedAt).toEqual([200, 400, 600]);
  });

  it('serves waiters first come, first served', async () => {
    const clock = createVirtualClock();
    const bucket = createTokenBucket({ burst: 1, perSecond: 10 }, clock);
    await bucket.take();
    const order: number[] = [];
    const waiting = [1, 2, 3].map((n) => bucket.take().then(() => order.push(n)));
    await clock.advance(300);
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3]);
  });

  it('an abort while waiting rejects without taking a token, and the next waiter gets it', async () => {
    const clock = createVirtualClock();
    const bucket = createTokenBucket({ burst: 1, perSecond: 5 }, clock);
    await bucket.take();
    const ac = new AbortController();
    const first = bucket.take(ac.signal);
    let secondAt = -1;
    const second = bucket.take().then(() => (secondAt = clock.now()));
    const t0 = clock.now();
    ac.abort(new Error('lease lost'));
    await expect(first).rejects.toThrow('lease lost');
    await clock.advance(200);
    await second;
    expect(secondAt - t0).toBe(200);
  });

  it('removes its timer when every waiter has aborted (no leaked timers)', async () => {
    const clock = createVirtualClock();
    const bucket = createTokenBucket({ burst: 1, perSecond: 1 }, clock);
    await bucket.take();
    const ac = new AbortController();
    const waiting = bucket.take(ac.signal);
    await clock.advance(10);
    expect(clock.pendingTimers()).toBe(1);
    ac.abort();
    await expect(waiting).rejects.toBeDefined();
    await clock.advance(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('rejects at once for an already aborted signal', async () => {
    const clock = createVirtualClock();
    const bucket = createTokenBucket(MUTATING, clock);
    const ac = new AbortController();
    ac.abort(new Error('gone'));
    await expect(bucket.take(ac.signal)).rejects.toThrow('gone');
    expect(bucket.available()).toBe(50);
  });

  it('drain() empties the bucket after a RequestLimitExceeded, so callers pace at the refill rate', async () => {
    const clock = createVirtualClock();
    const bucket = createTokenBucket(MUTATING, clock);
    bucket.drain();
    expect(bucket.available()).toBe(0);
    let at = -1;
    const t0 = clock.now();
    const p = bucket.take().then(() => (at = clock.now()));
    await clock.advance(250);
    await p;
    expect(at - t0).toBe(200);
  });

  it('refills continuously up to the burst size, never beyond', async () => {
    const clock = createVirtualClock();
    const bucket = createTokenBucket(MUTATING, clock);
    for (let i = 0; i < 50; i++) await bucket.take();
    await clock.advance(1000);
    expect(bucket.available()).toBeCloseTo(5, 9);
    await clock.advance(60_000);
    expect(bucket.available()).toBe(50);
  });
});

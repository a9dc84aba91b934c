import { createVirtualClock } from '@nat-ha/testkit';
import { describe, expect, it } from 'vitest';
import { createTokenBucket } from './token-bucket';

const MUTATING = { burst: 50, perSecond: 5 };

describe('createTokenBucket (EC2 mutating bucket, ec2-query-and-imds.md §3.4)', () => {
  it('serves the 50-token burst at once, then one token per 200 ms', async () => {
    const clock = createVirtualClock();
    const bucket = createTokenBucket(MUTATING, clock);
    const t0 = clock.now();
    const tickets = await Promise.all(Array.from({ length: 50 }, () => bucket.take()));
    expect(tickets.every((t) => t.waitedMs === 0)).toBe(true);
    tickets.forEach((t) => t.done());
    const grantedAt: number[] = [];
    const later = Array.from({ length: 3 }, () => bucket.take().then(() => grantedAt.push(clock.now() - t0)));
    await clock.advance(1000);
    await Promise.all(later);
    expect(grantedAt).toEqual([200, 400, 600]);
  });

  it('holds refill until the request that emptied the full bucket has settled (EC2 starts refilling on receipt)', async () => {
    const clock = createVirtualClock();
    const bucket = createTokenBucket({ burst: 2, perSecond: 5 }, clock);
    const t0 = clock.now();
    const first = await bucket.take();
    const second = await bucket.take();
    let at = -1;
    const third = bucket.take().then((t) => {
      at = clock.now() - t0;
      return t;
    });
    await clock.advance(500);
    expect(at).toBe(-1); // no refill while the first request is in flight
    second.done(); // only the first request anchors the refill
    await clock.advance(100);
    expect(at).toBe(-1);
    first.done(); // answered at t0 + 600 → refill runs from there
    await clock.advance(1000);
    await third;
    expect(at).toBe(800);
    // Mid-bucket takes do not put refill on hold.
    const mid = await third;
    mid.done();
  });

  it('serves waiters first come, first served', async () => {
    const clock = createVirtualClock();
    const bucket = createTokenBucket({ burst: 1, perSecond: 10 }, clock);
    (await bucket.take()).done();
    const order: number[] = [];
    const waiting = [1, 2, 3].map((n) =>
      bucket.take().then((t) => {
        order.push(n);
        t.done();
      }),
    );
    await clock.advance(300);
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3]);
  });

  it('an abort while waiting rejects without taking a token, and the next waiter gets it', async () => {
    const clock = createVirtualClock();
    const bucket = createTokenBucket({ burst: 1, perSecond: 5 }, clock);
    (await bucket.take()).done();
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
    (await bucket.take()).done();
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
    (await bucket.take()).done();
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
    for (let i = 0; i < 50; i++) (await bucket.take()).done();
    await clock.advance(1000);
    expect(bucket.available()).toBeCloseTo(5, 9);
    await clock.advance(60_000);
    expect(bucket.available()).toBe(50);
  });

  it('a ticket that is never settled holds refill for at most 10 s', async () => {
    const clock = createVirtualClock();
    const bucket = createTokenBucket({ burst: 1, perSecond: 5 }, clock);
    const t0 = clock.now();
    await bucket.take(); // never done()
    let at = -1;
    const p = bucket.take().then(() => (at = clock.now() - t0));
    await clock.advance(11_000);
    await p;
    expect(at).toBe(10_200);
  });
});

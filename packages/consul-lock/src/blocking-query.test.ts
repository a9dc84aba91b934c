import { createVirtualClock } from '@nat-ha/testkit';
import { describe, expect, it } from 'vitest';
import { nextBlockingIndex, watchBlocking } from './blocking-query';
import { ConsulLockError } from './errors';
import { createTokenBucket } from './token-bucket';

describe('nextBlockingIndex (§4.3)', () => {
  it('rule 1: resets to a non-blocking read when the index goes backwards', () => {
    expect(nextBlockingIndex(100, 40)).toBeUndefined();
  });
  it('rule 2: never 0 — a zero or missing index becomes 1', () => {
    expect(nextBlockingIndex(undefined, 0)).toBe(1);
    expect(nextBlockingIndex(1, 0)).toBeUndefined();
    expect(nextBlockingIndex(undefined, 7)).toBe(7);
    expect(nextBlockingIndex(7, 7)).toBe(7);
  });
});

describe('watchBlocking', () => {
  it('blocks on the last index, yields only moved indexes, and restarts after a backwards index (§4.2, §4.3)', async () => {
    const clock = createVirtualClock(0);
    const controller = new AbortController();
    const answers = [5, 5, 9, 3, 3, 4];
    const sent: (number | undefined)[] = [];
    const seen: number[] = [];
    const watching = (async () => {
      for await (const result of watchBlocking({
        clock,
        signal: controller.signal,
        bucket: createTokenBucket({ capacity: 100, refillIntervalMs: 1, clock }),
        query: async ({ index }) => {
          sent.push(index);
          const next = answers.shift();
          if (next == null) {
            controller.abort();
            throw new ConsulLockError('ABORTED', 'done');
          }
          return { value: next, index: next };
        },
      })) {
        seen.push(result.index);
      }
    })();
    await clock.advance(10);
    await watching;
    expect(sent).toEqual([undefined, 5, 5, 9, undefined, 3, 4]);
    expect(seen).toEqual([5, 9, 3, 4]);
  });

  it('rate-limits a loop whose answers come back at once (§4.3 rule 3)', async () => {
    const clock = createVirtualClock(0);
    const controller = new AbortController();
    const at: number[] = [];
    let index = 1;
    const watching = (async () => {
      for await (const _ of watchBlocking({
        clock,
        signal: controller.signal,
        bucket: createTokenBucket({ capacity: 2, refillIntervalMs: 1_000, clock }),
        query: async () => {
          at.push(clock.now());
          return { value: null, index: ++index };
        },
      })) {
        if (at.length >= 5) controller.abort();
      }
    })();
    await clock.advance(10_000);
    await watching;
    expect(at).toEqual([0, 0, 1_000, 2_000, 3_000]);
  });

  it('backs off after retryable errors and gives up on others', async () => {
    const clock = createVirtualClock(0);
    const controller = new AbortController();
    const at: number[] = [];
    const errors: string[] = [];
    const watching = (async () => {
      for await (const _ of watchBlocking({
        clock,
        signal: controller.signal,
        random: () => 0.5,
        onError: (e) => errors.push(e.code),
        bucket: createTokenBucket({ capacity: 100, refillIntervalMs: 1, clock }),
        query: async () => {
          at.push(clock.now());
          if (at.length < 3)
            throw new ConsulLockError('CONSUL_NO_LEADER', 'No cluster leader', { retryable: true });
          throw new ConsulLockError('CONSUL_PERMISSION_DENIED', 'Permission denied');
        },
      })) {
        /* nothing */
      }
    })();
    const outcome = watching.catch((e: unknown) => e);
    await clock.advance(5_000);
    expect(await outcome).toMatchObject({ code: 'CONSUL_PERMISSION_DENIED' });
    expect(at).toEqual([0, 188, 501]);
    expect(errors).toEqual(['CONSUL_NO_LEADER', 'CONSUL_NO_LEADER']);
  });
});

import { createVirtualClock, type VirtualClock } from '@nat-ha/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeConsul } from '../test/fake-consul';
import {
  createLeaderElection,
  type ElectionEvent,
  type LeaderElection,
  type LeaderElectionOptions,
} from './election';
import { ConsulLockError } from './errors';
import { createSession } from './session';

const KEY = 'nat-ha/group-a/leader';

interface Harness {
  clock: VirtualClock;
  fake: FakeConsul;
  make(options?: Partial<LeaderElectionOptions>): LeaderElection;
  log: { at: number; who: string; event: ElectionEvent }[];
}

let elections: LeaderElection[] = [];

afterEach(async () => {
  // Stop every election so no timer outlives its test.
  for (const election of elections) void election.resign().catch(() => undefined);
  elections = [];
});

function harness(): Harness {
  const clock = createVirtualClock(0);
  const fake = new FakeConsul(clock);
  const log: Harness['log'] = [];
  let n = 0;
  return {
    clock,
    fake,
    log,
    make(options = {}) {
      const who = `e${++n}`;
      const election = createLeaderElection({
        consul: fake,
        key: KEY,
        value: who,
        clock,
        random: () => 0.5,
        ...options,
      });
      election.on('elected', (token) =>
        log.push({ at: clock.now(), who, event: { type: 'elected', token } }),
      );
      election.on('deposed', (event) =>
        log.push({ at: clock.now(), who, event: { type: 'deposed', ...event } }),
      );
      election.on('error', (error) => log.push({ at: clock.now(), who, event: { type: 'error', error } }));
      elections.push(election);
      return election;
    },
  };
}

const leaders = (all: LeaderElection[]): number => all.filter((e) => e.isLeader()).length;

describe('createLeaderElection: options', () => {
  it('rejects fenceAfterMs + maxWriteMs >= lockDelayMs, naming the three options', () => {
    const { fake, clock } = harness();
    let caught: unknown;
    try {
      createLeaderElection({
        consul: fake,
        key: KEY,
        clock,
        fenceAfterMs: 500,
        maxWriteMs: 1_000,
        lockDelayMs: 1_500,
      });
    } catch (err) {
      caught = err;
    }
    expect(ConsulLockError.isInstance(caught) && caught.code).toBe('INVALID_OPTION');
    expect((caught as Error).message).toMatch(/fenceAfterMs \+ maxWriteMs must be < lockDelayMs/);
    expect((caught as Error).message).toContain('1500');
  });

  it('checks the invariant against a shared session’s lock-delay, not the default', () => {
    const { fake, clock } = harness();
    const session = createSession({ consul: fake, clock, lockDelayMs: 1_000 });
    expect(() => createLeaderElection({ consul: fake, key: KEY, clock, session })).toThrow(
      /lockDelayMs 1000/,
    );
    void session.destroy();
  });

  it('rejects confirmIntervalMs >= fenceAfterMs and an empty key', () => {
    const { fake, clock } = harness();
    expect(() => createLeaderElection({ consul: fake, key: KEY, clock, confirmIntervalMs: 500 })).toThrow(
      /confirmIntervalMs/,
    );
    expect(() => createLeaderElection({ consul: fake, key: '', clock })).toThrow(/key must be/);
  });
});

describe('createLeaderElection: contention', () => {
  it('elects the only contender and hands out the fencing token {key, session, lockIndex}', async () => {
    const h = harness();
    const a = h.make();
    await h.clock.advance(1);
    expect(a.isLeader()).toBe(true);
    const token = a.token();
    expect(token).toEqual({ key: KEY, session: h.fake.holder(KEY), lockIndex: 1 });
    expect(h.log.map((l) => l.event.type)).toEqual(['elected']);
  });

  it('a follower wakes on the holder’s resign at once and acquires with no lock-delay (§5.5)', async () => {
    const h = harness();
    const a = h.make();
    await h.clock.advance(1);
    const b = h.make();
    await h.clock.advance(100);
    expect(b.isLeader()).toBe(false);
    const resignAt = h.clock.now();
    await a.resign();
    await h.clock.advance(0);
    expect(b.isLeader()).toBe(true);
    const elected = h.log.filter((l) => l.event.type === 'elected');
    expect(elected.map((l) => [l.who, l.at])).toEqual([
      ['e1', 0],
      ['e2', resignAt],
    ]);
    // Release comes before the session destroy, so the destroy sets no lock-delay on the key (§2.8).
    const ops = h.fake.calls
      .filter((c) => c.op === 'kv.release' || c.op === 'session.destroy')
      .map((c) => c.op);
    expect(ops).toEqual(['kv.release', 'session.destroy']);
    expect(h.fake.lockDelayUntil.size).toBe(0);
    expect(b.token()?.lockIndex).toBe(2);
  });

  it('after the holder’s session is invalidated, retries exactly when the lock-delay can have expired — not before, not on a fixed 5 s timer (§2.8, §5.3)', async () => {
    const h = harness();
    const a = h.make();
    await h.clock.advance(1);
    const b = h.make();
    await h.clock.advance(100);
    const t0 = h.clock.now();
    h.fake.invalidate(a.token()!.session);
    await h.clock.advance(1_400);
    expect(b.isLeader()).toBe(false);
    const bSession = [...h.fake.sessions.keys()].find((s) => s !== a.token()?.session)!;
    const attempts = () => h.fake.calls.filter((c) => c.op === 'kv.acquire' && c.session === bSession);
    // One refused attempt at the release, nothing while the delay runs.
    expect(attempts().map((c) => [c.start - t0, c.result])).toEqual([[0, false]]);
    await h.clock.advance(200);
    expect(b.isLeader()).toBe(true);
    expect(attempts().map((c) => [c.start - t0, c.result])).toEqual([
      [0, false],
      [1_505, true],
    ]);
  });

  it('with lockRetryMs, retries on api/lock.go’s fixed grid after a lock-delay refusal (§5.3 DefaultLockRetryTime)', async () => {
    const h = harness();
    // Both on the fixed grid, as two api/lock.go clients would be (the invalidated holder contends again too).
    const a = h.make({ lockRetryMs: 5_000 });
    await h.clock.advance(1);
    const b = h.make({ lockRetryMs: 5_000 });
    await h.clock.advance(100);
    const t0 = h.clock.now();
    h.fake.invalidate(a.token()!.session);
    await h.clock.advance(4_900);
    // The lock-delay (1.5 s) ended long ago, but the fixed grid has not come round yet.
    expect(b.isLeader()).toBe(false);
    await h.clock.advance(200);
    expect(b.isLeader()).toBe(true);
    const bSession = [...h.fake.sessions.keys()].find((s) => s !== a.token()?.session)!;
    const attempts = h.fake.calls.filter((c) => c.op === 'kv.acquire' && c.session === bSession);
    expect(attempts.map((c) => [c.start - t0, c.result])).toEqual([
      [0, false],
      [5_000, true],
    ]);
  });

  it('rejects a non-positive lockRetryMs, naming the option', () => {
    const h = harness();
    expect(() => h.make({ lockRetryMs: 0 })).toThrow(/lockRetryMs/);
  });

  it('times the retry with the holder’s own lock-delay, read from its session (§2.1 LockDelay)', async () => {
    const h = harness();
    const slow = createSession({ consul: h.fake, clock: h.clock, lockDelayMs: 4_000 });
    const a = h.make({ session: slow, maxWriteMs: 800 });
    await h.clock.advance(1);
    const b = h.make();
    await h.clock.advance(100);
    const t0 = h.clock.now();
    h.fake.invalidate(a.token()!.session);
    await h.clock.advance(3_900);
    expect(b.isLeader()).toBe(false);
    await h.clock.advance(200);
    expect(b.isLeader()).toBe(true);
    const acquired = h.fake.calls.find((c) => c.op === 'kv.acquire' && c.result === true && c.start > t0)!;
    expect(acquired.start - t0).toBe(4_005);
    await slow.destroy();
  });

  it('when the release was not seen, probes within one lock-delay instead of waiting a fixed period', async () => {
    const h = harness();
    const a = h.make();
    await h.clock.advance(1);
    const session = a.token()!.session;
    // Stop a without releasing: its session dies (lock-delay set), then a newcomer arrives.
    h.fake.invalidate(session);
    await h.clock.advance(10);
    const b = h.make();
    // The probes run every lock-delay/4 at most, so someone holds the key within 400 ms of its expiry.
    await h.clock.advance(1_500 + 400);
    expect(b.isLeader() || a.isLeader()).toBe(true);
    const winner = h.log.filter((l) => l.event.type === 'elected').at(-1)!;
    expect(winner.at).toBeGreaterThanOrEqual(1 + 1_500);
    expect(winner.at).toBeLessThanOrEqual(1 + 1_500 + 400);
  });

  it('a conflicting key (Flags not the lock flag, §5.3) is reported and never acquired', async () => {
    const h = harness();
    await h.fake.kv.put(KEY, 'not a lock');
    const a = h.make();
    await h.clock.advance(50);
    expect(a.isLeader()).toBe(false);
    const errors = h.log.filter((l) => l.event.type === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.event.type === 'error' && errors[0]!.event.error.code).toBe('CONSUL_LOCK_CONFLICT');
    await h.fake.kv.delete(KEY);
    await h.clock.advance(1);
    expect(a.isLeader()).toBe(true);
  });
});

describe('createLeaderElection: withdraw and contend', () => {
  it('a withdrawn follower keeps following the key (holder events) but does not acquire until contend()', async () => {
    const h = harness();
    const a = h.make();
    await h.clock.advance(1);
    const b = h.make({ contend: false });
    const views: string[] = [];
    b.on('holder', (view) => views.push(view.holder));
    await h.clock.advance(10);
    expect(b.holder()).toMatchObject({ holder: 'other', session: a.token()!.session });
    await a.resign();
    await h.clock.advance(100);
    expect(b.isLeader()).toBe(false);
    expect(views).toEqual(['other', 'none']);
    const t0 = h.clock.now();
    b.contend();
    await h.clock.advance(0);
    expect(b.isLeader()).toBe(true);
    expect(h.log.filter((l) => l.event.type === 'elected').at(-1)!.at).toBe(t0);
    b.withdraw();
    await h.clock.advance(500);
    expect(b.isLeader()).toBe(true); // withdrawing does not release a held lock
  });
});

describe('createLeaderElection: fence', () => {
  it('while a lease is in use, deposes exactly fenceAfterMs after the send time of the last good confirmation when Consul stops answering, and aborts the lease', async () => {
    const h = harness();
    const a = h.make();
    await h.clock.advance(1);
    let leaseAbortedAt: number | undefined;
    const work = a.withLease(
      (signal) =>
        new Promise<void>((resolve) =>
          signal.addEventListener(
            'abort',
            () => {
              leaseAbortedAt = h.clock.now();
              resolve();
            },
            { once: true },
          ),
        ),
    );
    await h.clock.advance(1_000);
    h.fake.mode = 'hang';
    const lastGood = h.fake.calls.filter((c) => c.op === 'kv.get?consistent' && c.result != null).at(-1)!;
    await h.clock.advance(1_000);
    await work.catch(() => undefined);
    const deposed = h.log.find((l) => l.event.type === 'deposed')!;
    expect(deposed.event.type === 'deposed' && deposed.event.reason).toBe('unconfirmed');
    expect(deposed.at - lastGood.start).toBe(500);
    expect(leaseAbortedAt).toBe(deposed.at);
    expect(a.isLeader()).toBe(false);
  });

  it('an idle leader (no lease in use) is deposed idleConfirmIntervalMs + fenceAfterMs after its last good confirmation', async () => {
    const h = harness();
    const a = h.make();
    await h.clock.advance(1);
    await h.clock.advance(2_000);
    h.fake.mode = 'hang';
    const lastGood = h.fake.calls.filter((c) => c.op === 'kv.get?consistent' && c.result != null).at(-1)!;
    await h.clock.advance(3_000);
    const deposed = h.log.find((l) => l.event.type === 'deposed')!;
    expect(deposed.event.type === 'deposed' && deposed.event.reason).toBe('unconfirmed');
    expect(deposed.at - lastGood.start).toBe(1_000 + 500);
    expect(a.isLeader()).toBe(false);
  });

  it('confirms every confirmIntervalMs while a lease is in use, and every idleConfirmIntervalMs when idle', async () => {
    const h = harness();
    const a = h.make();
    await h.clock.advance(1);
    const confirms = () => h.fake.calls.filter((c) => c.op === 'kv.get?consistent').length;
    let before = confirms();
    await h.clock.advance(3_000);
    expect(confirms() - before).toBe(3);
    // A lease: one fresh confirmation to start, then one per 150 ms while it runs.
    let finish!: () => void;
    const work = a.withLease(() => new Promise<void>((r) => (finish = r)));
    await h.clock.advance(0);
    before = confirms();
    await h.clock.advance(1_500);
    expect(confirms() - before).toBe(10);
    finish();
    await work;
    before = confirms();
    await h.clock.advance(3_000);
    expect(confirms() - before).toBeLessThanOrEqual(3);
  });

  it('an idle leader learns at once, from its watch on the key, that the key is gone', async () => {
    const h = harness();
    const a = h.make();
    await h.clock.advance(1);
    const t0 = h.clock.now();
    // An operator deletes the key (a plain PUT would keep the session on it, rule 42).
    await h.fake.kv.delete(KEY);
    await h.clock.advance(5);
    const deposed = h.log.find((l) => l.event.type === 'deposed')!;
    expect(deposed.event.type === 'deposed' && deposed.event.reason).toBe('lost');
    expect(deposed.at - t0).toBeLessThanOrEqual(5);
    // (The key is free with no lock-delay after a delete, so `a` may well win it again, in a new term.)
    expect(h.log.filter((l) => l.event.type === 'elected').length).toBeGreaterThanOrEqual(1);
    void a;
  });

  it('re-elects with the same fencing token once Consul answers again and the key is still ours', async () => {
    const h = harness();
    const a = h.make();
    await h.clock.advance(1);
    const token = a.token();
    h.fake.mode = 'hang';
    await h.clock.advance(2_000);
    expect(a.isLeader()).toBe(false);
    h.fake.mode = 'ok';
    await h.clock.advance(15_000);
    expect(a.isLeader()).toBe(true);
    expect(a.token()).toEqual(token);
  });

  it('`No cluster leader` never yields two leaders: the holder fences itself, nobody acquires, the holder resumes (§7.3)', async () => {
    const h = harness();
    const a = h.make();
    await h.clock.advance(1);
    const b = h.make();
    await h.clock.advance(100);
    h.fake.mode = 'no-leader';
    let maxLeaders = 0;
    for (let t = 0; t < 10_000; t += 50) {
      await h.clock.advance(50);
      maxLeaders = Math.max(maxLeaders, leaders([a, b]));
    }
    expect(a.isLeader()).toBe(false);
    expect(maxLeaders).toBeLessThanOrEqual(1);
    const noLeaderErrors = h.log.filter(
      (l) => l.event.type === 'error' && l.event.error.code === 'CONSUL_NO_LEADER',
    );
    expect(noLeaderErrors.length).toBeGreaterThan(0);
    h.fake.mode = 'ok';
    for (let t = 0; t < 5_000; t += 50) {
      await h.clock.advance(50);
      expect(leaders([a, b])).toBeLessThanOrEqual(1);
    }
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);
  });

  it('deposes with reason `lost` when a confirmation shows the key released under it', async () => {
    const h = harness();
    const a = h.make();
    await h.clock.advance(1);
    const t0 = h.clock.now();
    h.fake.invalidate(a.token()!.session);
    await h.clock.advance(200);
    const deposed = h.log.find((l) => l.event.type === 'deposed')!;
    expect(deposed.event.type === 'deposed' && deposed.event.reason).toBe('lost');
    expect(deposed.at - t0).toBeLessThanOrEqual(150);
  });
});

describe('createLeaderElection: confirm', () => {
  it('confirm() proves the lock with a fresh ?consistent read and extends the lease from its send time', async () => {
    const h = harness();
    const a = h.make({ idleConfirmIntervalMs: 4_000 });
    await h.clock.advance(1);
    await h.clock.advance(300);
    const before = h.fake.calls.length;
    const sentAt = h.clock.now();
    expect(await a.confirm()).toEqual(a.token());
    expect(h.fake.calls.slice(before).map((c) => c.op)).toEqual(['kv.get?consistent']);
    // Without it the trust from the election-time read (t=0) would have ended at 4 000 + 500.
    h.fake.mode = 'hang';
    await h.clock.advance(sentAt + 4_499 - h.clock.now());
    expect(a.isLeader()).toBe(true);
    await h.clock.advance(1);
    expect(a.isLeader()).toBe(false);
  });

  it('confirm() rejects CONSUL_LOCK_LOST and deposes when the key is no longer ours', async () => {
    const h = harness();
    const a = h.make({ confirmIntervalMs: 400 });
    await h.clock.advance(1);
    h.fake.invalidate(a.token()!.session);
    await expect(a.confirm()).rejects.toMatchObject({ code: 'CONSUL_LOCK_LOST' });
    expect(a.isLeader()).toBe(false);
    expect(h.log.at(-1)?.event).toMatchObject({ type: 'deposed', reason: 'lost' });
  });
});

describe('createLeaderElection: withLease', () => {
  it('runs fn only after a fresh ?consistent confirmation', async () => {
    const h = harness();
    const a = h.make();
    await h.clock.advance(1);
    const before = h.fake.calls.length;
    let confirmedBeforeRun = false;
    const result = await a.withLease(async (signal, token) => {
      confirmedBeforeRun = h.fake.calls
        .slice(before)
        .some((c) => c.op === 'kv.get?consistent' && c.result != null);
      expect(signal.aborted).toBe(false);
      expect(token.lockIndex).toBe(1);
      return 42;
    });
    expect(result).toBe(42);
    expect(confirmedBeforeRun).toBe(true);
  });

  it('rejects CONSUL_LOCK_LOST without running fn when not leader', async () => {
    const h = harness();
    const a = h.make();
    await h.clock.advance(1);
    const b = h.make();
    await h.clock.advance(10);
    let ran = false;
    await expect(
      b.withLease(async () => {
        ran = true;
      }),
    ).rejects.toMatchObject({ code: 'CONSUL_LOCK_LOST' });
    expect(ran).toBe(false);
    expect(a.isLeader()).toBe(true);
  });

  it('aborts the lease signal the moment the lease lapses, and reports CONSUL_LOCK_LOST', async () => {
    const h = harness();
    const a = h.make();
    await h.clock.advance(1);
    let abortedAt: number | undefined;
    const work = a.withLease(
      (signal) =>
        new Promise<void>((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            abortedAt = h.clock.now();
            reject(signal.reason as Error);
          });
        }),
    );
    const outcome = work.catch((err: unknown) => err);
    await h.clock.advance(400);
    h.fake.mode = 'hang';
    const lastGood = h.fake.calls.filter((c) => c.op === 'kv.get?consistent' && c.result != null).at(-1)!;
    await h.clock.advance(1_000);
    expect(await outcome).toMatchObject({ code: 'CONSUL_LOCK_LOST' });
    expect(abortedAt! - lastGood.start).toBe(500);
  });

  it('resign() lets in-flight guarded work settle before releasing the key', async () => {
    const h = harness();
    const a = h.make();
    await h.clock.advance(1);
    let finishedAt = 0;
    const work = a.withLease(async () => {
      // Ignores its signal on purpose, but finishes within maxWriteMs.
      await h.clock.sleep(300);
      finishedAt = h.clock.now();
    });
    await h.clock.advance(10);
    const resigned = a.resign();
    await h.clock.advance(1_000);
    await resigned;
    await work.catch(() => undefined);
    const release = h.fake.calls.find((c) => c.op === 'kv.release')!;
    expect(release.start).toBeGreaterThanOrEqual(finishedAt);
  });

  it('resign() does not release before a write cut mid-flight could still land at EC2 (sent + maxWriteMs)', async () => {
    // The lab's fault campaign found it: the lease abort settles the SDK call at once, but EC2 may
    // apply the request up to maxWriteMs after it was sent, and a release gives successors no lock-delay.
    const h = harness();
    const a = h.make();
    await h.clock.advance(1);
    void a
      .withLease(
        (signal) =>
          new Promise<void>((_, reject) => {
            // A well-behaved write: gives up as soon as its signal aborts.
            signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
          }),
      )
      .catch(() => undefined);
    await h.clock.advance(10);
    const t0 = h.clock.now();
    const resigned = a.resign();
    await h.clock.advance(2_000);
    await resigned;
    const release = h.fake.calls.find((c) => c.op === 'kv.release')!;
    expect(release.start - t0).toBe(800);
  });

  it("a cut by the caller's own signal counts too: the work settles, and resign() still waits sent + maxWriteMs", async () => {
    // The lab's fault campaign (seed 1051) found it: nat-agent cut its claim with its own controller,
    // the aborted write settled, then resign() released at once and the write landed 4 ms after the
    // successor acquired. The caller's signal, passed to withLease, is part of the lease.
    const h = harness();
    const a = h.make();
    await h.clock.advance(1);
    const own = new AbortController();
    const work = a
      .withLease(
        (signal) =>
          new Promise<void>((_, reject) => {
            signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
          }),
        own.signal,
      )
      .catch(() => undefined);
    await h.clock.advance(10);
    const t0 = h.clock.now();
    own.abort(new Error('health lost'));
    await work; // settled before resign() is even called
    const resigned = a.resign();
    await h.clock.advance(2_000);
    await resigned;
    const release = h.fake.calls.find((c) => c.op === 'kv.release')!;
    expect(release.start - t0).toBe(800);
  });

  it('resign() releases at once when no guarded work was in flight (graceful stays one round trip)', async () => {
    const h = harness();
    const a = h.make();
    await h.clock.advance(1);
    await a.withLease(async () => undefined);
    await h.clock.advance(10);
    const t0 = h.clock.now();
    const resigned = a.resign();
    await h.clock.advance(100);
    await resigned;
    const release = h.fake.calls.find((c) => c.op === 'kv.release')!;
    expect(release.start - t0).toBe(0);
  });

  it('resign() waits at most maxWriteMs for guarded work that never settles', async () => {
    const h = harness();
    const a = h.make();
    await h.clock.advance(1);
    void a.withLease(() => new Promise<void>(() => undefined)).catch(() => undefined);
    await h.clock.advance(10);
    const t0 = h.clock.now();
    const resigned = a.resign();
    await h.clock.advance(2_000);
    await resigned;
    const release = h.fake.calls.find((c) => c.op === 'kv.release')!;
    expect(release.start - t0).toBe(800);
  });
});

describe('createLeaderElection: sessions and shutdown', () => {
  it('deposes with `session-lost` when its session cannot be renewed for a whole TTL, and contends again with a new one', async () => {
    const h = harness();
    const a = h.make({ session: { ttlMs: 10_000 } });
    await h.clock.advance(1);
    const first = a.token()!.session;
    h.fake.renewError = new ConsulLockError('CONSUL_TIMEOUT', 'renew timed out', { retryable: true });
    await h.clock.advance(10_500);
    const reasons = h.log.flatMap((l) => (l.event.type === 'deposed' ? [l.event.reason] : []));
    expect(reasons).toContain('session-lost');
    h.fake.renewError = undefined;
    await h.clock.advance(5_000);
    expect(a.isLeader()).toBe(true);
    expect(a.token()!.session).not.toBe(first);
  });

  it('iterates events as an async iterator and ends after resign()', async () => {
    const h = harness();
    const a = h.make();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const event of a) {
        seen.push(
          event.type === 'deposed'
            ? `deposed:${event.reason}`
            : event.type === 'holder'
              ? `holder:${event.view.holder}`
              : event.type,
        );
      }
    })();
    await h.clock.advance(1);
    await a.resign();
    await reading;
    expect(seen).toEqual(['holder:none', 'holder:self', 'elected', 'deposed:resigned']);
  });

  it('aborting the signal resigns: the key is released and the owned session destroyed', async () => {
    const h = harness();
    const controller = new AbortController();
    const a = h.make({ signal: controller.signal });
    await h.clock.advance(1);
    controller.abort();
    await h.clock.advance(1);
    expect(a.stopped).toBe(true);
    expect(h.fake.holder(KEY)).toBeUndefined();
    expect(h.fake.sessions.size).toBe(0);
    expect(h.log.at(-1)?.event).toMatchObject({ type: 'deposed', reason: 'aborted' });
  });

  it('does not destroy a shared session on resign, and two elections can share one', async () => {
    const h = harness();
    const shared = createSession({ consul: h.fake, clock: h.clock });
    const a = h.make({ session: shared, key: 'nat-ha/a/leader' });
    const b = h.make({ session: shared, key: 'nat-ha/b/leader' });
    await h.clock.advance(1);
    expect(a.isLeader() && b.isLeader()).toBe(true);
    await a.resign();
    expect(h.fake.sessions.has(shared.id!)).toBe(true);
    expect(b.isLeader()).toBe(true);
    await b.resign();
    await shared.destroy();
    expect(h.fake.sessions.size).toBe(0);
  });

  it('keeps following after a permission error and reports it as an error event', async () => {
    const h = harness();
    h.fake.createError = {
      error: new ConsulLockError(
        'CONSUL_PERMISSION_DENIED',
        "PUT /v1/session/create failed with HTTP 403: Permission denied: token lacks permission 'session:write'",
        {
          status: 403,
        },
      ),
      once: true,
    };
    const a = h.make();
    await h.clock.advance(1);
    const error = h.log.find((l) => l.event.type === 'error');
    expect(error?.event.type === 'error' && error.event.error.code).toBe('CONSUL_PERMISSION_DENIED');
    await h.clock.advance(3_000);
    expect(a.isLeader()).toBe(true);
  });
});

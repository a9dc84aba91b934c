import { createVirtualClock } from '@nat-ha/testkit';
import { describe, expect, it } from 'vitest';
import { FakeConsul } from '../test/fake-consul';
import { ConsulLockError } from './errors';
import { createSession, type SessionLostEvent } from './session';

function setup(options: Parameters<typeof createSession>[0] extends infer O ? Partial<O> : never = {}) {
  const clock = createVirtualClock(0);
  const fake = new FakeConsul(clock);
  const session = createSession({ consul: fake, clock, random: () => 0.5, ...options });
  const lost: (SessionLostEvent & { at: number })[] = [];
  session.on('lost', (event) => lost.push({ ...event, at: clock.now() }));
  const renews = () => fake.calls.filter((c) => c.op === 'session.renew').map((c) => c.start);
  return { clock, fake, session, lost, renews };
}

describe('createSession', () => {
  it('creates with the package defaults: TTL 10 s, lock-delay 1.5 s, serfHealth', async () => {
    const { clock, fake, session } = setup();
    await clock.advance(1);
    expect(session.id).toBe('s1');
    expect(fake.sessions.get('s1')).toMatchObject({ ttlMs: 10_000, lockDelayMs: 1_500, behavior: 'release' });
    await session.destroy();
  });

  it('renews every TTL/2 (§5.6)', async () => {
    const { clock, session, renews } = setup({ ttlMs: 10_000 });
    await clock.advance(20_001);
    expect(renews()).toEqual([5_000, 10_000, 15_000, 20_000]);
    await session.destroy();
  });

  it('retries a failing renew until a whole TTL has passed since the last good one, then reports it lost and creates a new one', async () => {
    const { clock, fake, session, lost, renews } = setup({ ttlMs: 10_000 });
    await clock.advance(1);
    fake.renewError = new ConsulLockError('CONSUL_TIMEOUT', 'timed out', { retryable: true });
    await clock.advance(9_998);
    expect(lost).toEqual([]);
    expect(session.id).toBe('s1');
    await clock.advance(10);
    expect(lost).toMatchObject([{ id: 's1', reason: 'expired', at: 10_000 }]);
    expect(lost[0]!.error?.code).toBe('CONSUL_SESSION_EXPIRED');
    // Retries are at most 1 s apart (as RenewPeriodic, §5.6), all within the TTL.
    const attempts = renews();
    expect(attempts[0]).toBe(5_000);
    expect(Math.max(...attempts.slice(1).map((t, i) => t - attempts[i]!))).toBeLessThanOrEqual(1_000);
    expect(attempts.every((t) => t <= 10_000)).toBe(true);
    fake.renewError = undefined;
    await clock.advance(1);
    expect(session.id).toBe('s2');
    // The stale one is destroyed so it cannot keep holding keys.
    expect(fake.calls.some((c) => c.op === 'session.destroy' && c.session === 's1')).toBe(true);
    await session.destroy();
  });

  it('`No cluster leader` answers keep the session: Consul restarts TTL timers on the new leader (§2.6, §7.3)', async () => {
    const { clock, fake, session, lost } = setup({ ttlMs: 10_000 });
    await clock.advance(1);
    fake.mode = 'no-leader';
    await clock.advance(30_000);
    expect(lost).toEqual([]);
    fake.mode = 'ok';
    await clock.advance(6_000);
    expect(session.id).toBe('s1');
    await session.destroy();
  });

  it('a renew answered 404 reports the session invalidated at once and creates a new one', async () => {
    const { clock, fake, session, lost } = setup({ ttlMs: 10_000 });
    await clock.advance(1);
    fake.invalidate('s1');
    await clock.advance(5_000);
    expect(lost).toMatchObject([{ id: 's1', reason: 'invalidated', at: 5_000 }]);
    expect(session.id).toBe('s2');
    await session.destroy();
  });

  it('verify() finds an invalidated session without waiting for the next renew', async () => {
    const { clock, fake, session, lost } = setup({ ttlMs: 10_000 });
    await clock.advance(1);
    fake.invalidate('s1');
    await clock.advance(100);
    expect(await session.verify('s1')).toBe(false);
    expect(lost).toMatchObject([{ id: 's1', reason: 'invalidated', at: 101 }]);
    await clock.advance(1);
    expect(session.id).toBe('s2');
    expect(await session.verify('s2')).toBe(true);
    await session.destroy();
  });

  it('retries a failed create with backoff and reports each error', async () => {
    const clock = createVirtualClock(0);
    const fake = new FakeConsul(clock);
    fake.createError = {
      error: new ConsulLockError('CONSUL_CHECK_UNHEALTHY', "Check 'service:nat-agent' is in critical state", {
        retryable: true,
      }),
      once: false,
    };
    const session = createSession({ consul: fake, clock, random: () => 0.5 });
    const errors: string[] = [];
    session.on('error', (error) => errors.push(error.code));
    await clock.advance(1_000);
    const creates = fake.calls.filter((c) => c.op === 'session.create').map((c) => c.start);
    // Backoff 100 ms doubling (random 0.5 of [base/2, ceiling]).
    expect(creates.slice(0, 4)).toEqual([0, 75, 200, 425]);
    expect(errors[0]).toBe('CONSUL_CHECK_UNHEALTHY');
    fake.createError = undefined;
    await clock.advance(2_000);
    expect(session.id).toBeDefined();
    await session.destroy();
  });

  it('ready() waits for creation; destroy() stops renewing and destroys on Consul', async () => {
    const { clock, fake, session, renews } = setup();
    const ready = session.ready();
    await clock.advance(1);
    expect(await ready).toBe('s1');
    await session.destroy();
    expect(fake.sessions.size).toBe(0);
    await clock.advance(60_000);
    expect(renews()).toEqual([]);
    await expect(session.ready()).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('aborting its signal destroys it', async () => {
    const controller = new AbortController();
    const { clock, fake, session } = setup({ signal: controller.signal });
    await clock.advance(1);
    controller.abort();
    await clock.advance(1);
    expect(session.closed).toBe(true);
    expect(fake.sessions.size).toBe(0);
  });

  it('validates its options by name', () => {
    const clock = createVirtualClock(0);
    const fake = new FakeConsul(clock);
    expect(() => createSession({ consul: fake, clock, lockDelayMs: 61_000 })).toThrow(/lockDelayMs/);
    expect(() => createSession({ consul: fake, clock, ttlMs: -1 })).toThrow(/ttlMs/);
    expect(() => createSession({ consul: fake, clock, behavior: 'x' as 'release' })).toThrow(/behavior/);
  });
});

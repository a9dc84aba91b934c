import { createVirtualClock } from '@nat-ha/testkit';
import { describe, expect, it } from 'vitest';
import { NetHealthError } from './errors';
import { runAttempt } from './run-attempt';

describe('runAttempt (virtual time)', () => {
  it('reports a pass with the elapsed latency, or the latency the attempt measured', async () => {
    const clock = createVirtualClock(0);
    const p = runAttempt('t', clock, 800, undefined, (signal) =>
      clock.sleep(25, signal).then(() => undefined),
    );
    await clock.advance(25);
    await expect(p).resolves.toEqual({ target: 't', ok: true, latencyMs: 25 });
    await expect(runAttempt('t', clock, 800, undefined, async () => 1.5)).resolves.toMatchObject({
      latencyMs: 1.5,
    });
    expect(clock.pendingTimers()).toBe(0);
  });

  it('times out at timeoutMs on the injected clock and aborts the attempt', async () => {
    const clock = createVirtualClock(0);
    let attemptSignal: AbortSignal | undefined;
    const p = runAttempt('t', clock, 800, undefined, (signal) => {
      attemptSignal = signal;
      return new Promise(() => {}); // never settles, even when aborted
    });
    await clock.advance(799);
    expect(attemptSignal?.aborted).toBe(false);
    await clock.advance(1);
    const result = await p;
    expect(result).toMatchObject({ ok: false, latencyMs: 800, error: { code: 'PROBE_TIMEOUT' } });
    expect(attemptSignal?.aborted).toBe(true);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('maps a failure through NetHealthError.from', async () => {
    const clock = createVirtualClock(0);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const result = await runAttempt('t', clock, 800, undefined, () => Promise.reject(refused));
    expect(result).toMatchObject({ ok: false, error: { code: 'PROBE_REFUSED' } });
    const sync = await runAttempt('t', clock, 800, undefined, () => {
      throw new NetHealthError('PROBE_WRONG_STATUS', 'expected 2xx, got 500');
    });
    expect(sync.error).toEqual({ code: 'PROBE_WRONG_STATUS', message: 'expected 2xx, got 500' });
    expect(clock.pendingTimers()).toBe(0);
  });

  it('rejects with ABORTED when the caller aborts, and removes its timer', async () => {
    const clock = createVirtualClock(0);
    const ac = new AbortController();
    const p = runAttempt('t', clock, 800, ac.signal, (signal) =>
      clock.sleep(500, signal).then(() => undefined),
    );
    await clock.advance(100);
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
    await clock.advance(1000);
    expect(clock.pendingTimers()).toBe(0);
    await expect(runAttempt('t', clock, 800, AbortSignal.abort(), async () => 1)).rejects.toMatchObject({
      code: 'ABORTED',
    });
  });

  it('does not report an abort it did not ask for as ABORTED (it is a failed probe)', async () => {
    const clock = createVirtualClock(0);
    const cancelled = Object.assign(new Error('queryA ECANCELLED'), { code: 'ECANCELLED' });
    const result = await runAttempt('t', clock, 800, undefined, () => Promise.reject(cancelled));
    expect(result.error?.code).toBe('PROBE_FAILED');
  });
});

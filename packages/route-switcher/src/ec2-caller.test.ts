import { createVirtualClock, type VirtualClock } from '@nat-ha/testkit';
import { describe, expect, it, vi } from 'vitest';
import { ec2Error } from '../test/support/fake-ec2';
import { settle } from '../test/support/virtual-time';
import { createEc2Caller, type Ec2CallerConfig } from './ec2-caller';
import type { RouteSwitcherError } from './errors';
import { silentLogger } from './logger';
import type { Ec2CallEvent } from './metrics';
import { createTokenBucket, type TokenBucket } from './token-bucket';

function setup(overrides: Partial<Ec2CallerConfig> = {}, bucket?: (clock: VirtualClock) => TokenBucket) {
  const clock = createVirtualClock();
  const events: Ec2CallEvent[] = [];
  const throttles: string[] = [];
  const b = bucket?.(clock) ?? createTokenBucket({ burst: 50, perSecond: 5 }, clock);
  const caller = createEc2Caller({
    clock,
    logger: silentLogger,
    metrics: { onEc2Call: (e) => events.push(e), onThrottle: (e) => throttles.push(e.action) },
    random: () => 0.999,
    bucketFor: () => b,
    maxAttempts: 5,
    backoffBaseMs: 50,
    throttleBackoffBaseMs: 250,
    backoffMaxMs: 5000,
    ...overrides,
  });
  return { clock, caller, events, throttles, bucket: b };
}

/** A fake `send` that answers from a script, stamping the virtual time of each attempt. */
function scripted(clock: VirtualClock, script: (() => Promise<unknown>)[]) {
  const at: number[] = [];
  const signals: AbortSignal[] = [];
  const send = vi.fn((abortSignal: AbortSignal) => {
    at.push(clock.now());
    signals.push(abortSignal);
    const next = script.shift();
    return next == null ? Promise.resolve('ok') : next();
  });
  return { send, at, signals };
}

const hang = (): Promise<never> => new Promise<never>(() => {});

describe('createEc2Caller: retries, backoff, hard timeouts, fencing', () => {
  it('retries RequestLimitExceeded with full-jitter backoff in virtual time and reports each attempt (§1.4)', async () => {
    const { clock, caller, events, throttles } = setup();
    const t0 = clock.now();
    const { send, at } = scripted(clock, [
      () => Promise.reject(ec2Error('RequestLimitExceeded', 503, 'Request limit exceeded.')),
      () => Promise.reject(ec2Error('RequestLimitExceeded', 503, 'Request limit exceeded.')),
    ]);
    const out = await settle(clock, caller.call('ReplaceRoute', send, { timeoutMs: 800 }));
    expect(out).toBe('ok');
    expect(send).toHaveBeenCalledTimes(3);
    // random() = 0.999: delays are just under 250 and 500 ms; the drained bucket adds its 200 ms pace.
    expect(at[1]! - t0).toBeGreaterThanOrEqual(249);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(499);
    expect(at[2]! - t0).toBeLessThan(250 + 500 + 50);
    expect(events.map((e) => [e.action, e.outcome, e.attempt])).toEqual([
      ['ReplaceRoute', 'throttled', 1],
      ['ReplaceRoute', 'throttled', 2],
      ['ReplaceRoute', 'ok', 3],
    ]);
    expect(events[0]!.ec2Code).toBe('RequestLimitExceeded');
    expect(throttles).toEqual(['ReplaceRoute', 'ReplaceRoute']);
  });

  it('empties the client bucket on a throttle, so the next call waits for a refill', async () => {
    const { clock, caller, bucket } = setup();
    const { send } = scripted(clock, [() => Promise.reject(ec2Error('RequestLimitExceeded', 503))]);
    await settle(clock, caller.call('ReplaceRoute', send, { timeoutMs: 800 }));
    expect(bucket.available()).toBeLessThan(1);
  });

  it('retries 5xx and socket errors with the transient base, and gives up after maxAttempts with a retryable code', async () => {
    const { clock, caller, events } = setup({ maxAttempts: 3 });
    const { send } = scripted(clock, [
      () => Promise.reject(ec2Error('InternalError', 500)),
      () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
      () => Promise.reject(ec2Error('Unavailable', 503)),
    ]);
    const err = await settle(clock, caller.call('DescribeRouteTables', send, { timeoutMs: 800 })).catch(
      (e: unknown) => e as RouteSwitcherError,
    );
    expect(send).toHaveBeenCalledTimes(3);
    expect((err as RouteSwitcherError).code).toBe('EC2_UNAVAILABLE');
    expect((err as RouteSwitcherError).retryable).toBe(true);
    expect(events.map((e) => e.outcome)).toEqual(['server_error', 'network_error', 'server_error']);
  });

  it('never retries a 4xx client error (§1.4)', async () => {
    const { clock, caller } = setup();
    const { send } = scripted(clock, [() => Promise.reject(ec2Error('InvalidParameterValue', 400))]);
    const err = (await settle(clock, caller.call('ReplaceRoute', send, { timeoutMs: 800 })).catch(
      (e: unknown) => e,
    )) as RouteSwitcherError;
    expect(send).toHaveBeenCalledTimes(1);
    expect(err.code).toBe('EC2_REQUEST_FAILED');
    expect(err.ec2Code).toBe('InvalidParameterValue');
  });

  it('enforces the hard per-call timeout on the injected clock even if send() ignores its abortSignal', async () => {
    const { clock, caller, events } = setup({ maxAttempts: 2 });
    const t0 = clock.now();
    const { send, at, signals } = scripted(clock, [hang]);
    const out = await settle(clock, caller.call('ReplaceRoute', send, { timeoutMs: 800 }));
    expect(out).toBe('ok');
    expect(signals[0]!.aborted).toBe(true);
    expect(at[1]! - t0).toBeGreaterThanOrEqual(800);
    expect(events[0]).toMatchObject({ outcome: 'timeout', latencyMs: 800 });
  });

  it('reports EC2_TIMEOUT (retryable) when every attempt hangs', async () => {
    const { clock, caller } = setup({ maxAttempts: 2 });
    const { send } = scripted(clock, [hang, hang]);
    const err = (await settle(clock, caller.call('ReplaceRoute', send, { timeoutMs: 500 })).catch(
      (e: unknown) => e,
    )) as RouteSwitcherError;
    expect(err.code).toBe('EC2_TIMEOUT');
    expect(err.retryable).toBe(true);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('an abort while waiting for a token sends nothing (waiting is not a write)', async () => {
    const { clock, caller } = setup({}, (c) => createTokenBucket({ burst: 1, perSecond: 1 }, c));
    const { send } = scripted(clock, []);
    await caller.call('ReplaceRoute', send, { timeoutMs: 800 });
    const ac = new AbortController();
    const p = caller.call('ReplaceRoute', send, { timeoutMs: 800, signal: ac.signal });
    await clock.advance(500);
    ac.abort(new Error('lease lost'));
    const err = (await p.catch((e: unknown) => e)) as RouteSwitcherError;
    await clock.advance(2000);
    expect(err.code).toBe('ABORTED');
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('an abort in flight aborts the SDK request and is never retried', async () => {
    const { clock, caller, events } = setup();
    const { send, signals } = scripted(clock, [hang]);
    const ac = new AbortController();
    const p = caller.call('ReplaceRoute', send, { timeoutMs: 800, signal: ac.signal });
    await clock.advance(100);
    ac.abort(new Error('lease lost'));
    const err = (await p.catch((e: unknown) => e)) as RouteSwitcherError;
    expect(err.code).toBe('ABORTED');
    expect((err.cause as Error).message).toBe('lease lost');
    expect(signals[0]!.aborted).toBe(true);
    await clock.advance(5000);
    expect(send).toHaveBeenCalledTimes(1);
    expect(events.map((e) => e.outcome)).toEqual(['aborted']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('an abort during backoff stops further attempts', async () => {
    const { clock, caller } = setup();
    const { send } = scripted(clock, [() => Promise.reject(ec2Error('RequestLimitExceeded', 503))]);
    const ac = new AbortController();
    const p = caller.call('ReplaceRoute', send, { timeoutMs: 800, signal: ac.signal });
    await clock.advance(10);
    ac.abort();
    const err = (await p.catch((e: unknown) => e)) as RouteSwitcherError;
    await clock.advance(5000);
    expect(err.code).toBe('ABORTED');
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('a throwing metrics hook cannot break a call', async () => {
    const { clock, caller } = setup({
      metrics: {
        onEc2Call: () => {
          throw new Error('registry full');
        },
      },
    });
    const { send } = scripted(clock, []);
    await expect(settle(clock, caller.call('ReplaceRoute', send, { timeoutMs: 800 }))).resolves.toBe('ok');
  });

  it('maps DryRun answers to verdicts (§2.10): DryRunOperation allowed, UnauthorizedOperation denied', async () => {
    const { clock, caller, events } = setup();
    const allowed = scripted(clock, [() => Promise.reject(ec2Error('DryRunOperation', 412))]);
    await expect(caller.dryRun('ReplaceRoute', allowed.send, { timeoutMs: 800 })).resolves.toEqual({
      verdict: 'allowed',
    });
    expect(events.at(-1)).toMatchObject({ outcome: 'dry_run_ok', dryRun: true });
    const denied = scripted(clock, [
      () =>
        Promise.reject(ec2Error('UnauthorizedOperation', 403, 'not authorized to perform: ec2:ReplaceRoute')),
    ]);
    await expect(caller.dryRun('ReplaceRoute', denied.send, { timeoutMs: 800 })).resolves.toEqual({
      verdict: 'denied',
      message: 'not authorized to perform: ec2:ReplaceRoute',
    });
    const other = scripted(clock, [() => Promise.reject(ec2Error('InvalidParameterValue', 400))]);
    const v = await caller.dryRun('CreateRoute', other.send, { timeoutMs: 800 });
    expect(v.verdict).toBe('inconclusive');
    // An endpoint that answers 200 to DryRun ignored it: never report that as "allowed".
    const ignored = scripted(clock, []);
    expect((await caller.dryRun('CreateRoute', ignored.send, { timeoutMs: 800 })).verdict).toBe(
      'inconclusive',
    );
  });
});

/**
 * Recovery from injected faults against the testkit emulator (rule 12: countable, deterministic
 * faults), with throttling on at the real limits. Each test asserts on the emulator's journal —
 * what EC2 received — not only on the claim's own report.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  createRouteSwitcher,
  type Ec2CallEvent,
  type ExecutedCall,
  type RouteSwitcherError,
  type RouteSwitcherOptions,
} from '../src/index';
import { defaultRouteTarget, routeWrites, startLab, type Lab } from './support/lab';

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

async function setup(tables: number, options: Partial<RouteSwitcherOptions> = {}) {
  lab = await startLab(tables, { throttling: true, latency: { describeMs: 10, mutateMs: 20 } });
  const events: Ec2CallEvent[] = [];
  const s = createRouteSwitcher({ ec2: lab.ec2, metrics: { onEc2Call: (e) => events.push(e) }, ...options });
  return { lab, s, events, target: { networkInterfaceId: lab.leader.eni } };
}

function expectAllOn(l: Lab, eni: string): void {
  expect(l.tables.map((t) => defaultRouteTarget(l.aws, t))).toEqual(l.tables.map(() => eni));
}

describe('claim recovers from injected EC2 faults (emulator)', () => {
  it('5xx on ReplaceRoute and DescribeRouteTables: retried with backoff, each route written once', async () => {
    const { lab, s, target } = await setup(5);
    lab.aws.control.injectFault({ action: 'DescribeRouteTables', count: 1, code: 'Unavailable' });
    lab.aws.control.injectFault({ action: 'ReplaceRoute', count: 2, code: 'InternalError' });
    const result = await s.claim({ tables: lab.tables, target });
    expect(result.ok).toBe(true);
    const writes = routeWrites(lab.aws.journal());
    expect(writes.filter((w) => w.outcome === 'InternalError')).toHaveLength(2);
    expect(routeWrites(lab.aws.journal(), 'ok')).toHaveLength(5);
    expect(
      lab.aws.calls().filter((c) => c.action === 'DescribeRouteTables' && c.outcome === 'Unavailable'),
    ).toHaveLength(1);
    expectAllOn(lab, lab.leader.eni);
  });

  it('RequestLimitExceeded (rule 11): retried with full-jitter backoff, reported to the throttle hook', async () => {
    const throttles: string[] = [];
    const { lab, s, target } = await setup(5, { metrics: { onThrottle: (e) => throttles.push(e.action) } });
    lab.aws.control.injectFault({ action: 'ReplaceRoute', count: 3, code: 'RequestLimitExceeded' });
    const result = await s.claim({ tables: lab.tables, target });
    expect(result.ok).toBe(true);
    expect(throttles).toEqual(['ReplaceRoute', 'ReplaceRoute', 'ReplaceRoute']);
    expect(routeWrites(lab.aws.journal(), 'RequestLimitExceeded')).toHaveLength(3);
    expect(routeWrites(lab.aws.journal(), 'ok')).toHaveLength(5);
  });

  it('a hung ReplaceRoute is cut at callTimeoutMs and retried; the claim completes', async () => {
    const { lab, s, events, target } = await setup(3);
    lab.aws.control.injectFault({ action: 'ReplaceRoute', count: 1, hang: true });
    const result = await s.claim({ tables: lab.tables, target, callTimeoutMs: 400 });
    expect(result.ok).toBe(true);
    const timeouts = events.filter((e) => e.outcome === 'timeout');
    expect(timeouts).toHaveLength(1);
    expect(timeouts[0]!.latencyMs).toBeGreaterThanOrEqual(400);
    expect(routeWrites(lab.aws.journal()).filter((w) => w.outcome === 'hung')).toHaveLength(1);
    expect(routeWrites(lab.aws.journal(), 'ok')).toHaveLength(3);
  });

  it('a hung DescribeRouteTables is cut at readTimeoutMs and retried', async () => {
    const { lab, s, target } = await setup(3, { readTimeoutMs: 400 });
    lab.aws.control.injectFault({ action: 'DescribeRouteTables', count: 1, hang: true });
    const result = await s.claim({ tables: lab.tables, target });
    expect(result.ok).toBe(true);
    expect(
      lab.aws.calls().filter((c) => c.action === 'DescribeRouteTables' && c.outcome === 'hung'),
    ).toHaveLength(1);
  });

  it('an answer lost after the write took effect: the retry is idempotent (rule 28), the route ends on the target', async () => {
    const { lab, s, target } = await setup(1);
    // Answered 600 ms late; the client gives up at 300 ms. EC2 still applies the first write.
    lab.aws.control.injectFault({ action: 'ReplaceRoute', count: 1, delayMs: 600 });
    const result = await s.claim({ tables: lab.tables, target, callTimeoutMs: 300 });
    expect(result.ok).toBe(true);
    await new Promise((r) => setTimeout(r, 700));
    const writes = routeWrites(lab.aws.journal());
    expect(writes.map((w) => w.outcome)).toEqual(['ok', 'ok']);
    expect(writes[0]!.clientGone).toBe(true);
    expectAllOn(lab, lab.leader.eni);
  });

  it('abort (lease lost) mid-claim: no write starts after the abort, and the claim rejects ABORTED at once', async () => {
    const { lab, s, target } = await setup(80);
    const ac = new AbortController();
    const claim = s.claim({ tables: lab.tables, target, signal: ac.signal });
    // Past the 50-write burst, while the bucket paces the rest at 5/s.
    await new Promise((r) => setTimeout(r, 1500));
    const abortedAt = Date.now();
    ac.abort(new Error('lease lost'));
    const err = (await claim.then(
      () => undefined,
      (e: unknown) => e,
    )) as RouteSwitcherError | undefined;
    const settledIn = Date.now() - abortedAt;
    expect(err).toMatchObject({ code: 'ABORTED' });
    expect(settledIn).toBeLessThan(1000);
    const sent = err!.details!.calls as ExecutedCall[];
    const sentAtAbort = sent.length;
    // Let any request that was already on the wire land (EC2 cannot be told to drop it).
    await new Promise((r) => setTimeout(r, 1000));
    expect(sent).toHaveLength(sentAtAbort); // nothing was sent after the claim gave up
    expect(sent.length).toBeGreaterThan(50);
    expect(sent.length).toBeLessThan(80);
    // Every write EC2 received is one the claim had sent before the abort; the rest never went out.
    const received = routeWrites(lab.aws.journal()).map((w) => w.params.RouteTableId);
    const sentTables = new Set(sent.map((c) => c.input.RouteTableId));
    expect(received.every((t) => sentTables.has(t))).toBe(true);
    expect(received.length).toBeLessThanOrEqual(sent.length);
    expect(received.length).toBeLessThan(80);
  });
});

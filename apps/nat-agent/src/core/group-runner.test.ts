import { createVirtualClock, type VirtualClock } from '@nat-ha/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createFakeElection,
  createFakeRoutes,
  createMemoryLogger,
  createMemoryMetrics,
  type FakeElection,
  type FakeRoutes,
} from '../../test/fakes';
import type { GroupFacts } from './group-machine';
import { createGroupRunner, groupSettings, type GroupRunner } from './group-runner';

interface Harness {
  clock: VirtualClock;
  election: FakeElection;
  routes: FakeRoutes;
  runner: GroupRunner;
  logger: ReturnType<typeof createMemoryLogger>;
  metrics: ReturnType<typeof createMemoryMetrics>;
}

const open: GroupRunner[] = [];
afterEach(() => {
  for (const r of open.splice(0)) r.close();
});

function harness(
  opts: {
    role?: 'primary' | 'rescue';
    fallback?: boolean;
    facts?: Partial<GroupFacts>;
    tables?: string[];
  } = {},
): Harness {
  const clock = createVirtualClock();
  const election = createFakeElection();
  const routes = createFakeRoutes(clock, {
    self: 'eni-self',
    fallback: 'nat-0fallback',
    ...(opts.tables === undefined ? {} : { tables: opts.tables }),
  });
  const logger = createMemoryLogger();
  const metrics = createMemoryMetrics();
  const runner = createGroupRunner({
    name: 'az-a',
    key: 'nat-ha/groups/az-a/leader',
    settings: groupSettings({
      role: opts.role ?? 'primary',
      ...(opts.fallback === true ? { fallback: { holdDownMs: 5_000 } } : {}),
      rescueAfterMs: 10_000,
      handBackAfterMs: 30_000,
      reconcileIntervalMs: 30_000,
    }),
    election,
    routes,
    clock,
    logger,
    metrics,
    initialFacts: {
      health: 'healthy',
      ready: true,
      candidatesKnown: true,
      holder: 'none',
      ...opts.facts,
    },
  });
  open.push(runner);
  return { clock, election, routes, runner, logger, metrics };
}

describe('group runner', () => {
  it('contends, claims inside the lease, serves, and reconciles on the interval (virtual time)', async () => {
    const h = harness();
    h.runner.dispatch({ type: 'start' });
    expect(h.election.contending).toBe(true);
    h.election.grant();
    expect(h.runner.snapshot().state).toBe('leader.claiming');
    await h.clock.advance(200);
    expect(h.routes.writes).toEqual([
      ['rtb-1', 'eni-self'],
      ['rtb-2', 'eni-self'],
    ]);
    expect(h.runner.snapshot().state).toBe('leader.serving');
    expect(h.logger.names()).toEqual(expect.arrayContaining(['elected', 'claim_started', 'routes_claimed']));
    const claimed = h.logger.events.find((e) => e.event === 'routes_claimed')!;
    expect(claimed.fields).toMatchObject({ group: 'az-a', changed: 2, movedFromOther: 2, durationMs: 100 });
    expect(h.metrics.last('takeover')).toEqual(['az-a']);
    expect(h.metrics.last('leader')).toEqual(['az-a', 'primary', true]);

    // Someone else rewrites a route; the reconcile 30 s later repairs it.
    h.routes.table.set('rtb-2', 'eni-intruder');
    await h.clock.advance(29_000);
    expect(h.routes.calls).toEqual(['claim']);
    await h.clock.advance(1_100);
    expect(h.routes.calls).toEqual(['claim', 'reconcile']);
    expect(h.routes.table.get('rtb-2')).toBe('eni-self');
    expect(h.logger.names()).toContain('reconcile_drift');
    expect(h.metrics.last('routeDrift')).toEqual(['az-a', 1]);
  });

  it('deposed while claiming: the lease signal aborts the claim and no further route is written', async () => {
    const h = harness({ tables: ['rtb-1', 'rtb-2', 'rtb-3', 'rtb-4'] });
    h.runner.dispatch({ type: 'start' });
    h.election.grant();
    await h.clock.advance(120); // two of four writes done
    expect(h.routes.writes).toHaveLength(2);
    h.election.depose('session invalidated');
    expect(h.election.leases[0]!.aborted).toBe(true);
    await h.clock.advance(10_000);
    expect(h.routes.writes).toHaveLength(2);
    expect(h.runner.snapshot().state).toBe('follower.contending');
    expect(h.metrics.last('failover')).toEqual(['az-a', 'deposed']);
    expect(h.logger.names()).not.toContain('routes_claimed');
  });

  it('a resign cuts the claim through the signal given to withLease, so the election sees the cut', async () => {
    const h = harness({ tables: ['rtb-1', 'rtb-2', 'rtb-3'] });
    h.runner.dispatch({ type: 'start' });
    h.election.grant();
    await h.clock.advance(70); // the second write is on the wire
    const caller = h.election.callerSignals[0];
    expect(caller, 'the runner hands withLease its own signal').toBeDefined();
    expect(caller!.aborted).toBe(false);
    let cutBeforeRelease: boolean | undefined;
    const originalResign = h.election.resign.bind(h.election);
    h.election.resign = async () => {
      cutBeforeRelease = caller!.aborted;
      return originalResign();
    };
    h.runner.dispatch({ type: 'facts', facts: { health: 'unhealthy', healthyCandidate: true } });
    expect(caller!.aborted).toBe(true);
    await h.clock.advance(1_000);
    expect(cutBeforeRelease).toBe(true);
  });

  it('resigning waits for the write already sent to land before releasing the lock', async () => {
    const h = harness({ tables: ['rtb-1', 'rtb-2', 'rtb-3'] });
    h.routes.uninterruptibleWrites = true;
    h.runner.dispatch({ type: 'start' });
    h.election.grant();
    await h.clock.advance(70); // first write landed, second on the wire
    let writesAtRelease = -1;
    const originalResign = h.election.resign.bind(h.election);
    h.election.resign = async () => {
      writesAtRelease = h.routes.writes.length;
      return originalResign();
    };
    h.runner.dispatch({ type: 'facts', facts: { health: 'unhealthy', healthyCandidate: true } });
    expect(h.election.resignCount).toBe(0);
    await h.clock.advance(100);
    await h.runner.idle();
    // The release came after the in-flight write, and no third write was started.
    expect(writesAtRelease).toBe(2);
    expect(h.routes.writes).toHaveLength(2);
    expect(h.runner.snapshot().state).toBe('follower.standing-by');
    expect(h.logger.events.find((e) => e.event === 'resigned')?.fields).toMatchObject({
      reason: 'health_lost',
    });
  });

  it('a rescue contends only after rescueAfterMs without a leader, measured on the clock', async () => {
    const h = harness({ role: 'rescue', facts: { holder: 'other' } });
    h.runner.dispatch({ type: 'start' });
    expect(h.runner.snapshot().state).toBe('follower.rescue-waiting');
    h.election.setHolder({ holder: 'none' });
    await h.clock.advance(9_999);
    expect(h.election.contending).toBe(false);
    await h.clock.advance(1);
    expect(h.election.contending).toBe(true);
    expect(h.runner.snapshot().state).toBe('follower.contending');
  });

  it('fallback engages after the hold-down and the fallback holder is the only writer', async () => {
    const h = harness({ fallback: true });
    h.runner.dispatch({ type: 'start' });
    h.election.grant();
    await h.clock.advance(200);
    h.runner.dispatch({ type: 'facts', facts: { health: 'unhealthy' } });
    await h.clock.advance(4_999);
    expect(h.routes.calls).toEqual(['claim']);
    await h.clock.advance(200);
    expect(h.routes.calls).toEqual(['claim', 'engageFallback']);
    expect([...h.routes.table.values()]).toEqual(['nat-0fallback', 'nat-0fallback']);
    expect(h.runner.snapshot()).toMatchObject({ state: 'leader.fallback', fallbackActive: true });
    expect(h.metrics.last('fallbackActive')).toEqual(['az-a', true]);
    expect(h.logger.events.find((e) => e.event === 'fallback_engaged')?.level).toBe('warn');
  });

  it('close clears its timers', async () => {
    const h = harness({ role: 'rescue' });
    h.runner.dispatch({ type: 'start' });
    expect(h.clock.pendingTimers()).toBe(1);
    h.runner.close();
    expect(h.clock.pendingTimers()).toBe(0);
  });

  it('records the last failover with the time from key-free to routes verified', async () => {
    const h = harness({ facts: { holder: 'other' } });
    h.runner.dispatch({ type: 'start' });
    h.election.setHolder({ holder: 'none' });
    await h.clock.advance(1_500); // lock-delay
    h.election.grant();
    await h.clock.advance(200);
    expect(h.runner.snapshot().lastFailover).toMatchObject({
      direction: 'acquired',
      claimMs: 100,
      sinceKeyFreeMs: 1_600,
      movedFromOther: 2,
    });
  });
});

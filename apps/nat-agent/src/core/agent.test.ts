import { createVirtualClock, type VirtualClock } from '@nat-ha/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  candidate,
  createFakeCandidates,
  createFakeDataplane,
  createFakeElection,
  createFakeHealth,
  createFakeInterruptions,
  createFakeLifecycle,
  createFakePreflight,
  createFakePresence,
  createFakeRoutes,
  createMemoryLogger,
  createMemoryMetrics,
  type FakeElection,
  type FakeRoutes,
} from '../../test/fakes';
import { resolveGroups } from '../config/resolve-groups';
import { configSchema } from '../config/schema';
import type { InstanceIdentity } from '../ports';
import { createAgent, type Agent } from './agent';

const identity: InstanceIdentity = {
  instanceId: 'i-self',
  region: 'us-east-1',
  az: 'us-east-1a',
  vpcId: 'vpc-1',
  subnetId: 'subnet-1',
  privateIp: '10.0.0.10',
  networkInterfaceId: 'eni-self',
  mac: '0e:00:00:00:00:01',
  vpcCidrs: ['10.0.0.0/16'],
};

const agents: Agent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
});

function setup(raw: { groups?: unknown[]; [k: string]: unknown } = {}) {
  const clock: VirtualClock = createVirtualClock();
  const config = configSchema.parse({
    groups: [{ name: 'az-a', az: 'us-east-1a', routeTables: { ids: ['rtb-0123456789abcdef0'] } }],
    ...raw,
  });
  const groups = resolveGroups(config, identity.az);
  const elections = new Map<string, FakeElection>();
  const routes = new Map<string, FakeRoutes>();
  const fakes = {
    clock,
    config,
    logger: createMemoryLogger(),
    metrics: createMemoryMetrics(),
    health: createFakeHealth(clock, 'healthy'),
    candidates: createFakeCandidates(),
    presence: createFakePresence(),
    preflight: createFakePreflight(),
    dataplane: createFakeDataplane(clock, true),
    interruptions: createFakeInterruptions(),
    lifecycle: createFakeLifecycle(),
    elections,
    routes,
  };
  const agent = createAgent({
    config,
    identity,
    groups,
    version: 'test',
    clock,
    logger: fakes.logger,
    metrics: fakes.metrics,
    health: fakes.health,
    candidates: fakes.candidates,
    presence: fakes.presence,
    preflight: fakes.preflight,
    dataplane: fakes.dataplane,
    interruptions: fakes.interruptions,
    lifecycle: fakes.lifecycle,
    election: (g) => {
      const e = createFakeElection(g.key);
      elections.set(g.name, e);
      return e;
    },
    routes: (g) => {
      const r = createFakeRoutes(clock, { self: 'eni-self', fallback: 'nat-0fallback' });
      routes.set(g.name, r);
      return r;
    },
  });
  agents.push(agent);
  return {
    agent,
    ...fakes,
    election: (g = 'az-a') => elections.get(g)!,
    route: (g = 'az-a') => routes.get(g)!,
  };
}

/** Starts the agent and makes it the serving leader of az-a. */
async function leading(raw = {}) {
  const t = setup(raw);
  t.candidates.set([]);
  await t.agent.start();
  t.election().grant();
  await t.clock.advance(500);
  expect(t.agent.status().groups[0]!.state).toBe('leader.serving');
  return t;
}

describe('agent start-up', () => {
  it('checks the data plane, source/dest check and IAM before registering in Consul, then contends', async () => {
    const t = setup();
    t.candidates.set([]);
    await t.agent.start();
    const order = t.logger
      .names()
      .filter((n) =>
        [
          'agent_starting',
          'dataplane_checked',
          'source_dest_check',
          'iam_self_test',
          'consul_registered',
          'contending',
          'agent_ready',
        ].includes(n),
      );
    expect(order).toEqual([
      'agent_starting',
      'dataplane_checked',
      'source_dest_check',
      'iam_self_test',
      'consul_registered',
      'contending',
      'agent_ready',
    ]);
    expect(t.election().contending).toBe(true);
    expect(t.agent.reportedHealth()).toMatchObject({ status: 'healthy', httpStatus: 200 });
  });

  it('a broken data plane: never contends, and status, metrics, logs and /health say why', async () => {
    const t = setup();
    t.dataplane.ok = false;
    await t.agent.start();
    expect(t.election().contending).toBe(false);
    const status = t.agent.status();
    expect(status.ready.ok).toBe(false);
    expect(status.ready.reasons).toEqual(['data plane: net.ipv4.ip_forward is 0']);
    expect(status.groups[0]!.state).toBe('follower.standing-by');
    expect(t.metrics.last('ready')).toEqual([false]);
    expect(t.metrics.last('dataplaneOk')).toEqual([false]);
    const logged = t.logger.events.find((e) => e.event === 'dataplane_checked')!;
    expect(logged.level).toBe('error');
    expect(logged.fields.reason).toBe('net.ipv4.ip_forward is 0');
    expect(t.agent.reportedHealth()).toMatchObject({
      httpStatus: 503,
      reasons: ['data plane: net.ipv4.ip_forward is 0'],
    });
  });

  it('an IAM self-test failure keeps the agent out until a re-check passes', async () => {
    const t = setup();
    t.preflight.iam = { ok: false, reason: 'UnauthorizedOperation: ec2:ReplaceRoute on rtb-1' };
    await t.agent.start();
    expect(t.election().contending).toBe(false);
    expect(t.agent.status().ready.reasons).toEqual(['IAM: UnauthorizedOperation: ec2:ReplaceRoute on rtb-1']);
    t.preflight.iam = { ok: true };
    await t.clock.advance(t.config.reconcile.intervalMs);
    expect(t.election().contending).toBe(true);
    expect(t.preflight.calls.filter((c) => c === 'iamSelfTest')).toHaveLength(2);
    // A passing check is not repeated.
    expect(t.preflight.calls.filter((c) => c === 'sourceDestCheck')).toHaveLength(1);
  });

  it('a transient start-up failure (EC2 5xx) is re-checked on a 1 s, 2 s, 4 s … backoff, not after a whole reconcile interval', async () => {
    const t = setup();
    t.preflight.sdc = { ok: false, reason: 'EC2_UNAVAILABLE: InternalError', retryable: true };
    await t.agent.start();
    expect(t.election().contending).toBe(false);
    const sdcCalls = () => t.preflight.calls.filter((c) => c === 'sourceDestCheck').length;
    expect(sdcCalls()).toBe(1);
    await t.clock.advance(1_000);
    expect(sdcCalls()).toBe(2);
    await t.clock.advance(1_999);
    expect(sdcCalls()).toBe(2);
    await t.clock.advance(1);
    expect(sdcCalls()).toBe(3);
    // EC2 is back: the next re-check (4 s later) makes the agent ready and it contends.
    t.preflight.sdc = { ok: true };
    await t.clock.advance(4_000);
    expect(sdcCalls()).toBe(4);
    expect(t.election().contending).toBe(true);
  });

  it('a non-retryable start-up failure (IAM denial) keeps the reconcile cadence', async () => {
    const t = setup();
    t.preflight.iam = { ok: false, reason: 'denied: ec2:ReplaceRoute on rtb-1', retryable: false };
    await t.agent.start();
    await t.clock.advance(t.config.reconcile.intervalMs - 1);
    expect(t.preflight.calls.filter((c) => c === 'iamSelfTest')).toHaveLength(1);
    await t.clock.advance(1);
    expect(t.preflight.calls.filter((c) => c === 'iamSelfTest')).toHaveLength(2);
  });

  it('a data plane that breaks later makes a leader with a healthy candidate resign', async () => {
    const t = await leading();
    t.candidates.set([candidate('i-other', { 'az-a': 'primary' })]);
    t.dataplane.ok = false;
    await t.clock.advance(t.config.reconcile.intervalMs);
    await t.clock.advance(10);
    expect(t.election().resignCount).toBe(1);
    expect(t.logger.events.find((e) => e.event === 'resigned')?.fields).toMatchObject({
      reason: 'not_ready',
    });
  });
});

describe('agent health report', () => {
  it('a leader losing its path reports unhealthy only after it has finished resigning', async () => {
    const t = await leading();
    t.candidates.set([candidate('i-other', { 'az-a': 'primary' })]);
    let release!: () => void;
    t.election().resignGate = new Promise((r) => (release = r));
    t.health.set('unhealthy');
    await t.clock.advance(10);
    try {
      expect(t.agent.status().groups[0]!.state).toBe('leader.resigning');
      expect(t.agent.reportedHealth().status).toBe('healthy');
    } finally {
      release();
    }
    await t.clock.advance(10);
    expect(t.agent.status().groups[0]!.state).toBe('follower.standing-by');
    expect(t.agent.reportedHealth()).toMatchObject({ status: 'unhealthy', httpStatus: 503 });
    const names = t.logger.names();
    expect(names.indexOf('resigned')).toBeLessThan(names.lastIndexOf('health_reported'));
  });

  it('a follower reports degraded as 429', async () => {
    const t = setup();
    t.candidates.set([]);
    await t.agent.start();
    t.health.set('degraded');
    expect(t.agent.reportedHealth()).toMatchObject({ status: 'degraded', httpStatus: 429 });
  });

  it('candidates are other instances of the same group only', async () => {
    const t = await leading();
    // Itself and an instance of another group do not count: the unhealthy leader stays.
    t.candidates.set([candidate('i-self', { 'az-a': 'primary' }), candidate('i-b', { 'az-b': 'primary' })]);
    t.health.set('unhealthy');
    await t.clock.advance(10);
    expect(t.election().resignCount).toBe(0);
    expect(t.agent.status().groups[0]!.state).toBe('leader.serving');
  });
});

describe('agent drain', () => {
  it('SIGTERM as leader: resigns at once, waits for the successor to hold the key, stops', async () => {
    const t = await leading();
    t.candidates.set([candidate('i-other', { 'az-a': 'primary' })]);
    const drained = t.agent.drain('signal', 'SIGTERM');
    await t.clock.advance(1);
    expect(t.election().resignCount).toBe(1);
    expect(t.presence.stopped).toBe(0); // still waiting for the successor
    t.election().setHolder({ holder: 'other', session: 'succ-session' });
    await t.clock.advance(1);
    await drained;
    expect(t.presence.stopped).toBe(1);
    const done = t.logger.events.find((e) => e.event === 'drain_completed')!;
    expect(done.fields).toMatchObject({ reason: 'signal', successors: { 'az-a': 'succ-session' } });
    expect(t.metrics.last('failover')).toEqual(['az-a', 'drain']);
    expect(t.agent.reportedHealth().status).toBe('unhealthy');
  });

  it('waits for a successor at most drain.successorWaitMs', async () => {
    const t = await leading({ drain: { successorWaitMs: 4_000 } });
    t.candidates.set([candidate('i-other', { 'az-a': 'primary' })]);
    let done = false;
    const drained = t.agent.drain('signal').then(() => (done = true));
    await t.clock.advance(3_900);
    expect(done).toBe(false);
    await t.clock.advance(200);
    await drained;
    expect(t.logger.events.find((e) => e.event === 'drain_successor')).toMatchObject({
      level: 'warn',
      fields: { successorSession: null },
    });
  });

  it('with no candidate and a fallback, points routes at the fallback before leaving', async () => {
    const t = await leading({
      groups: [
        {
          name: 'az-a',
          routeTables: { ids: ['rtb-0123456789abcdef0'] },
          fallback: { natGatewayId: 'nat-0123456789abcdef0' },
        },
      ],
    });
    const drained = t.agent.drain('spot', 'terminate');
    await t.clock.advance(1_000);
    await drained;
    expect([...t.route().table.values()]).toEqual(['nat-0fallback', 'nat-0fallback']);
    const names = t.logger.names();
    expect(names.indexOf('fallback_engaged')).toBeLessThan(names.indexOf('resigned'));
    expect(t.election().resignCount).toBe(1);
  });

  it('a follower drains without waiting', async () => {
    const t = setup();
    t.candidates.set([candidate('i-other', { 'az-a': 'primary' })]);
    await t.agent.start();
    await t.agent.drain('signal');
    expect(t.election().contending).toBe(false);
    expect(t.presence.stopped).toBe(1);
  });

  it('ASG lifecycle Terminated: drains, and completes the action only after the successor holds the routes', async () => {
    const t = await leading();
    t.candidates.set([candidate('i-other', { 'az-a': 'primary' })]);
    t.interruptions.emit({ kind: 'lifecycle', targetState: 'Terminated' });
    // Fractional, as on the monotonic production clock (AbortSignal.timeout rejects fractions).
    await t.clock.advance(1.25);
    expect(t.agent.isDraining()).toBe(true);
    t.election().setHolder({ holder: 'other', session: 'succ' });
    await t.clock.advance(600);
    expect(t.lifecycle.completed).toHaveLength(0); // routes still point here
    for (const id of t.route().table.keys()) t.route().table.set(id, 'eni-successor');
    await t.clock.advance(600);
    await t.agent.finished;
    expect(t.lifecycle.completed).toHaveLength(1);
    const names = t.logger.names();
    expect(names.indexOf('drain_successor')).toBeLessThan(names.indexOf('lifecycle_completed'));
    expect(names.indexOf('lifecycle_completed')).toBeLessThan(names.indexOf('drain_completed'));
  });

  it('a spot instance-action drains and resolves `finished`', async () => {
    const t = await leading();
    t.interruptions.emit({ kind: 'spot', action: 'terminate', deadline: t.clock.now() + 120_000 });
    await t.clock.advance(100);
    await t.agent.finished;
    expect(t.metrics.last('interruption')).toEqual(['spot']);
    expect(t.logger.events.find((e) => e.event === 'drain_started')?.fields).toMatchObject({
      reason: 'spot',
      detail: 'terminate',
      leaderOf: ['az-a'],
    });
  });

  it('a rebalance recommendation is only logged unless drainOnRebalance is set', async () => {
    const t = await leading();
    t.interruptions.emit({ kind: 'rebalance' });
    expect(t.agent.isDraining()).toBe(false);
    expect(t.logger.events.find((e) => e.event === 'interruption_notice')?.fields.action).toMatch(/logged/);
    const u = await leading({ interruptions: { drainOnRebalance: true } });
    u.interruptions.emit({ kind: 'rebalance' });
    expect(u.agent.isDraining()).toBe(true);
  });

  it('a scheduled retirement drains maintenanceLeadMs before it, not when it is announced', async () => {
    const t = await leading({ interruptions: { maintenanceLeadMs: 60_000 } });
    t.interruptions.emit({
      kind: 'maintenance',
      code: 'instance-retirement',
      notBefore: t.clock.now() + 3_600_000,
    });
    await t.clock.advance(3_600_000 - 60_001);
    expect(t.agent.isDraining()).toBe(false);
    await t.clock.advance(2);
    expect(t.agent.isDraining()).toBe(true);
  });

  it('a system-reboot maintenance event is only logged', async () => {
    const t = await leading();
    t.interruptions.emit({ kind: 'maintenance', code: 'system-reboot', notBefore: t.clock.now() });
    expect(t.agent.isDraining()).toBe(false);
  });

  it('a second drain request returns the same drain', async () => {
    const t = await leading();
    const a = t.agent.drain('signal');
    const b = t.agent.drain('spot');
    expect(a).toBe(b);
    await t.clock.advance(100);
    await a;
  });
});

/**
 * The Consul adapters (presence, election, candidates, cluster view) against the testkit Consul
 * emulator: one agent endpoint per node, HTTP checks run by the emulator against our real HTTP server.
 */
import { createConsulClient, LOCK_FLAG_VALUE, type ConsulClient } from '@nat-ha/consul-lock';
import { startConsul, type ConsulEmulator } from '@nat-ha/testkit';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createConsulCandidates } from '../src/adapters/consul-candidates';
import { createConsulClusterView } from '../src/adapters/consul-cluster-view';
import { createConsulElection } from '../src/adapters/consul-election';
import { createConsulPresence, type ConsulPresenceHandle } from '../src/adapters/consul-presence';
import type { ResolvedGroup } from '../src/config/resolve-groups';
import { createNodeClock } from '../src/core/node-clock';
import type { ReportedHealth } from '../src/core/health-report';
import { startAgentHttpServer, type AgentHttpServer } from '../src/http/agent-http-server';
import type { Candidate, ElectionEvent, GroupElection, InstanceIdentity } from '../src/ports';
import { createMemoryLogger, createMemoryMetrics } from './fakes';

const clock = createNodeClock();
let consul: ConsulEmulator;
const NODES = ['node-a', 'node-b'];
beforeAll(async () => {
  consul = await startConsul({ nodes: NODES }, AbortSignal.timeout(10_000));
});
afterAll(async () => {
  await consul.close();
});

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const until = async (predicate: () => boolean, what: string, timeoutMs = 15_000) => {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

const group = (name: string, role: 'primary' | 'rescue'): ResolvedGroup =>
  ({
    name,
    key: `test/${name}/leader`,
    role,
    configuredRole: role,
    routeTables: { ids: ['rtb-0123456789abcdef0'] },
  }) as unknown as ResolvedGroup;

function identity(n: string): InstanceIdentity {
  return {
    instanceId: `i-${n}`,
    region: 'us-east-1',
    az: `us-east-1${n}`,
    vpcId: 'vpc-1',
    subnetId: 'subnet-1',
    privateIp: '10.0.0.1',
    networkInterfaceId: `eni-${n}`,
    mac: '0e:00:00:00:00:01',
    vpcCidrs: ['10.0.0.0/16'],
  };
}

interface Agentish {
  client: ConsulClient;
  http: AgentHttpServer;
  presence: ConsulPresenceHandle;
  logger: ReturnType<typeof createMemoryLogger>;
  metrics: ReturnType<typeof createMemoryMetrics>;
  setHealth(h: ReportedHealth['status']): void;
}

const NAT_HA_LOCK = { lockDelayMs: 1_500, sessionTtlMs: 10_000, sessionOnLiveness: true };

async function agent(
  node: string,
  letter: string,
  groups: ResolvedGroup[],
  lock: { lockDelayMs: number; sessionTtlMs: number; sessionOnLiveness: boolean } = NAT_HA_LOCK,
): Promise<Agentish> {
  let health: ReportedHealth = { status: 'healthy', httpStatus: 200, reasons: [] };
  const http = await startAgentHttpServer({
    host: '127.0.0.1',
    port: 0,
    sources: {
      live: () => ({ live: true, stallMs: 0 }),
      health: () => health,
      status: () => ({}),
      metrics: async () => ({ contentType: 'text/plain', body: '' }),
    },
  });
  const client = createConsulClient({ baseUrl: consul.agentUrl(node) });
  const logger = createMemoryLogger();
  const metrics = createMemoryMetrics();
  const presence = createConsulPresence({
    consul: client,
    serviceName: 'nat-ha',
    identity: identity(letter),
    groups,
    httpUrl: http.url,
    checkIntervalMs: 1_000,
    checkTimeoutMs: 500,
    lock,
    requestTimeoutMs: 5_000,
    clock,
    logger,
    metrics,
  });
  await presence.start(AbortSignal.timeout(10_000));
  cleanup.push(async () => {
    await presence.stop();
    await http.close();
    await client.close();
  });
  return {
    client,
    http,
    presence,
    logger,
    metrics,
    setHealth(status) {
      health = {
        status,
        httpStatus: status === 'healthy' ? 200 : status === 'degraded' ? 429 : 503,
        reasons: [],
      };
    },
  };
}

function election(a: Agentish, g: ResolvedGroup): GroupElection & { events: ElectionEvent[] } {
  const e = createConsulElection({
    consul: a.client,
    group: g.name,
    key: g.key,
    value: '{}',
    session: a.presence.session(),
    lockDelayMs: 1_500,
    requestTimeoutMs: 5_000,
    clock,
    logger: createMemoryLogger(),
    metrics: createMemoryMetrics(),
  });
  const events: ElectionEvent[] = [];
  e.subscribe((ev) => events.push(ev));
  cleanup.push(() => e.close());
  return Object.assign(e, { events });
}

describe('Consul adapters against the emulator', () => {
  it('registers one service with the liveness and path checks and one session tied to serfHealth + liveness', async () => {
    const a = await agent('node-a', 'a', [group('az-a', 'primary'), group('az-b', 'rescue')]);
    const d = a.presence.describe();
    expect(d).toMatchObject({ serviceId: 'nat-ha', registered: true });
    expect(d.session).toMatch(/^[0-9a-f-]{36}$/);
    const { session } = await a.client.session.info(d.session!);
    expect(session?.nodeChecks).toEqual(['serfHealth']);
    expect(session?.serviceChecks).toEqual(['nat-ha:live']);
    const res = await a.client.request({ method: 'GET', path: '/v1/health/service/nat-ha' });
    const [entry] = JSON.parse(res.text) as Array<{
      Service: { Meta: Record<string, string> };
      Checks: Array<{ CheckID: string }>;
    }>;
    expect(entry!.Service.Meta).toMatchObject({
      instance_id: 'i-a',
      availability_zone: 'us-east-1a',
      'group-az-a': 'primary',
      'group-az-b': 'rescue',
    });
    expect(entry!.Checks.map((c) => c.CheckID).sort()).toEqual([
      'nat-ha:health',
      'nat-ha:live',
      'serfHealth',
    ]);
  });

  it('the consul-defaults baseline profile ties the session to serfHealth only, with api/lock.go’s TTL and lock-delay (§5.1)', async () => {
    const a = await agent('node-a', 'a', [group('az-a', 'primary')], {
      lockDelayMs: 15_000,
      sessionTtlMs: 15_000,
      sessionOnLiveness: false,
    });
    const { session } = await a.client.session.info(a.presence.describe().session!);
    expect(session?.nodeChecks).toEqual(['serfHealth']);
    expect(session?.serviceChecks ?? []).toEqual([]);
    expect(session?.ttl).toBe('15000ms');
    expect(session?.lockDelayMs).toBe(15_000);
  });
  it('a restarted agent destroys the session its dead predecessor left on this node, so the lock frees at once, not after 2×TTL (§2.6, §2.7)', async () => {
    // The crashed process's session, still holding the group's lock: same name, same node.
    const raw = createConsulClient({ baseUrl: consul.agentUrl('node-a') });
    cleanup.push(() => raw.close());
    const orphan = await raw.session.create({ name: 'nat-ha i-a', ttlMs: 60_000, lockDelayMs: 0 });
    expect(await raw.kv.acquire('test/orphan/leader', orphan, '{}')).toBe(true);
    // Not ours: another name on this node, and our name on another node.
    const other = await raw.session.create({ name: 'vault lock', ttlMs: 60_000 });
    const rawB = createConsulClient({ baseUrl: consul.agentUrl('node-b') });
    cleanup.push(() => rawB.close());
    const elsewhere = await rawB.session.create({ name: 'nat-ha i-a', ttlMs: 60_000 });

    const a = await agent('node-a', 'a', [group('orphan', 'primary')]);
    const events = a.logger.events.filter((e) => e.event === 'orphan_session_destroyed');
    expect(events.map((e) => e.fields)).toEqual([
      expect.objectContaining({ session: orphan, node: 'node-a' }),
    ]);
    expect(a.metrics.calls.filter((c) => c[0] === 'orphanSessionDestroyed')).toHaveLength(1);
    expect((await raw.session.info(orphan)).session).toBeUndefined();
    expect((await raw.kv.get('test/orphan/leader')).entry?.session).toBeUndefined();
    expect((await raw.session.info(other)).session?.name).toBe('vault lock');
    expect((await raw.session.info(elsewhere)).session?.node).toBe('node-b');
    // Its own new session is not an orphan.
    expect((await raw.session.info(a.presence.describe().session!)).session?.name).toBe('nat-ha i-a');
    await raw.session.destroy(other);
    await rawB.session.destroy(elsewhere);
  });

  it('a holder that dies while Consul has no leader and restarts before one returns does not keep the lock for 2×TTL (chaos seed 13)', async () => {
    const g = group('crash-restart', 'primary');
    const b = await agent('node-b', 'b', [g]);
    // The first nat-agent process on node-a, as Consul sees it: service + liveness check on its HTTP
    // server, a session tied to the check, holding the lock. It never renews again once "killed".
    const first = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => first.listen(0, '127.0.0.1', r));
    const firstUrl = `http://127.0.0.1:${(first.address() as AddressInfo).port}`;
    const raw = createConsulClient({ baseUrl: consul.agentUrl('node-a') });
    cleanup.push(() => raw.close());
    await raw.agent.registerService({
      name: 'nat-ha',
      id: 'nat-ha',
      checks: [
        {
          id: 'nat-ha:live',
          name: 'live',
          http: `${firstUrl}/health/live`,
          intervalMs: 1_000,
          timeoutMs: 500,
          status: 'passing',
        },
      ],
    });
    const dead = await raw.session.create({
      name: 'nat-ha i-a',
      ttlMs: 10_000,
      lockDelayMs: 1_500,
      nodeChecks: ['serfHealth'],
      serviceChecks: ['nat-ha:live'],
    });
    expect(await raw.kv.acquire(g.key, dead, '{}', { flags: LOCK_FLAG_VALUE })).toBe(true);
    const eb = election(b, g);
    eb.contend();
    await until(
      () => eb.events.some((e) => e.type === 'holder' && e.view.holder === 'other'),
      'b sees the holder',
    );

    // Consul loses its leader; the process dies. Its check goes critical on node-a's agent, but
    // nothing can commit that, so the session lives on.
    consul.loseLeader();
    await new Promise<void>((r) => first.close(() => r()));
    await new Promise((r) => setTimeout(r, 2_500));
    // The restarted process registers again (its check passes on the new server) while the
    // leader is still away; the leader returns a moment later.
    const restore = setTimeout(() => consul.restoreLeader(), 1_000);
    cleanup.push(() => clearTimeout(restore));
    const a = await agent('node-a', 'a', [g]);
    expect(
      a.logger.events.filter((e) => e.event === 'orphan_session_destroyed').map((e) => e.fields.session),
    ).toEqual([dead]);
    // b takes the group after the lock-delay — not 2×TTL (20 s) after the leader's return.
    await until(() => eb.events.some((e) => e.type === 'elected'), 'b elected', 8_000);
  });

  it('follows the passing candidates with blocking queries as path health changes', async () => {
    const a = await agent('node-a', 'a', [group('az-a', 'primary')]);
    const b = await agent('node-b', 'b', [group('az-a', 'rescue')]);
    const ac = new AbortController();
    cleanup.push(() => ac.abort());
    const source = createConsulCandidates({
      consul: a.client,
      serviceName: 'nat-ha',
      clock,
      logger: createMemoryLogger(),
      metrics: createMemoryMetrics(),
      signal: ac.signal,
    });
    const ids = () => (source.current() ?? []).map((c: Candidate) => c.instanceId).sort();
    await until(() => ids().join() === 'i-a,i-b', 'both passing');
    expect(source.current()?.find((c) => c.instanceId === 'i-b')?.groups).toEqual({ 'az-a': 'rescue' });
    b.setHealth('unhealthy');
    await until(() => ids().join() === 'i-a', 'b gone');
    b.setHealth('degraded'); // 429 = warning: not passing, not a spare
    await new Promise((r) => setTimeout(r, 1_500));
    expect(ids()).toEqual(['i-a']);
    b.setHealth('healthy');
    await until(() => ids().join() === 'i-a,i-b', 'b back');
  });

  it('elects, resigns without lock-delay, and can contend again after resigning', async () => {
    const g = group('g1', 'primary');
    const a = await agent('node-a', 'a', [g]);
    const b = await agent('node-b', 'b', [g]);
    const ea = election(a, g);
    const eb = election(b, g);
    ea.contend();
    await until(() => ea.events.some((e) => e.type === 'elected'), 'a elected');
    eb.contend();
    await until(() => eb.events.some((e) => e.type === 'holder' && e.view.holder === 'other'), 'b sees a');

    // withLease runs with a live signal while we lead.
    expect(await ea.withLease(async (signal) => signal.aborted)).toBe(false);

    const released = Date.now();
    await ea.resign();
    await until(() => eb.events.some((e) => e.type === 'elected'), 'b elected');
    expect(Date.now() - released).toBeLessThan(1_500); // no lock-delay after a release
    await expect(ea.withLease(async () => 1)).rejects.toMatchObject({ code: 'LEASE_LOST' });

    // a follows the key again after its (final, in consul-lock) resign, and can win it back.
    await until(
      () => ea.events.filter((e) => e.type === 'holder').at(-1)?.view.holder === 'other',
      'a follows',
    );
    ea.contend();
    await eb.resign();
    await until(() => ea.events.filter((e) => e.type === 'elected').length === 2, 'a elected again');
  });

  it('the cluster view names the holder node and every instance with its checks', async () => {
    const g = group('g2', 'primary');
    const a = await agent('node-a', 'a', [g]);
    await agent('node-b', 'b', [g]);
    const ea = election(a, g);
    ea.contend();
    await until(() => ea.events.some((e) => e.type === 'elected'), 'elected');
    const view = createConsulClusterView(a.client, 'nat-ha');
    const snap = await view.read([g.key, 'test/none/leader'], AbortSignal.timeout(5_000));
    expect(snap.holders[g.key]).toMatchObject({ node: 'node-a' });
    expect(snap.holders['test/none/leader']).toBeNull();
    expect(snap.instances.map((i) => [i.instanceId, i.node]).sort()).toEqual([
      ['i-a', 'node-a'],
      ['i-b', 'node-b'],
    ]);
    expect(snap.instances[0]!.checks.map((c) => c.name).sort()).toEqual([
      'nat-ha:health',
      'nat-ha:live',
      'serfHealth',
    ]);
  });
});

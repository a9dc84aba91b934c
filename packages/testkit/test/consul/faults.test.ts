// Fault controls of the Consul emulator, in virtual time: node kill and revive, partition and
// heal, graceful leave, leader loss, the client-agent error style, and option validation.
import { afterEach, describe, expect, it } from 'vitest';
import { createVirtualClock, type VirtualClock } from '../../src/clock';
import { startConsul, type ConsulEmulator } from '../../src/consul/emulator';
import { defaultFailureDetectionMs, type ConsulEmulatorOptions } from '../../src/consul/options';
import { TestkitError } from '../../src/errors';
import { freePortBase } from '../free-port-base';

let emulator: ConsulEmulator | undefined;
let clock: VirtualClock;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function start(options: ConsulEmulatorOptions = {}): Promise<ConsulEmulator> {
  clock = createVirtualClock(Date.UTC(2024, 0, 1));
  emulator = await startConsul({ nodes: ['node1', 'node2', 'node3'], clock, ...options });
  return emulator;
}

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function call(url: string, method: string, path: string, body?: string | object) {
  const res = await fetch(`${url}${path}`, {
    method,
    ...(body == null ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text, json: (): Json => JSON.parse(text) };
}

async function parked(e: ConsulEmulator, n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (e.parkedRequests() < n) {
    if (Date.now() > deadline) throw new Error('request never parked');
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function settledWithin(p: Promise<unknown>, ms = 60): Promise<boolean> {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setTimeout(r, ms));
  return done;
}

function members(list: { Name: string; Status: number }[]): Record<string, number> {
  return Object.fromEntries(list.map((m) => [m.Name, m.Status]));
}

describe('killNode / reviveNode', () => {
  it('refuses connections at once and fails serfHealth after the memberlist delay (spec §8.6)', async () => {
    const e = await start();
    const n1 = e.agentUrl('node1');
    const n2 = e.agentUrl('node2');
    const session = (await call(n2, 'PUT', '/v1/session/create', { LockDelay: '1500ms' })).json()
      .ID as string;
    expect((await call(n2, 'PUT', `/v1/kv/leader?acquire=${session}`, 'node2')).text).toBe('true');
    const blocked = fetch(`${n2}/v1/kv/leader?index=${e.index()}&wait=60s`);
    await parked(e, 1);

    await e.killNode('node2');
    await expect(blocked).rejects.toThrow();
    await expect(fetch(`${n2}/v1/agent/self`)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
    expect(defaultFailureDetectionMs(3)).toBe(6000);
    await clock.advance(5999);
    expect((await call(n1, 'GET', `/v1/session/info/${session}`)).json()).toHaveLength(1);
    expect(members((await call(n1, 'GET', '/v1/agent/members')).json())).toMatchObject({ node2: 1 });
    await clock.advance(1);
    expect((await call(n1, 'GET', `/v1/session/info/${session}`)).json()).toEqual([]);
    expect(members((await call(n1, 'GET', '/v1/agent/members')).json())).toMatchObject({ node2: 4 });
    const kv = (await call(n1, 'GET', '/v1/kv/leader')).json()[0];
    expect(kv.Session).toBeUndefined();

    const journal = e.journal();
    const killed = journal.findIndex((j) => j.op === 'node-killed');
    const ops = journal
      .slice(killed)
      .filter((j) => j.node === 'node2')
      .map((j) => [j.op, j.reason]);
    expect(ops).toEqual([
      ['node-killed', undefined],
      ['node-failed', undefined],
      ['check-status', undefined],
      ['session-destroy', 'node-failed'],
      ['lock-released-by-invalidation', 'node-failed'],
    ]);
    const serf = e.journal().find((j) => j.op === 'check-status' && j.node === 'node2');
    expect(serf).toMatchObject({
      checkId: 'serfHealth',
      status: 'critical',
      output: 'Agent not live or unreachable',
    });

    await e.reviveNode('node2');
    expect(e.agentUrl('node2')).toBe(n2);
    expect((await call(n2, 'GET', '/v1/agent/self')).status).toBe(200);
    expect(members((await call(n1, 'GET', '/v1/agent/members')).json())).toMatchObject({ node2: 1 });
    expect((await call(n2, 'PUT', '/v1/session/create')).status).toBe(200);
  });

  it('honours failureDetectionMs and cancels detection when revived in time', async () => {
    const e = await start({ failureDetectionMs: 2000 });
    const session = (await call(e.agentUrl('node3'), 'PUT', '/v1/session/create')).json().ID as string;
    await e.killNode('node3');
    await clock.advance(1000);
    await e.reviveNode('node3');
    await clock.advance(5000);
    expect((await call(e.agentUrl('node1'), 'GET', `/v1/session/info/${session}`)).json()).toHaveLength(1);
    await e.killNode('node3');
    await clock.advance(2000);
    expect((await call(e.agentUrl('node1'), 'GET', `/v1/session/info/${session}`)).json()).toEqual([]);
  });

  it('grows the default detection delay with the cluster like memberlist', () => {
    expect(defaultFailureDetectionMs(1)).toBe(6000);
    expect(defaultFailureDetectionMs(10)).toBe(6000);
    expect(defaultFailureDetectionMs(20)).toBe(7204);
    expect(defaultFailureDetectionMs(100)).toBe(10000);
  });
});

describe('partitionNode / healNode', () => {
  it('holds the agent’s RPCs for rpc_hold_timeout, then fails them; agent-local calls still work', async () => {
    const e = await start();
    const n2 = e.agentUrl('node2');
    e.partitionNode('node2');
    const write = call(n2, 'PUT', '/v1/kv/a', 'x');
    const read = call(n2, 'GET', '/v1/kv/a?stale');
    await parked(e, 2);
    expect((await call(n2, 'GET', '/v1/agent/self')).status).toBe(200);
    await clock.advance(6999);
    expect(await settledWithin(write)).toBe(false);
    await clock.advance(1);
    for (const res of [await write, await read]) {
      expect(res.status).toBe(500);
      expect(res.text).toBe('rpc error making call: i/o timeout');
    }
    // Healing within the hold lets a waiting request through.
    const late = call(n2, 'PUT', '/v1/kv/a', 'y');
    await parked(e, 1);
    await clock.advance(3000);
    e.healNode('node2');
    expect((await late).text).toBe('true');
  });

  it('declares the node failed after the detection delay, and syncs local check changes on heal', async () => {
    const e = await start({ failureDetectionMs: 3000 });
    const n2 = e.agentUrl('node2');
    await call(n2, 'PUT', '/v1/agent/check/register', { Name: 'app', TTL: '600s', Status: 'passing' });
    const serfSession = (await call(n2, 'PUT', '/v1/session/create')).json().ID as string;
    const appSession = (await call(n2, 'PUT', '/v1/session/create', { NodeChecks: ['app'] })).json()
      .ID as string;
    e.partitionNode('node2');
    // The agent answers the TTL update locally, but cannot tell the servers.
    expect((await call(n2, 'PUT', '/v1/agent/check/fail/app')).status).toBe(200);
    const n1 = e.agentUrl('node1');
    expect((await call(n1, 'GET', `/v1/session/info/${appSession}`)).json()).toHaveLength(1);
    await clock.advance(3000);
    expect((await call(n1, 'GET', `/v1/session/info/${serfSession}`)).json()).toEqual([]);
    expect((await call(n1, 'GET', `/v1/session/info/${appSession}`)).json()).toHaveLength(1);
    expect(members((await call(n2, 'GET', '/v1/agent/members')).json())).toMatchObject({
      node1: 4,
      node2: 1,
    });
    e.healNode('node2');
    expect((await call(n1, 'GET', `/v1/session/info/${appSession}`)).json()).toEqual([]);
    expect(members((await call(n1, 'GET', '/v1/agent/members')).json())).toMatchObject({ node2: 1 });
    const destroyed = e.journal().find((j) => j.op === 'session-destroy' && j.session === appSession);
    expect(destroyed?.reason).toBe('check-critical');
  });
});

describe('leaveNode', () => {
  it('deregisters the node at once, destroying its sessions, and stops its agent', async () => {
    const e = await start();
    const n1 = e.agentUrl('node1');
    const session = (await call(e.agentUrl('node3'), 'PUT', '/v1/session/create', { NodeChecks: [] })).json()
      .ID;
    await call(e.agentUrl('node3'), 'PUT', `/v1/kv/k?acquire=${session}`, 'v');
    await e.leaveNode('node3');
    expect((await call(n1, 'GET', `/v1/session/info/${session}`)).json()).toEqual([]);
    expect((await call(n1, 'GET', '/v1/catalog/nodes')).json().map((n: { Node: string }) => n.Node)).toEqual([
      'node1',
      'node2',
    ]);
    expect(members((await call(n1, 'GET', '/v1/agent/members')).json())).toMatchObject({ node3: 3 });
    await expect(fetch(`${e.agentUrl('node3')}/v1/agent/self`)).rejects.toThrow();
    expect(e.journal().find((j) => j.op === 'session-destroy' && j.session === session)?.reason).toBe(
      'node-deregistered',
    );
    await e.reviveNode('node3');
    expect((await call(n1, 'GET', '/v1/catalog/nodes')).json()).toHaveLength(3);
  });
});

describe('loseLeader / restoreLeader', () => {
  it('lets queries already blocking finish at their wait, while new ones hang for a leader', async () => {
    const e = await start();
    const n1 = e.agentUrl('node1');
    await call(n1, 'PUT', '/v1/kv/a', 'x');
    const blocking = call(n1, 'GET', `/v1/kv/a?index=${e.index()}&wait=30s`);
    await parked(e, 1);
    e.loseLeader();
    const fresh = call(n1, 'GET', '/v1/kv/a');
    await parked(e, 2);
    await clock.advance(7000);
    expect((await fresh).status).toBe(500);
    await clock.advance(30_000 + 30_000 / 16);
    expect((await blocking).status).toBe(200);
    e.restoreLeader();
    expect((await call(n1, 'GET', '/v1/kv/a?consistent')).status).toBe(200);
  });

  it('uses client-agent error prefixes when asked (spec §7.2)', async () => {
    const e = await start({ agentErrorStyle: 'client', rpcHoldTimeoutMs: 100 });
    const n1 = e.agentUrl('node1');
    const invalid = await call(n1, 'PUT', '/v1/kv/a?acquire=00000000-0000-0000-0000-000000000000');
    expect(invalid.text).toBe(
      'rpc error making call: raft apply failed: invalid session "00000000-0000-0000-0000-000000000000"',
    );
    const ghost = await call(n1, 'PUT', '/v1/session/create', { Node: 'ghost' });
    expect(ghost.text).toBe('rpc error making call: apply failed: Missing node registration');
    e.loseLeader();
    const p = call(n1, 'PUT', '/v1/kv/a', 'x');
    await parked(e, 1);
    await clock.advance(100);
    expect((await p).text).toBe('rpc error making call: No cluster leader');
  });
});

describe('controls and options', () => {
  it('validates options eagerly, naming the option', async () => {
    const bad: [ConsulEmulatorOptions, RegExp][] = [
      [{ datacenter: 'DC 1' }, /datacenter/],
      [{ nodes: [] }, /nodes/],
      [{ nodes: ['a', 'a'] }, /twice/],
      [{ nodes: ['has space'] }, /node name/],
      [{ rpcHoldTimeoutMs: -1 }, /rpcHoldTimeoutMs/],
      [{ agentErrorStyle: 'x' as 'client' }, /agentErrorStyle/],
      [{ acl: { defaultPolicy: 'maybe' as 'deny', tokens: {} } }, /acl.defaultPolicy/],
      [{ portBase: 0 }, /option 'portBase' must be a port number 1–65535, got 0/],
      [{ portBase: 1.5 }, /portBase/],
      [{ portBase: 65535, nodes: ['a', 'b'] }, /option 'portBase' 65535 leaves no room for 2 agent ports/],
    ];
    for (const [options, message] of bad) {
      const err = await startConsul(options).catch((x: unknown) => x);
      expect(TestkitError.isInstance(err) && err.code).toBe('INVALID_OPTION');
      expect((err as Error).message).toMatch(message);
    }
  });

  it('portBase fixes the ports: control on P, node k on P+1+k, kept across kill and revive; a port in use is named', async () => {
    const base = await freePortBase(3);
    const e = await start({ nodes: ['node1', 'node2'], portBase: base });
    expect(e.controlUrl).toBe(`http://127.0.0.1:${base}`);
    expect([e.agentUrl('node1'), e.agentUrl('node2')]).toEqual([
      `http://127.0.0.1:${base + 1}`,
      `http://127.0.0.1:${base + 2}`,
    ]);
    await e.killNode('node2');
    await e.reviveNode('node2');
    expect(e.agentUrl('node2')).toBe(`http://127.0.0.1:${base + 2}`);
    expect((await fetch(`${e.agentUrl('node2')}/v1/agent/self`)).status).toBe(200);

    const clash = await startConsul({ nodes: ['x'], portBase: base + 1 }).catch((x: unknown) => x);
    expect(TestkitError.isInstance(clash) && clash.code).toBe('INVALID_OPTION');
    expect((clash as Error).message).toBe(
      `consul emulator: cannot listen on 127.0.0.1:${base + 2}: the port is in use (choose another portBase)`,
    );
  });

  it('rejects unknown nodes and checks, and duplicate node names', async () => {
    const e = await start();
    expect(() => e.agentUrl('nope')).toThrow(/no node named "nope"/);
    expect(() => e.setCheckStatus('node1', 'nope', 'critical')).toThrow(/no check/);
    await expect(e.addNode('node1')).rejects.toThrow(/already exists/);
    const url = await e.addNode('node4', { address: '127.0.0.99' });
    const self = (await call(url, 'GET', '/v1/agent/self')).json();
    expect(self.Config).toMatchObject({ NodeName: 'node4', Server: false });
    expect(e.nodes).toEqual(['node1', 'node2', 'node3', 'node4']);
  });
});

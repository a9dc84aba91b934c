// The HTTP control plane (`/_emulator/v1/…`), which out-of-process tools use to inject faults and
// read the journal. It is served by the dedicated control listener and by every agent endpoint.
import { afterEach, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../src/clock';
import { CONSUL_CONTROL_PREFIX } from '../../src/consul/control-endpoint';
import { startConsul, type ConsulEmulator } from '../../src/consul/emulator';

let emulator: ConsulEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function control(base: string, method: string, path: string, body?: object) {
  const res = await fetch(`${base}${CONSUL_CONTROL_PREFIX}${path}`, {
    method,
    ...(body == null ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

describe('HTTP control plane', () => {
  it('kills, revives, partitions and heals nodes, and reports the cluster state', async () => {
    const clock = createVirtualClock(Date.UTC(2024, 0, 1));
    emulator = await startConsul({ nodes: ['node1', 'node2'], clock });
    const base = emulator.controlUrl;
    expect(CONSUL_CONTROL_PREFIX.startsWith('/v1/')).toBe(false);
    expect((await control(base, 'POST', '/nodes/node2/kill')).body).toEqual({ ok: true });
    await expect(fetch(`${emulator.agentUrl('node2')}/v1/agent/self`)).rejects.toThrow();
    expect((await control(base, 'POST', '/clock/advance', { ms: 6000 })).body.now).toBe(
      Date.UTC(2024, 0, 1) + 6000,
    );
    const state = (await control(base, 'GET', '/state')).body;
    expect(state).toMatchObject({ datacenter: 'dc1', leader: true });
    expect(state.nodes[1]).toMatchObject({
      name: 'node2',
      process: 'killed',
      member: 'failed',
      url: emulator.agentUrl('node2'),
    });
    await control(base, 'POST', '/nodes/node2/revive');
    await control(base, 'POST', '/nodes/node2/partition');
    expect((await control(base, 'GET', '/state')).body.nodes[1]).toMatchObject({
      process: 'running',
      partitioned: true,
    });
    await control(base, 'POST', '/nodes/node2/heal');
    await control(base, 'POST', '/leader/lose');
    expect((await control(base, 'GET', '/state')).body.leader).toBe(false);
    await control(base, 'POST', '/leader/restore');
    const added = (await control(base, 'POST', '/nodes', { name: 'node3' })).body;
    expect(added).toEqual({ name: 'node3', url: emulator.agentUrl('node3') });
    const ops = (await control(base, 'GET', '/journal')).body.map((e: { op: string }) => e.op);
    expect(ops).toEqual(
      expect.arrayContaining([
        'node-killed',
        'node-failed',
        'node-revived',
        'node-partitioned',
        'node-healed',
        'leader-lost',
        'leader-restored',
      ]),
    );
  });

  it('serves the journal incrementally and lock holders, also on an agent endpoint', async () => {
    emulator = await startConsul();
    const agent = emulator.agentUrl('node1');
    const session = (
      (await (await fetch(`${agent}/v1/session/create`, { method: 'PUT' })).json()) as { ID: string }
    ).ID;
    await fetch(`${agent}/v1/kv/l?acquire=${session}`, { method: 'PUT' });
    const since = emulator.index() - 1;
    const recent = (await control(agent, 'GET', `/journal?since=${since}`)).body;
    expect(recent).toEqual([
      expect.objectContaining({
        op: 'kv-acquire',
        key: 'l',
        session,
        node: 'node1',
        lockIndex: 1,
        via: 'node1',
      }),
    ]);
    const holders = (await control(agent, 'GET', '/lock-holders?key=l')).body;
    expect(holders).toEqual([expect.objectContaining({ session, node: 'node1', lockIndex: 1 })]);
  });

  it('sets check statuses, and answers bad requests with JSON errors', async () => {
    emulator = await startConsul({ nodes: ['node1'] });
    const base = emulator.controlUrl;
    const agent = emulator.agentUrl('node1');
    const session = (
      (await (await fetch(`${agent}/v1/session/create`, { method: 'PUT' })).json()) as { ID: string }
    ).ID;
    expect(
      (await control(base, 'PUT', '/checks/node1/serfHealth', { status: 'critical', output: 'down' })).status,
    ).toBe(200);
    expect(await (await fetch(`${agent}/v1/session/info/${session}`)).json()).toEqual([]);
    expect(await control(base, 'PUT', '/checks/node1/serfHealth', { status: 'bad' })).toMatchObject({
      status: 400,
    });
    expect(await control(base, 'POST', '/nodes/ghost/kill')).toMatchObject({ status: 404 });
    expect(await control(base, 'POST', '/clock/advance', { ms: 5 })).toMatchObject({ status: 409 });
    expect(await control(base, 'GET', '/nope')).toMatchObject({ status: 404 });
    const plain = await fetch(`${base}/v1/kv/x`);
    expect(plain.status).toBe(404);
  });

  it('answers a kill sent to the agent it kills, then refuses connections', async () => {
    emulator = await startConsul({ nodes: ['node1', 'node2'] });
    const own = emulator.agentUrl('node2');
    expect(await control(own, 'POST', '/nodes/node2/kill')).toEqual({ status: 200, body: { ok: true } });
    await expect(fetch(`${own}/v1/agent/self`)).rejects.toThrow();
    expect((await control(emulator.agentUrl('node1'), 'POST', '/nodes/node2/revive')).status).toBe(200);
    expect((await fetch(`${own}/v1/agent/self`)).status).toBe(200);
  });
});

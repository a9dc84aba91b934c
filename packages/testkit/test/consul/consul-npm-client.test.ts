// A widely used Consul client that nobody here wrote (the `consul` package on npm, v2.0.1) works
// against the emulator: KV get/set, session create/renew/destroy, and an acquire/release cycle.
import Consul from 'consul';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startConsul, type ConsulEmulator } from '../../src/consul/emulator';
import { lockHolders } from '../../src/consul/lock-holders';

describe('the consul npm client against the emulator', () => {
  let emulator: ConsulEmulator;
  let client: Consul;

  beforeEach(async () => {
    emulator = await startConsul({ nodes: ['node1', 'node2'] });
    const url = new URL(emulator.agentUrl('node1'));
    client = new Consul({ host: url.hostname, port: Number(url.port) });
  });

  afterEach(async () => {
    client.destroy();
    await emulator.close();
  });

  it('sets and gets KV values, including an absent key', async () => {
    expect(await client.kv.set('app/config', 'hello')).toBe(true);
    const got = await client.kv.get('app/config');
    expect(got).toMatchObject({ Key: 'app/config', Value: 'hello', Flags: 0, LockIndex: 0 });
    expect(got?.CreateIndex).toBe(got?.ModifyIndex);
    expect(await client.kv.get('app/missing')).toBeUndefined();
    expect(await client.kv.set({ key: 'app/config', value: 'v2', cas: got!.ModifyIndex })).toBe(true);
    // The client resolves a `false` body to undefined (papi drops falsy results), as against real Consul.
    expect(await client.kv.set({ key: 'app/config', value: 'v3', cas: got!.ModifyIndex })).toBeFalsy();
    expect((await client.kv.get('app/config'))?.Value).toBe('v2');
    expect(await client.kv.keys('app/')).toEqual(['app/config']);
    expect(await client.kv.del('app/config')).toBe(true);
    expect(await client.kv.get('app/config')).toBeUndefined();
  });

  it('creates, renews, reads and destroys a session', async () => {
    const { ID } = await client.session.create({ name: 'npm-client', ttl: '15s', lockdelay: '1500ms' });
    expect(ID).toMatch(/^[0-9a-f-]{36}$/);
    const renewed = await client.session.renew(ID);
    expect(renewed).toHaveLength(1);
    expect(renewed[0]).toMatchObject({
      ID,
      Name: 'npm-client',
      TTL: '15s',
      LockDelay: 1_500_000_000,
      Node: 'node1',
    });
    const info = await client.session.info(ID);
    expect(info).toMatchObject({ ID, Behavior: 'release' });
    expect((await client.session.node('node1')).map((s) => s.ID)).toEqual([ID]);
    expect((await client.session.list()).map((s) => s.ID)).toEqual([ID]);
    await client.session.destroy(ID);
    expect(await client.session.info(ID)).toBeUndefined();
    await expect(client.session.renew(ID)).rejects.toThrow();
  });

  it('runs an acquire/release cycle between two sessions', async () => {
    const other = new Consul({
      host: new URL(emulator.agentUrl('node2')).hostname,
      port: Number(new URL(emulator.agentUrl('node2')).port),
    });
    try {
      const a = (await client.session.create({ lockdelay: '0s' })).ID;
      const b = (await other.session.create()).ID;
      expect(await client.kv.set({ key: 'service/leader', value: 'node1', acquire: a })).toBe(true);
      expect(await other.kv.set({ key: 'service/leader', value: 'node2', acquire: b })).toBeFalsy();
      const held = await other.kv.get('service/leader');
      expect(held).toMatchObject({ Session: a, Value: 'node1', LockIndex: 1 });
      expect(await client.kv.set({ key: 'service/leader', value: 'node1', release: a })).toBe(true);
      expect(await other.kv.set({ key: 'service/leader', value: 'node2', acquire: b })).toBe(true);
      expect(await other.kv.get('service/leader')).toMatchObject({
        Session: b,
        Value: 'node2',
        LockIndex: 2,
      });
      await other.session.destroy(b);
      const after = (await client.kv.get('service/leader')) as { Session?: string } | undefined;
      expect(after?.Session).toBeUndefined();
      const holders = lockHolders(emulator.journal(), 'service/leader');
      expect(holders.map((x) => [x.session, x.node, x.endedBy])).toEqual([
        [a, 'node1', 'kv-release'],
        [b, 'node2', 'lock-released-by-invalidation'],
      ]);
    } finally {
      other.destroy();
    }
  });

  it('sees the emulator answer a blocking query after a change', async () => {
    await client.kv.set('watched', 'one');
    const first = await client.kv.get('watched');
    // `index` and `wait` are common options the client's typings leave out of GetOptions.
    const blockingGet = { key: 'watched', index: String(first?.ModifyIndex), wait: '10s' };
    const waiting = client.kv.get(blockingGet as { key: string });
    await until(() => emulator.parkedRequests() === 1);
    await client.kv.set('watched', 'two');
    expect((await waiting)?.Value).toBe('two');
  });
});

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Rules 33–55 (spec §10 "Locks", "Invalidation and lock-delay"). */
import { expect } from 'vitest';
import type { Harness } from './harness';
import { rule, type RuleContext } from './rule-context';

interface Entry {
  LockIndex: number;
  Key: string;
  Flags: number;
  Value: string | null;
  Session?: string;
  CreateIndex: number;
  ModifyIndex: number;
}

const NOBODY = '00000000-1111-2222-3333-444444444444';
const b64 = (s: string): string => Buffer.from(s).toString('base64');

async function entry(h: Harness, key: string): Promise<Entry | undefined> {
  const res = await h.get(`/v1/kv/${key}`);
  return res.status === 404 ? undefined : res.json<Entry[]>()[0];
}

async function acquire(h: Harness, key: string, session: string, body = ''): Promise<string> {
  return (await h.put(`/v1/kv/${key}?acquire=${session}`, body)).text;
}

export function lockRules(ctx: RuleContext): void {
  rule(ctx, 33, 'acquiring a missing key creates it with LockIndex 1 and the session', async () => {
    const h = ctx.h();
    const s = await h.session();
    const k = h.key('l');
    expect(await acquire(h, k, s, 'v')).toBe('true');
    const e = (await entry(h, k))!;
    expect(e).toMatchObject({ LockIndex: 1, Session: s });
    expect(e.CreateIndex).toBe(e.ModifyIndex);
  });

  rule(
    ctx,
    34,
    'acquiring an unlocked key bumps LockIndex and ModifyIndex and keeps CreateIndex',
    async () => {
      const h = ctx.h();
      const [s, t] = [await h.session(), await h.session()];
      const k = h.key('l');
      await acquire(h, k, s);
      await h.put(`/v1/kv/${k}?release=${s}`);
      const before = (await entry(h, k))!;
      expect(await acquire(h, k, t, 'x')).toBe('true');
      const after = (await entry(h, k))!;
      expect(after.LockIndex).toBe(before.LockIndex + 1);
      expect(after.Session).toBe(t);
      expect(after.CreateIndex).toBe(before.CreateIndex);
      expect(after.ModifyIndex).toBeGreaterThan(before.ModifyIndex);
    },
  );

  rule(ctx, 35, 're-acquire by the holder keeps LockIndex; identical content keeps ModifyIndex', async () => {
    const h = ctx.h();
    const s = await h.session();
    const k = h.key('l');
    await acquire(h, k, s, 'one');
    const first = (await entry(h, k))!;
    expect(await acquire(h, k, s, 'two')).toBe('true');
    const second = (await entry(h, k))!;
    expect(second.LockIndex).toBe(first.LockIndex);
    expect(second.Value).toBe(b64('two'));
    expect(await acquire(h, k, s, 'two')).toBe('true');
    expect((await entry(h, k))!.ModifyIndex).toBe(second.ModifyIndex);
  });

  rule(ctx, 36, 'acquire by another session while held answers false and changes nothing', async () => {
    const h = ctx.h();
    const [s, t] = [await h.session(), await h.session()];
    const k = h.key('l');
    await acquire(h, k, s, 'held');
    const before = (await entry(h, k))!;
    const res = await h.put(`/v1/kv/${k}?acquire=${t}`, 'other');
    expect(res.status).toBe(200);
    expect(res.text).toBe('false');
    expect(await entry(h, k)).toEqual(before);
  });

  rule(ctx, 37, 'acquire with a session that does not exist is a 500 invalid session', async () => {
    const h = ctx.h();
    const res = await h.put(`/v1/kv/${h.key('l')}?acquire=${NOBODY}`);
    expect(res.status).toBe(500);
    expect(res.text).toContain('invalid session');
  });

  rule(ctx, 38, 'acquire with an empty session is a 500 missing session', async () => {
    const h = ctx.h();
    const res = await h.put(`/v1/kv/${h.key('l')}?acquire=`);
    expect(res.status).toBe(500);
    expect(res.text).toContain('missing session');
  });

  rule(
    ctx,
    39,
    'release by the holder drops Session, keeps LockIndex, bumps ModifyIndex, takes body and flags',
    async () => {
      const h = ctx.h();
      const s = await h.session();
      const k = h.key('l');
      await h.put(`/v1/kv/${k}?acquire=${s}&flags=5`, 'held');
      const before = (await entry(h, k))!;
      expect((await h.put(`/v1/kv/${k}?release=${s}&flags=9`, 'released')).text).toBe('true');
      const after = (await entry(h, k))!;
      expect(after).not.toHaveProperty('Session');
      expect(after.LockIndex).toBe(before.LockIndex);
      expect(after.ModifyIndex).toBeGreaterThan(before.ModifyIndex);
      expect(after).toMatchObject({ Value: b64('released'), Flags: 9 });
    },
  );

  rule(ctx, 40, 'release by a non-holder, or of a missing key, answers false', async () => {
    const h = ctx.h();
    const [s, t] = [await h.session(), await h.session()];
    const k = h.key('l');
    await acquire(h, k, s, 'v');
    const before = await entry(h, k);
    expect((await h.put(`/v1/kv/${k}?release=${t}`)).text).toBe('false');
    expect(await entry(h, k)).toEqual(before);
    expect((await h.put(`/v1/kv/${h.key('missing')}?release=${s}`)).text).toBe('false');
  });

  rule(ctx, 41, 'release starts no lock-delay: another session acquires at once', async () => {
    const h = ctx.h();
    const [s, t] = [await h.session(), await h.session()];
    const k = h.key('l');
    await acquire(h, k, s);
    await h.put(`/v1/kv/${k}?release=${s}`);
    expect(await acquire(h, k, t)).toBe('true');
  });

  rule(
    ctx,
    42,
    'a plain PUT on a held key succeeds, keeps the session and resets LockIndex to 0',
    async () => {
      const h = ctx.h();
      const s = await h.session();
      const k = h.key('l');
      await acquire(h, k, s, 'a');
      expect((await h.put(`/v1/kv/${k}`, 'b')).text).toBe('true');
      expect(await entry(h, k)).toMatchObject({ Value: b64('b'), Session: s, LockIndex: 0 });
    },
  );

  rule(ctx, 43, 'a plain DELETE removes a held key and wakes a blocking GET with 404', async () => {
    const h = ctx.h();
    const s = await h.session();
    const k = h.key('l');
    await acquire(h, k, s, 'a');
    const index = (await h.get(`/v1/kv/${k}`)).index;
    const waiting = h.get(`/v1/kv/${k}?index=${index}&wait=10s`);
    await h.t.parked(1);
    expect((await h.del(`/v1/kv/${k}`)).text).toBe('true');
    const res = await waiting;
    expect(res.status).toBe(404);
    expect(res.index).toBeGreaterThan(index);
  });

  rule(
    ctx,
    44,
    'destroy with release behavior keeps the key unlocked at the destroy index; acquire waits 15 s of lock-delay',
    async () => {
      const h = ctx.h();
      const [s, t] = [await h.session(), await h.session()];
      const k = h.key('l');
      await acquire(h, k, s, 'v');
      const held = (await entry(h, k))!;
      await h.put(`/v1/session/destroy/${s}`);
      const destroyIndex = (await h.get('/v1/session/list')).index;
      const e = (await entry(h, k))!;
      expect(e).not.toHaveProperty('Session');
      expect(e.LockIndex).toBe(held.LockIndex);
      expect(e.Value).toBe(held.Value);
      expect(e.ModifyIndex).toBe(destroyIndex);
      await h.t.elapse(14_900);
      expect(await acquire(h, k, t)).toBe('false');
      await h.t.elapse(101);
      expect(await acquire(h, k, t)).toBe('true');
    },
    { needs: [{ need: 'virtualTime', why: '15 s lock-delay' }] },
  );

  rule(ctx, 45, 'destroy with delete behavior deletes the held keys at the destroy index', async () => {
    const h = ctx.h();
    const s = await h.session({ Behavior: 'delete' });
    const k = h.key('l');
    await acquire(h, k, s, 'v');
    await h.put(`/v1/session/destroy/${s}`);
    const destroyIndex = (await h.get('/v1/session/list')).index;
    const res = await h.get(`/v1/kv/${k}`);
    expect(res.status).toBe(404);
    expect(res.index).toBe(destroyIndex);
  });

  rule(
    ctx,
    46,
    'during lock-delay an acquire with an unknown session answers false without consuming an index',
    async () => {
      const h = ctx.h();
      const s = await h.session();
      const k = h.key('l');
      await acquire(h, k, s);
      await h.put(`/v1/session/destroy/${s}`);
      const before = await h.get(`/v1/kv/${k}`);
      const raftBefore = ctx.driver.capabilities.controls ? ctx.controls().emulator.index() : undefined;
      const res = await h.put(`/v1/kv/${k}?acquire=${NOBODY}`);
      expect(res.status).toBe(200);
      expect(res.text).toBe('false');
      const after = await h.get(`/v1/kv/${k}`);
      expect(after.index).toBe(before.index);
      expect(after.text).toBe(before.text);
      if (raftBefore != null) expect(ctx.controls().emulator.index()).toBe(raftBefore);
    },
  );

  rule(ctx, 47, 'during lock-delay a plain PUT, a CAS and a DELETE all succeed', async () => {
    const h = ctx.h();
    const s = await h.session();
    const k = h.key('l');
    await acquire(h, k, s);
    await h.put(`/v1/session/destroy/${s}`);
    expect((await h.put(`/v1/kv/${k}`, 'plain')).text).toBe('true');
    const idx = (await entry(h, k))!.ModifyIndex;
    expect((await h.put(`/v1/kv/${k}?cas=${idx}`, 'cas')).text).toBe('true');
    expect((await h.del(`/v1/kv/${k}`)).text).toBe('true');
    expect((await h.put(`/v1/kv/${k}?acquire=${await h.session()}`)).text).toBe('false');
  });

  rule(ctx, 48, 'a session with LockDelay 0s leaves no lock-delay behind', async () => {
    const h = ctx.h();
    const [s, t] = [await h.session({ LockDelay: '0s' }), await h.session()];
    const k = h.key('l');
    await acquire(h, k, s);
    await h.put(`/v1/session/destroy/${s}`);
    expect(await acquire(h, k, t)).toBe('true');
  });

  rule(
    ctx,
    49,
    'a 120s LockDelay is reported as given but blocks acquire for 60 s only',
    async () => {
      const h = ctx.h();
      const [s, t] = [await h.session({ LockDelay: '120s' }), await h.session()];
      const [info] = (await h.get(`/v1/session/info/${s}`)).json<{ LockDelay: number }[]>();
      expect(info!.LockDelay).toBe(120_000_000_000);
      const k = h.key('l');
      await acquire(h, k, s);
      await h.put(`/v1/session/destroy/${s}`);
      await h.t.elapse(59_900);
      expect(await acquire(h, k, t)).toBe('false');
      await h.t.elapse(101);
      expect(await acquire(h, k, t)).toBe('true');
    },
    { needs: [{ need: 'virtualTime', why: '60 s lock-delay' }] },
  );

  rule(
    ctx,
    50,
    'lock-delay follows every invalidation: destroy, TTL, critical check, check deregistration, node deregistration',
    async () => {
      const h = ctx.h();
      const contender = await h.session({ NodeChecks: [] });
      const blocked = async (k: string): Promise<void> => {
        expect(
          await h.eventually(async () => {
            const e = await entry(h, k);
            if (e?.Session != null) throw new Error('still held');
            return acquire(h, k, contender);
          }),
          k,
        ).toBe('false');
      };
      // Explicit destroy.
      const a = await h.session();
      await acquire(h, h.key('destroy'), a);
      await h.put(`/v1/session/destroy/${a}`);
      await blocked(h.key('destroy'));
      // A critical check.
      const c1 = await h.ttlCheck('c1', { status: 'passing' });
      const b = await h.eventually(() => h.session({ NodeChecks: [c1] }));
      await acquire(h, h.key('critical'), b);
      await h.put(`/v1/agent/check/fail/${c1}`);
      await blocked(h.key('critical'));
      // A deregistered check.
      const c2 = await h.ttlCheck('c2', { status: 'passing' });
      const c = await h.eventually(() => h.session({ NodeChecks: [c2] }));
      await acquire(h, h.key('dereg'), c);
      await h.put(`/v1/agent/check/deregister/${c2}`);
      await blocked(h.key('dereg'));
      // TTL expiry.
      const d = await h.session({ TTL: '10s', NodeChecks: [] });
      await acquire(h, h.key('ttl'), d);
      await h.t.elapse(20_001);
      await blocked(h.key('ttl'));
      // Node deregistration (graceful leave of a second node).
      const { emulator } = ctx.controls();
      await emulator.addNode('node9');
      const e = await h.session({ Node: 'node9' });
      await acquire(h, h.key('node'), e);
      await emulator.leaveNode('node9');
      await blocked(h.key('node'));
    },
    {
      needs: [
        { need: 'virtualTime', why: 'TTL expiry' },
        { need: 'controls', why: 'node deregistration' },
      ],
    },
  );

  rule(ctx, 51, 'keys released before the destroy get no lock-delay', async () => {
    const h = ctx.h();
    const [s, t] = [await h.session(), await h.session()];
    const k = h.key('l');
    await acquire(h, k, s);
    await h.put(`/v1/kv/${k}?release=${s}`);
    await h.put(`/v1/session/destroy/${s}`);
    expect(await acquire(h, k, t)).toBe('true');
  });

  rule(
    ctx,
    52,
    'a listed check going critical destroys the session and frees its keys at the same index',
    async () => {
      const h = ctx.h();
      const svc = await h.service({ Name: h.name('web'), Check: { TTL: '60s', Status: 'passing' } });
      const checkId = `service:${svc}`;
      const s = await h.eventually(() => h.session({ ServiceChecks: [{ ID: checkId }] }));
      const k = h.key('l');
      await acquire(h, k, s);
      expect((await h.put(`/v1/agent/check/fail/${checkId}`)).status).toBe(200);
      await h.eventually(async () => expect((await h.get(`/v1/session/info/${s}`)).text).toBe('[]'));
      const e = (await entry(h, k))!;
      expect(e).not.toHaveProperty('Session');
      const health = (await h.get(`/v1/health/service/${svc}`)).json<
        { Checks: { CheckID: string; Status: string; ModifyIndex: number }[] }[]
      >();
      const check = health[0]!.Checks.find((c) => c.CheckID === checkId)!;
      expect(check.Status).toBe('critical');
      expect(e.ModifyIndex).toBe(check.ModifyIndex);
    },
  );

  rule(ctx, 53, 'a listed check going to warning leaves the session alone', async () => {
    const h = ctx.h();
    const check = await h.ttlCheck('w', { status: 'passing' });
    const s = await h.eventually(() => h.session({ NodeChecks: [check] }));
    await h.put(`/v1/agent/check/warn/${check}`);
    await new Promise((r) => setTimeout(r, h.t.fresh ? 0 : 500));
    expect((await h.get(`/v1/session/info/${s}`)).json()).toHaveLength(1);
  });

  rule(ctx, 54, 'deregistering a listed check, or the service owning it, destroys the session', async () => {
    const h = ctx.h();
    const check = await h.ttlCheck('d', { status: 'passing' });
    const s1 = await h.eventually(() => h.session({ NodeChecks: [check] }));
    await h.put(`/v1/agent/check/deregister/${check}`);
    await h.eventually(async () => expect((await h.get(`/v1/session/info/${s1}`)).text).toBe('[]'));
    const svc = await h.service({ Name: h.name('svc'), Check: { TTL: '60s', Status: 'passing' } });
    const s2 = await h.eventually(() => h.session({ ServiceChecks: [{ ID: `service:${svc}` }] }));
    await h.put(`/v1/agent/service/deregister/${svc}`);
    await h.eventually(async () => expect((await h.get(`/v1/session/info/${s2}`)).text).toBe('[]'));
  });

  rule(
    ctx,
    55,
    'a session without checks or TTL survives any check change; only destroy or node deregistration end it',
    async () => {
      const h = ctx.h();
      const s = await h.session({ NodeChecks: [] });
      const check = await h.ttlCheck('x', { status: 'passing' });
      await h.put(`/v1/agent/check/fail/${check}`);
      await h.put(`/v1/agent/check/deregister/${check}`);
      const { emulator } = ctx.controls();
      emulator.setCheckStatus(h.t.node, 'serfHealth', 'critical');
      await h.t.elapse(3_600_000);
      expect((await h.get(`/v1/session/info/${s}`)).json()).toHaveLength(1);
      await emulator.addNode('node9');
      const onNode9 = await h.session({ Node: 'node9', NodeChecks: [] });
      await emulator.leaveNode('node9');
      expect((await h.get(`/v1/session/info/${onNode9}`)).text).toBe('[]');
      await h.put(`/v1/session/destroy/${s}`);
      expect((await h.get(`/v1/session/info/${s}`)).text).toBe('[]');
    },
    { needs: [{ need: 'controls', why: 'failing serfHealth and node deregistration' }] },
  );
}

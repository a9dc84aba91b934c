/** Rules 1–17 (spec §10 "Sessions"). */
import { expect } from 'vitest';
import { rawUint } from './harness';
import { rule, type RuleContext } from './rule-context';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function sessionRules(ctx: RuleContext): void {
  rule(ctx, 1, 'a session created without a body gets the agent defaults', async () => {
    const h = ctx.h();
    const res = await h.put('/v1/session/create');
    expect(res.status).toBe(200);
    const { ID } = res.json<{ ID: string }>();
    expect(ID).toMatch(UUID);
    expect(Object.keys(res.json())).toEqual(['ID']);
    await h.put(`/v1/session/destroy/${ID}`);
    const again = await h.session();
    const info = await h.get(`/v1/session/info/${again}`);
    expect(info.status).toBe(200);
    const [s, ...rest] = info.json<Record<string, unknown>[]>();
    expect(rest).toEqual([]);
    expect(s).toMatchObject({
      ID: again,
      Node: h.t.node,
      LockDelay: 15_000_000_000,
      Behavior: 'release',
      TTL: '',
      NodeChecks: ['serfHealth'],
      ServiceChecks: null,
    });
    expect(rawUint(info.text, 'LockDelay')).toBe('15000000000');
    expect(s).not.toHaveProperty('Checks');
    expect(s!.CreateIndex).toBe(s!.ModifyIndex);
    // Field order as Consul marshals structs.Session (spec §2.1).
    const order = [
      'ID',
      'Name',
      'Node',
      'LockDelay',
      'Behavior',
      'TTL',
      'NodeChecks',
      'ServiceChecks',
      'CreateIndex',
      'ModifyIndex',
    ];
    expect(Object.keys(s!).filter((k) => order.includes(k))).toEqual(order);
  });

  rule(ctx, 2, 'an unknown Behavior is a 500 naming it', async () => {
    const res = await ctx.h().put('/v1/session/create', { Behavior: 'bogus' });
    expect(res.status).toBe(500);
    expect(res.text).toContain("Invalid Behavior setting 'bogus'");
  });

  rule(ctx, 3, 'session TTL bounds are [10s, 86400s] inclusive, and 0s means no TTL', async () => {
    const h = ctx.h();
    for (const ttl of ['5s', '86401s']) {
      const res = await h.put('/v1/session/create', { TTL: ttl });
      expect(res.status, ttl).toBe(500);
      expect(res.text).toContain('Invalid Session TTL');
    }
    for (const ttl of ['10s', '86400s', '0s']) {
      const res = await h.put('/v1/session/create', { TTL: ttl });
      expect(res.status, ttl).toBe(200);
      await h.put(`/v1/session/destroy/${res.json<{ ID: string }>().ID}`);
    }
  });

  rule(ctx, 4, 'an unparseable TTL is a 500 quoting it', async () => {
    const res = await ctx.h().put('/v1/session/create', { TTL: 'abc' });
    expect(res.status).toBe(500);
    expect(res.text).toContain("Session TTL 'abc' invalid");
  });

  rule(
    ctx,
    5,
    'a session on a node missing from the catalog fails with Missing node registration',
    async () => {
      const h = ctx.h();
      const res = await h.put('/v1/session/create', { Node: h.name('ghost') });
      expect(res.status).toBe(500);
      expect(res.text).toContain('Missing node registration');
    },
  );

  rule(ctx, 6, 'a session listing an unknown check fails with Missing check registration', async () => {
    const h = ctx.h();
    const check = h.name('nope');
    const res = await h.put('/v1/session/create', { NodeChecks: [check] });
    expect(res.status).toBe(500);
    expect(res.text).toContain(`Missing check '${check}' registration`);
  });

  rule(ctx, 7, 'a session cannot list a critical check; a warning one is fine', async () => {
    const h = ctx.h();
    const check = await h.ttlCheck('crit'); // a new TTL check starts critical
    const res = await h.eventually(async () => {
      const r = await h.put('/v1/session/create', { NodeChecks: [check] });
      if (r.text.includes('Missing check')) throw new Error('not synced yet');
      return r;
    });
    expect(res.status).toBe(500);
    expect(res.text).toContain(`Check '${check}' is in critical state`);
    expect((await h.put(`/v1/agent/check/warn/${check}`)).status).toBe(200);
    await h.eventually(() => h.session({ NodeChecks: [check] }));
  });

  rule(ctx, 8, 'LockDelay accepts durations, small numbers as seconds and large numbers as ns', async () => {
    const h = ctx.h();
    const cases: [unknown, string][] = [
      ['5s', '5000000000'],
      [5, '5000000000'],
      [15_000_000_000, '15000000000'],
    ];
    for (const [lockDelay, stored] of cases) {
      const id = await h.session({ LockDelay: lockDelay, NodeChecks: [] });
      const info = await h.get(`/v1/session/info/${id}`);
      expect(rawUint(info.text, 'LockDelay'), String(lockDelay)).toBe(stored);
    }
    const bad = await h.put('/v1/session/create', { LockDelay: '5' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Request decode failed');
  });

  rule(
    ctx,
    9,
    'Checks: [] creates a session with no checks, which a critical serfHealth does not invalidate',
    async () => {
      const h = ctx.h();
      const id = await h.session({ Checks: [] });
      const [s] = (await h.get(`/v1/session/info/${id}`)).json<{ NodeChecks: string[] | null }[]>();
      expect(s!.NodeChecks ?? []).toEqual([]);
      const { emulator } = ctx.controls();
      emulator.setCheckStatus(h.t.node, 'serfHealth', 'critical', 'Agent not live or unreachable');
      expect((await h.get(`/v1/session/info/${id}`)).json()).toHaveLength(1);
    },
    { needs: [{ need: 'controls', why: 'failing serfHealth' }] },
  );

  rule(ctx, 10, 'Checks adds to serfHealth while NodeChecks replaces it', async () => {
    const h = ctx.h();
    const check = await h.ttlCheck('svc-check', { status: 'passing' });
    const both = await h.eventually(() => h.session({ Checks: [check] }));
    const only = await h.session({ NodeChecks: [check] });
    const [a] = (await h.get(`/v1/session/info/${both}`)).json<Record<string, unknown>[]>();
    const [b] = (await h.get(`/v1/session/info/${only}`)).json<Record<string, unknown>[]>();
    expect(a).toMatchObject({ NodeChecks: ['serfHealth'], Checks: [check] });
    expect(b).toMatchObject({ NodeChecks: [check] });
    expect(b).not.toHaveProperty('Checks');
    // Failing the check destroys both: both are tied to it.
    await h.put(`/v1/agent/check/fail/${check}`);
    await h.eventually(async () => {
      expect((await h.get(`/v1/session/info/${both}`)).json()).toEqual([]);
      expect((await h.get(`/v1/session/info/${only}`)).json()).toEqual([]);
    });
    const c = ctx.driver.capabilities.controls ? ctx.controls() : undefined;
    if (c != null) {
      // With controls: serfHealth critical destroys the Checks session but not the NodeChecks one.
      await h.put(`/v1/agent/check/pass/${check}`);
      const both2 = await h.session({ Checks: [check] });
      const only2 = await h.session({ NodeChecks: [check] });
      c.emulator.setCheckStatus(h.t.node, 'serfHealth', 'critical');
      expect((await h.get(`/v1/session/info/${both2}`)).json()).toEqual([]);
      expect((await h.get(`/v1/session/info/${only2}`)).json()).toHaveLength(1);
    }
  });

  rule(ctx, 11, 'destroy answers true, also when repeated or for an id that never existed', async () => {
    const h = ctx.h();
    const id = await h.session();
    for (const target of [id, id, '00000000-1111-2222-3333-444444444444']) {
      const res = await h.put(`/v1/session/destroy/${target}`);
      expect(res.status).toBe(200);
      expect(res.text).toBe('true');
    }
  });

  rule(ctx, 12, 'info on an unknown session is 200 [] with an X-Consul-Index of at least 1', async () => {
    const res = await ctx.h().get('/v1/session/info/00000000-1111-2222-3333-444444444444');
    expect(res.status).toBe(200);
    expect(res.text).toBe('[]');
    expect(res.index).toBeGreaterThanOrEqual(1);
  });

  rule(ctx, 13, 'renewing an unknown session is a 404 naming it', async () => {
    const id = '00000000-1111-2222-3333-444444444444';
    const res = await ctx.h().put(`/v1/session/renew/${id}`);
    expect(res.status).toBe(404);
    expect(res.text).toBe(`Session id '${id}' not found`);
  });

  rule(ctx, 14, 'renew answers a one-element array with the session', async () => {
    const h = ctx.h();
    const id = await h.session({ TTL: '10s' });
    const res = await h.put(`/v1/session/renew/${id}`);
    expect(res.status).toBe(200);
    const body = res.json<{ ID: string; TTL: string }[]>();
    expect(body).toHaveLength(1);
    expect(body[0]).toMatchObject({ ID: id, TTL: '10s' });
  });

  rule(
    ctx,
    15,
    'a 10s TTL session lives until 2×TTL; a renew at 15 s moves that to 35 s',
    async () => {
      const h = ctx.h();
      const count = async (id: string): Promise<number> =>
        (await h.get(`/v1/session/info/${id}`)).json<unknown[]>().length;
      const a = await h.session({ TTL: '10s' });
      await h.t.elapse(19_900);
      expect(await count(a)).toBe(1);
      await h.t.elapse(101);
      expect(await count(a)).toBe(0);
      const b = await h.session({ TTL: '10s' });
      await h.t.elapse(15_000);
      expect((await h.put(`/v1/session/renew/${b}`)).status).toBe(200);
      await h.t.elapse(19_900);
      expect(await count(b)).toBe(1);
      await h.t.elapse(101);
      expect(await count(b)).toBe(0);
    },
    { needs: [{ need: 'virtualTime', why: '35 s of TTL' }] },
  );

  rule(ctx, 16, 'session list and node answer [] rather than null when empty', async () => {
    const h = ctx.h();
    const node = await h.get(`/v1/session/node/${h.name('no-such-node')}`);
    expect(node.status).toBe(200);
    expect(node.text).toBe('[]');
    const list = await h.get('/v1/session/list');
    expect(list.status).toBe(200);
    expect(Array.isArray(list.json())).toBe(true);
    if (h.t.fresh) {
      expect(list.text).toBe('[]');
      expect((await h.get(`/v1/session/node/${h.t.node}`)).text).toBe('[]');
    }
  });

  rule(ctx, 17, 'GET on session/create is a 405 with Allow: OPTIONS,PUT', async () => {
    const res = await ctx.h().get('/v1/session/create');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('OPTIONS,PUT');
    expect(res.text).toBe('method GET not allowed');
  });
}

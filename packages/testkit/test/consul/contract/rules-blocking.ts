/** Rules 56–66 (spec §10 "Blocking queries"). */
import { expect } from 'vitest';
import { rule, type RuleContext } from './rule-context';

export function blockingRules(ctx: RuleContext): void {
  rule(ctx, 56, 'a blocking GET returns at once when the resource index is already past ?index', async () => {
    const h = ctx.h();
    const k = h.key('a');
    await h.put(`/v1/kv/${k}`, 'v');
    const index = (await h.get(`/v1/kv/${k}`)).index;
    const p = h.get(`/v1/kv/${k}?index=${index - 1}&wait=10s`);
    const res = await Promise.race([p, new Promise<'blocked'>((r) => setTimeout(() => r('blocked'), 3000))]);
    expect(res).not.toBe('blocked');
    expect((res as Awaited<typeof p>).index).toBe(index);
  });

  rule(
    ctx,
    57,
    'a blocking GET waits out ?wait (plus at most 1/16) or returns promptly on a write',
    async () => {
      const h = ctx.h();
      const k = h.key('a');
      await h.put(`/v1/kv/${k}`, 'v');
      const index = (await h.get(`/v1/kv/${k}`)).index;
      const start = h.t.now();
      const timedOut = h.get(`/v1/kv/${k}?index=${index}&wait=2s`);
      await h.t.parked(1);
      await h.t.elapseUntil(start + 1900);
      expect(await h.settled(timedOut)).toBe(false);
      await h.t.elapseUntil(start + 2200);
      const res = await timedOut;
      expect(res.status).toBe(200);
      expect(res.index).toBe(index);
      const woken = h.get(`/v1/kv/${k}?index=${index}&wait=10s`);
      await h.t.parked(1);
      await h.put(`/v1/kv/${k}`, 'changed');
      const changed = await woken;
      expect(changed.index).toBeGreaterThan(index);
      expect(changed.json()[0].Value).toBe(Buffer.from('changed').toString('base64'));
    },
  );

  rule(ctx, 58, 'a write to another key does not wake a blocking GET', async () => {
    const h = ctx.h();
    const [a, b] = [h.key('a'), h.key('b')];
    await h.put(`/v1/kv/${a}`, 'v');
    const index = (await h.get(`/v1/kv/${a}`)).index;
    const p = h.get(`/v1/kv/${a}?index=${index}&wait=10s`);
    await h.t.parked(1);
    await h.put(`/v1/kv/${b}`, 'other');
    expect(await h.settled(p)).toBe(false);
    await h.put(`/v1/kv/${a}`, 'mine');
    expect((await p).index).toBeGreaterThan(index);
  });

  rule(
    ctx,
    59,
    'a blocking GET on a missing key waits through unrelated writes until the key appears',
    async () => {
      const h = ctx.h();
      const missing = h.key('missing');
      await h.put(`/v1/kv/${h.key('seed')}`, 'v');
      const tableIndex = (await h.get(`/v1/kv/${missing}`)).index;
      const p = h.get(`/v1/kv/${missing}?index=${tableIndex}&wait=5s`);
      await h.t.parked(1);
      await h.put(`/v1/kv/${h.key('unrelated')}`, 'x');
      await h.del(`/v1/kv/${h.key('seed')}`);
      expect(await h.settled(p)).toBe(false);
      await h.put(`/v1/kv/${missing}`, 'here');
      const res = await p;
      expect(res.status).toBe(200);
      expect(res.index).toBe(res.json()[0].ModifyIndex);
    },
  );

  rule(
    ctx,
    60,
    'a blocking ?recurse wakes on any write, delete or lock change under the prefix',
    async () => {
      const h = ctx.h();
      const p = h.key('p/');
      await h.put(`/v1/kv/${h.key('p/a')}`, 'v');
      const s = await h.session();
      const changes: [string, () => Promise<unknown>][] = [
        ['write', () => h.put(`/v1/kv/${h.key('p/b')}`, 'v')],
        ['lock', () => h.put(`/v1/kv/${h.key('p/a')}?acquire=${s}`, 'v')],
        ['unlock', () => h.put(`/v1/kv/${h.key('p/a')}?release=${s}`, 'v')],
        ['delete', () => h.del(`/v1/kv/${h.key('p/b')}`)],
      ];
      for (const [what, change] of changes) {
        const index = (await h.get(`/v1/kv/${p}?recurse`)).index;
        const waiting = h.get(`/v1/kv/${p}?recurse&index=${index}&wait=10s`);
        await h.t.parked(1);
        await change();
        const res = await waiting;
        expect(res.index, what).toBeGreaterThan(index);
      }
      const index = (await h.get(`/v1/kv/${p}?recurse`)).index;
      const waiting = h.get(`/v1/kv/${p}?recurse&index=${index}&wait=10s`);
      await h.t.parked(1);
      await h.put(`/v1/kv/${h.key('q/outside')}`, 'v');
      expect(await h.settled(waiting)).toBe(false);
    },
  );

  rule(
    ctx,
    61,
    'wait defaults to 300 s and is capped at 600 s, plus a jitter below wait/16',
    async () => {
      const h = ctx.h();
      const k = h.key('a');
      await h.put(`/v1/kv/${k}`, 'v');
      const index = (await h.get(`/v1/kv/${k}`)).index;
      const byDefault = h.get(`/v1/kv/${k}?index=${index}`);
      await h.t.parked(1);
      await h.t.elapse(299_900);
      expect(await h.settled(byDefault)).toBe(false);
      await h.t.elapse(300_000 / 16 + 101);
      expect((await byDefault).status).toBe(200);
      const capped = h.get(`/v1/kv/${k}?index=${index}&wait=900s`);
      await h.t.parked(1);
      await h.t.elapse(599_900);
      expect(await h.settled(capped)).toBe(false);
      await h.t.elapse(600_000 / 16 + 101);
      expect((await capped).status).toBe(200);
    },
    { needs: [{ need: 'virtualTime', why: '5 and 10 minute waits' }] },
  );

  rule(ctx, 62, 'wait without a unit and a non-numeric index are 400s', async () => {
    const h = ctx.h();
    const wait = await h.get(`/v1/kv/${h.key('a')}?wait=10`);
    expect(wait.status).toBe(400);
    expect(wait.text).toBe('Invalid wait time');
    const index = await h.get(`/v1/kv/${h.key('a')}?index=abc`);
    expect(index.status).toBe(400);
    expect(index.text).toBe('Invalid index');
  });

  rule(ctx, 63, 'no response carries X-Consul-Index: 0, even on an empty store', async () => {
    const h = ctx.h();
    const reads = [
      `/v1/kv/${h.key('missing')}`,
      `/v1/kv/${h.key('none')}?recurse`,
      `/v1/kv/${h.key('none/')}?keys`,
      '/v1/session/list',
      `/v1/session/info/00000000-1111-2222-3333-444444444444`,
      `/v1/session/node/${h.name('n')}`,
      `/v1/health/service/${h.name('nothing')}`,
      '/v1/catalog/nodes',
    ];
    for (const path of reads) {
      const res = await h.get(path);
      expect(res.headers.get('x-consul-index'), path).not.toBeNull();
      expect(res.index, path).toBeGreaterThanOrEqual(1);
    }
  });

  rule(
    ctx,
    64,
    'reads carry KnownLeader, LastContact and Effective-Consistency; writes carry none',
    async () => {
      const h = ctx.h();
      const k = h.key('a');
      const write = await h.put(`/v1/kv/${k}`, 'v');
      for (const name of [
        'x-consul-index',
        'x-consul-knownleader',
        'x-consul-lastcontact',
        'x-consul-effective-consistency',
      ]) {
        expect(write.headers.get(name), name).toBeNull();
      }
      const cases: [string, string][] = [
        ['', 'leader'],
        ['?consistent', 'consistent'],
        ['?stale', 'stale'],
      ];
      for (const [q, mode] of cases) {
        const res = await h.get(`/v1/kv/${k}${q}`);
        expect(res.headers.get('x-consul-knownleader')).toBe('true');
        expect(res.headers.get('x-consul-effective-consistency')).toBe(mode);
        if (mode !== 'stale') expect(res.headers.get('x-consul-lastcontact')).toBe('0');
        else expect(Number(res.headers.get('x-consul-lastcontact'))).toBeGreaterThanOrEqual(0);
      }
    },
  );

  rule(ctx, 65, '?stale together with ?consistent is a 400', async () => {
    const h = ctx.h();
    const res = await h.get(`/v1/kv/${h.key('a')}?stale&consistent`);
    expect(res.status).toBe(400);
    expect(res.text).toBe('Cannot specify ?stale with ?consistent, conflicting semantics.');
  });

  rule(ctx, 66, 'a blocking session info wakes when the session is destroyed and answers []', async () => {
    const h = ctx.h();
    const s = await h.session();
    const index = (await h.get(`/v1/session/info/${s}`)).index;
    const p = h.get(`/v1/session/info/${s}?index=${index}&wait=10s`);
    await h.t.parked(1);
    await h.put(`/v1/session/destroy/${s}`);
    const res = await p;
    expect(res.status).toBe(200);
    expect(res.text).toBe('[]');
    expect(res.index).toBeGreaterThan(index);
  });
}

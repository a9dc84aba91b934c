/** Rules 18–32 (spec §10 "KV basics"). */
import { expect } from 'vitest';
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

export function kvRules(ctx: RuleContext): void {
  const entry = async (key: string): Promise<{ e: Entry; index: number; text: string }> => {
    const res = await ctx.h().get(`/v1/kv/${key}`);
    expect(res.status, `GET ${key}`).toBe(200);
    return { e: res.json<Entry[]>()[0]!, index: res.index, text: res.text };
  };

  rule(ctx, 18, 'a missing key is a 404 with an empty body and an index of at least 1', async () => {
    const h = ctx.h();
    const res = await h.get(`/v1/kv/${h.key('missing')}`);
    expect(res.status).toBe(404);
    expect(res.text).toBe('');
    expect(res.index).toBeGreaterThanOrEqual(1);
  });

  rule(ctx, 19, 'PUT stores the body; GET shows base64, zero flags, no session, equal indexes', async () => {
    const h = ctx.h();
    const k = h.key('a');
    const put = await h.put(`/v1/kv/${k}`, 'x');
    expect(put.status).toBe(200);
    expect(put.text).toBe('true');
    const { e, index } = await entry(k);
    expect(e).toMatchObject({ Key: k, Value: 'eA==', Flags: 0, LockIndex: 0 });
    expect(e).not.toHaveProperty('Session');
    expect(e.CreateIndex).toBe(e.ModifyIndex);
    expect(index).toBe(e.ModifyIndex);
  });

  rule(ctx, 20, 'an empty PUT body is stored as Value null', async () => {
    const h = ctx.h();
    const k = h.key('empty');
    await h.put(`/v1/kv/${k}`);
    const { e, text } = await entry(k);
    expect(e.Value).toBeNull();
    expect(text).toContain('"Value":null');
  });

  rule(ctx, 21, 're-PUTting the same value and flags changes no index', async () => {
    const h = ctx.h();
    const k = h.key('same');
    await h.put(`/v1/kv/${k}?flags=7`, 'v');
    const before = await entry(k);
    const again = await h.put(`/v1/kv/${k}?flags=7`, 'v');
    expect(again.text).toBe('true');
    const after = await entry(k);
    expect(after.e.ModifyIndex).toBe(before.e.ModifyIndex);
    expect(after.index).toBe(before.index);
  });

  rule(ctx, 22, '?flags sets Flags and a PUT without it resets them to 0', async () => {
    const h = ctx.h();
    const k = h.key('flags');
    await h.put(`/v1/kv/${k}?flags=42`, 'v');
    expect((await entry(k)).e.Flags).toBe(42);
    await h.put(`/v1/kv/${k}`, 'v');
    expect((await entry(k)).e.Flags).toBe(0);
  });

  rule(ctx, 23, '?cas=0 creates a missing key once', async () => {
    const h = ctx.h();
    const k = h.key('new');
    expect((await h.put(`/v1/kv/${k}?cas=0`, 'one')).text).toBe('true');
    expect((await h.put(`/v1/kv/${k}?cas=0`, 'two')).text).toBe('false');
    expect((await entry(k)).e.Value).toBe(Buffer.from('one').toString('base64'));
  });

  rule(ctx, 24, '?cas succeeds with the current ModifyIndex and fails with a stale one', async () => {
    const h = ctx.h();
    const k = h.key('cas');
    await h.put(`/v1/kv/${k}`, 'v1');
    const first = (await entry(k)).e.ModifyIndex;
    expect((await h.put(`/v1/kv/${k}?cas=${first}`, 'v2')).text).toBe('true');
    expect((await h.put(`/v1/kv/${k}?cas=${first}`, 'v3')).text).toBe('false');
    expect((await entry(k)).e.Value).toBe(Buffer.from('v2').toString('base64'));
  });

  rule(ctx, 25, 'cas with acquire is a 400 Conflicting flags', async () => {
    const h = ctx.h();
    const res = await h.put(`/v1/kv/${h.key('c')}?cas=1&acquire=00000000-1111-2222-3333-444444444444`, 'v');
    expect(res.status).toBe(400);
    expect(res.text.startsWith('Conflicting flags: ')).toBe(true);
    expect(res.text).toBe('Conflicting flags: acquire=00000000-1111-2222-3333-444444444444&cas=1');
  });

  rule(ctx, 26, 'PUT on an empty key is a 400 Missing key name', async () => {
    const res = await ctx.h().put('/v1/kv/', 'v');
    expect(res.status).toBe(400);
    expect(res.text).toBe('Missing key name');
  });

  rule(ctx, 27, 'a body over 524288 bytes is a 413', async () => {
    const h = ctx.h();
    const res = await h.put(`/v1/kv/${h.key('big')}`, Buffer.alloc(524_289, 0x61));
    expect(res.status).toBe(413);
    expect(res.text).toContain('Request body(524289 bytes) too large, max size: 524288 bytes');
    const ok = await h.put(`/v1/kv/${h.key('max')}`, Buffer.alloc(524_288, 0x61));
    expect(ok.status).toBe(200);
  });

  rule(ctx, 28, 'DELETE answers true, also for a missing key', async () => {
    const h = ctx.h();
    const k = h.key('del');
    await h.put(`/v1/kv/${k}`, 'v');
    expect((await h.del(`/v1/kv/${k}`)).text).toBe('true');
    expect((await h.get(`/v1/kv/${k}`)).status).toBe(404);
    expect((await h.del(`/v1/kv/${k}`)).text).toBe('true');
  });

  rule(
    ctx,
    29,
    'DELETE ?cas deletes on a match, refuses a mismatch or 0, and is true on a missing key',
    async () => {
      const h = ctx.h();
      const k = h.key('dcas');
      await h.put(`/v1/kv/${k}`, 'v');
      const idx = (await entry(k)).e.ModifyIndex;
      expect((await h.del(`/v1/kv/${k}?cas=0`)).text).toBe('false');
      expect((await h.del(`/v1/kv/${k}?cas=${idx + 1000}`)).text).toBe('false');
      expect((await h.get(`/v1/kv/${k}`)).status).toBe(200);
      expect((await h.del(`/v1/kv/${k}?cas=${idx}`)).text).toBe('true');
      expect((await h.get(`/v1/kv/${k}`)).status).toBe(404);
      expect((await h.del(`/v1/kv/${k}?cas=12345`)).text).toBe('true');
    },
  );

  rule(
    ctx,
    30,
    '?recurse lists every key under the prefix, sorted; 404 when none; =false still recurses',
    async () => {
      const h = ctx.h();
      const p = h.key('p');
      for (const k of ['p/c', 'p/a', 'p/b/x', 'q']) await h.put(`/v1/kv/${h.key(k)}`, k);
      const res = await h.get(`/v1/kv/${p}?recurse`);
      expect(res.status).toBe(200);
      expect(res.json<Entry[]>().map((e) => e.Key)).toEqual([h.key('p/a'), h.key('p/b/x'), h.key('p/c')]);
      const withFalse = await h.get(`/v1/kv/${p}?recurse=false`);
      expect(withFalse.json<Entry[]>()).toHaveLength(3);
      const none = await h.get(`/v1/kv/${h.key('nothing')}?recurse`);
      expect(none.status).toBe(404);
      expect(none.text).toBe('');
    },
  );

  rule(
    ctx,
    31,
    '?keys&separator lists first-level keys and sub-prefixes once; 404 for a non-empty prefix with none',
    async () => {
      const h = ctx.h();
      for (const k of ['p/bar', 'p/foo', 'p/sub/x', 'p/sub/y']) await h.put(`/v1/kv/${h.key(k)}`, 'v');
      const res = await h.get(`/v1/kv/${h.key('p/')}?keys&separator=/`);
      expect(res.status).toBe(200);
      expect(res.json()).toEqual([h.key('p/bar'), h.key('p/foo'), h.key('p/sub/')]);
      expect((await h.get(`/v1/kv/${h.key('none/')}?keys`)).status).toBe(404);
      if (h.t.fresh) {
        for (const k of ['p/bar', 'p/foo', 'p/sub/x', 'p/sub/y']) await h.del(`/v1/kv/${h.key(k)}`);
        const empty = await h.get('/v1/kv/?keys');
        expect(empty.status).toBe(200);
        expect(empty.text).toBe('[]');
      }
    },
  );

  rule(ctx, 32, '?raw answers the bytes as text/plain', async () => {
    const h = ctx.h();
    const k = h.key('raw');
    const bytes = Buffer.from([0x68, 0x69, 0x00, 0xff]);
    await h.put(`/v1/kv/${k}`, bytes);
    const res = await fetch(`${h.t.url}/v1/kv/${k}?raw`, {
      headers: h.t.token == null ? {} : { 'X-Consul-Token': h.t.token },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });
}

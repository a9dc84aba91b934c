/** Rules 67–70 (spec §10 "Leader loss and ACLs"). */
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { CONTRACT_ACL } from './driver';
import { createHarness, type Harness } from './harness';
import { rule, type RuleContext } from './rule-context';

export function leaderRules(ctx: RuleContext): void {
  rule(
    ctx,
    67,
    'without a leader writes and default reads fail after rpc_hold_timeout, ?stale reads work, status/leader is ""',
    async () => {
      const h = ctx.h();
      const k = h.key('a');
      await h.put(`/v1/kv/${k}`, 'v');
      const { emulator } = ctx.controls();
      emulator.loseLeader();
      const write = h.put(`/v1/kv/${k}`, 'w');
      const read = h.get(`/v1/kv/${k}`);
      await h.t.parked(2);
      await h.t.elapse(6900);
      expect(await h.settled(write)).toBe(false);
      await h.t.elapse(100);
      for (const p of [write, read]) {
        const res = await p;
        expect(res.status).toBe(500);
        expect(res.text).toContain('No cluster leader');
      }
      const stale = await h.get(`/v1/kv/${k}?stale`);
      expect(stale.status).toBe(200);
      expect(stale.headers.get('x-consul-knownleader')).toBe('false');
      expect((await h.get('/v1/status/leader')).text).toBe('""');
      emulator.restoreLeader();
      expect((await h.put(`/v1/kv/${k}`, 'w')).text).toBe('true');
    },
    { needs: [{ need: 'controls', why: 'leader loss' }] },
  );

  rule(
    ctx,
    68,
    'a TTL session outlives a leader outage and expires 2×TTL after the leader returns',
    async () => {
      const h = ctx.h();
      const s = await h.session({ TTL: '10s' });
      const alive = async (): Promise<boolean> =>
        (await h.get(`/v1/session/info/${s}?stale`)).json<unknown[]>().length === 1;
      await h.t.elapse(5000);
      const { emulator } = ctx.controls();
      emulator.loseLeader();
      await h.t.elapse(60_000);
      expect(await alive()).toBe(true);
      emulator.restoreLeader();
      await h.t.elapse(19_900);
      expect(await alive()).toBe(true);
      await h.t.elapse(101);
      expect(await alive()).toBe(false);
    },
    {
      needs: [
        { need: 'controls', why: 'leader loss' },
        { need: 'virtualTime', why: '80 s of TTL' },
      ],
    },
  );

  describe('with ACLs enabled (default deny)', () => {
    let acl: Harness | undefined;
    beforeEach(async () => {
      if (ctx.driver.capabilities.acl) acl = createHarness(await ctx.driver.aclTarget());
    });
    afterEach(async () => {
      await acl?.cleanup();
      await acl?.t.close();
      acl = undefined;
    });

    rule(
      ctx,
      69,
      'a token without key:write gets 403 Permission denied; an unknown token 403 ACL not found',
      async () => {
        const h = acl!;
        const k = h.key('a');
        const denied = await h.put(`/v1/kv/${k}`, 'v', {
          headers: { 'X-Consul-Token': CONTRACT_ACL.readOnly },
        });
        expect(denied.status).toBe(403);
        expect(denied.text.startsWith('Permission denied')).toBe(true);
        expect(denied.text).toBe(
          `Permission denied: token with AccessorID '${CONTRACT_ACL.readOnlyAccessor}' lacks permission 'key:write' on "${k}"`,
        );
        const unknown = await h.put(`/v1/kv/${k}`, 'v', { headers: { 'X-Consul-Token': 'not-a-token' } });
        expect(unknown.status).toBe(403);
        expect(unknown.text).toBe('ACL not found');
        const anonymous = await h.put(`/v1/kv/${k}`, 'v');
        expect(anonymous.status).toBe(403);
        expect(anonymous.headers.get('x-consul-default-acl-policy')).toBe('deny');
      },
      { needs: [{ need: 'acl', why: 'ACL tokens' }] },
    );

    rule(
      ctx,
      70,
      'the token comes from X-Consul-Token, Authorization: Bearer or ?token=, and ?token= wins',
      async () => {
        const h = acl!;
        const k = h.key('a');
        const root = CONTRACT_ACL.management;
        const ro = CONTRACT_ACL.readOnly;
        expect((await h.put(`/v1/kv/${k}`, 'v', { headers: { 'X-Consul-Token': root } })).status).toBe(200);
        expect(
          (await h.put(`/v1/kv/${k}`, 'v', { headers: { Authorization: `Bearer ${root}` } })).status,
        ).toBe(200);
        expect((await h.put(`/v1/kv/${k}?token=${root}`, 'v')).status).toBe(200);
        expect(
          (await h.put(`/v1/kv/${k}?token=${root}`, 'v', { headers: { 'X-Consul-Token': ro } })).status,
        ).toBe(200);
        expect(
          (await h.put(`/v1/kv/${k}?token=${ro}`, 'v', { headers: { 'X-Consul-Token': root } })).status,
        ).toBe(403);
        expect(
          (await h.put(`/v1/kv/${k}`, 'v', { headers: { Authorization: `Basic ${root}` } })).status,
        ).toBe(403);
      },
      { needs: [{ need: 'acl', why: 'ACL tokens' }] },
    );
  });
}

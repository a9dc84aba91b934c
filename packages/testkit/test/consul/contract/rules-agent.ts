/** Rules 71–78 (spec §10 "Agent, health and status"). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { rule, type RuleContext } from './rule-context';

interface AgentCheck {
  CheckID: string;
  Name: string;
  Status: string;
  Output: string;
  ServiceID: string;
}

async function healthServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/health`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function agentRules(ctx: RuleContext): void {
  rule(ctx, 71, 'pass on an unknown check id is a 404 Unknown check ID', async () => {
    const h = ctx.h();
    const id = h.name('unknown');
    const res = await h.put(`/v1/agent/check/pass/${id}`);
    expect(res.status).toBe(404);
    expect(res.text).toContain(`Unknown check ID "${id}"`);
  });

  rule(ctx, 72, 'pass on an HTTP check is a 500: it has no TTL', async () => {
    const h = ctx.h();
    const target = await healthServer();
    try {
      const id = h.name('http-check');
      const reg = await h.put('/v1/agent/check/register', {
        ID: id,
        Name: id,
        HTTP: target.url,
        Interval: '10s',
      });
      expect(reg.status).toBe(200);
      const res = await h.put(`/v1/agent/check/pass/${id}`);
      expect(res.status).toBe(500);
      expect(res.text).toBe(`CheckID "${id}" does not have associated TTL`);
      await h.put(`/v1/agent/check/deregister/${id}`);
    } finally {
      await target.close();
    }
  });

  rule(ctx, 73, 'check update with an unknown status is a 400', async () => {
    const h = ctx.h();
    const id = await h.ttlCheck('u');
    const res = await h.put(`/v1/agent/check/update/${id}`, { Status: 'bad' });
    expect(res.status).toBe(400);
    expect(res.text).toBe("Invalid check status: 'bad'");
  });

  rule(
    ctx,
    74,
    "a service check gets ID service:<id>, name Service '<name>' check, and starts critical",
    async () => {
      const h = ctx.h();
      const web = h.name('web');
      await h.service({ Name: web, Check: { TTL: '10s' } });
      const checks = (await h.get('/v1/agent/checks')).json<Record<string, AgentCheck>>();
      expect(checks[`service:${web}`]).toMatchObject({
        CheckID: `service:${web}`,
        Name: `Service '${web}' check`,
        Status: 'critical',
        ServiceID: web,
      });
      const two = h.name('two');
      await h.service({ Name: two, Checks: [{ TTL: '10s' }, { TTL: '20s' }] });
      const after = (await h.get('/v1/agent/checks')).json<Record<string, AgentCheck>>();
      expect(after).toHaveProperty(`service:${two}:1`);
      expect(after).toHaveProperty(`service:${two}:2`);
    },
  );

  rule(ctx, 75, 'a TTL check not updated within its TTL turns critical with TTL expired output', async () => {
    const h = ctx.h();
    const id = await h.ttlCheck('ttl', { ttl: '2s' });
    const passedAt = h.t.now();
    await h.put(`/v1/agent/check/pass/${id}?note=fine`);
    await h.t.elapseUntil(passedAt + 1500);
    expect((await h.get('/v1/agent/checks')).json<Record<string, AgentCheck>>()[id]!.Status).toBe('passing');
    await h.t.elapseUntil(passedAt + 2600);
    const check = (await h.get('/v1/agent/checks')).json<Record<string, AgentCheck>>()[id]!;
    expect(check.Status).toBe('critical');
    expect(check.Output.startsWith('TTL expired')).toBe(true);
    expect(check.Output).toBe('TTL expired (last output before timeout follows): fine');
  });

  rule(
    ctx,
    76,
    '?passing drops an instance when any of its service or node checks is not passing',
    async () => {
      const h = ctx.h();
      const svc = h.name('svc');
      await h.service({ Name: svc, Check: { TTL: '60s', Status: 'passing' } });
      const count = async (): Promise<number> =>
        (await h.get(`/v1/health/service/${svc}?passing`)).json<unknown[]>().length;
      await h.eventually(async () => expect(await count()).toBe(1));
      await h.put(`/v1/agent/check/warn/service:${svc}`);
      await h.eventually(async () => expect(await count()).toBe(0));
      await h.put(`/v1/agent/check/pass/service:${svc}`);
      await h.eventually(async () => expect(await count()).toBe(1));
      const nodeCheck = await h.ttlCheck('node-level', { status: 'warning' });
      await h.eventually(async () => expect(await count()).toBe(0));
      const all = (await h.get(`/v1/health/service/${svc}`)).json<{ Checks: { CheckID: string }[] }[]>();
      expect(all).toHaveLength(1);
      expect(all[0]!.Checks.map((c) => c.CheckID)).toEqual(
        expect.arrayContaining(['serfHealth', nodeCheck, `service:${svc}`]),
      );
    },
  );

  rule(ctx, 77, 'status/leader is a JSON "ip:8300" string and status/peers an array of them', async () => {
    const h = ctx.h();
    const leader = await h.get('/v1/status/leader');
    expect(leader.status).toBe(200);
    expect(leader.text).toMatch(/^"[0-9a-fA-F.:[\]]+:8300"$/);
    const peers = (await h.get('/v1/status/peers')).json<string[]>();
    expect(peers.length).toBeGreaterThan(0);
    for (const p of peers) expect(p).toMatch(/^[0-9a-fA-F.:[\]]+:\d+$/);
    expect(peers).toContain(leader.json<string>());
  });

  rule(ctx, 78, 'agent/self reports the node name and datacenter', async () => {
    const h = ctx.h();
    const self = (await h.get('/v1/agent/self')).json<{ Config: { NodeName: string; Datacenter: string } }>();
    expect(self.Config.NodeName).toBe(h.t.node);
    expect(typeof self.Config.Datacenter).toBe('string');
    if (h.t.fresh) expect(self.Config.Datacenter).toBe('dc1');
  });
}

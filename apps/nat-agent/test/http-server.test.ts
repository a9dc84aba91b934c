import { afterEach, describe, expect, it } from 'vitest';
import type { ReportedHealth } from '../src/core/health-report';
import { startAgentHttpServer, type AgentHttpServer } from '../src/http/agent-http-server';
import { createPrometheusMetrics } from '../src/observability/prometheus-metrics';

const servers: AgentHttpServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

describe('agent HTTP endpoints (loopback)', () => {
  it('serves /health/live, /health with Consul status codes, /status and /metrics', async () => {
    let health: ReportedHealth = { status: 'healthy', httpStatus: 200, reasons: [] };
    let live = true;
    const metrics = createPrometheusMetrics({ version: '1.2.3', instanceId: 'i-1', az: 'us-east-1a' });
    metrics.groupState('az-a', 'leader.serving');
    metrics.leader('az-a', 'primary', true);
    metrics.failover('az-a', 'health_lost');
    metrics.ec2Call('ReplaceRoute', 'ok', 120);
    metrics.orphanSessionDestroyed();
    const server = await startAgentHttpServer({
      host: '127.0.0.1',
      port: 0,
      sources: {
        live: () => ({ live, stallMs: live ? 0 : 5_000 }),
        health: () => health,
        status: () => ({ groups: [{ name: 'az-a', state: 'leader.serving' }] }),
        metrics: () => metrics.render(),
      },
    });
    servers.push(server);
    const get = (p: string) => fetch(`${server.url}${p}`);

    expect((await get('/health/live')).status).toBe(200);
    live = false;
    const stalled = await get('/health/live');
    expect(stalled.status).toBe(503);
    expect(await stalled.json()).toEqual({ status: 'stalled', stallMs: 5_000 });

    expect((await get('/health')).status).toBe(200);
    health = { status: 'degraded', httpStatus: 429, reasons: ['Internet path degraded'] };
    expect((await get('/health')).status).toBe(429);
    health = { status: 'unhealthy', httpStatus: 503, reasons: ['data plane: net.ipv4.ip_forward is 0'] };
    const bad = await get('/health');
    expect(bad.status).toBe(503);
    expect(await bad.json()).toEqual({
      status: 'unhealthy',
      reasons: ['data plane: net.ipv4.ip_forward is 0'],
    });

    expect(await (await get('/status')).json()).toEqual({
      groups: [{ name: 'az-a', state: 'leader.serving' }],
    });

    const text = await (await get('/metrics')).text();
    expect(text).toContain('nat_ha_group_state{group="az-a",state="leader.serving"} 1');
    expect(text).toContain('nat_ha_group_state{group="az-a",state="follower.contending"} 0');
    expect(text).toContain('nat_ha_leader{group="az-a",role="primary"} 1');
    expect(text).toContain('nat_ha_failovers_total{group="az-a",reason="health_lost"} 1');
    expect(text).toContain('nat_ha_ec2_calls_total{action="ReplaceRoute",outcome="ok"} 1');
    expect(text).toContain('nat_ha_orphan_sessions_destroyed_total 1');
    expect(text).toContain('nat_ha_info{version="1.2.3",instance_id="i-1",az="us-east-1a"} 1');
    expect(text).toContain('process_resident_memory_bytes');

    expect((await get('/nope')).status).toBe(404);
    expect((await fetch(`${server.url}/health`, { method: 'POST' })).status).toBe(405);
  });
});

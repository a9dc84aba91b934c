import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVirtualClock } from '@nat-ha/testkit';
import { describe, expect, it, vi } from 'vitest';
import { createHealthHandler } from '../src/health-handler';
import type { HealthReport } from '../src/health-status';
import { listenHealth } from '../src/listen-health';
import { createMonitor, type MonitorSnapshot } from '../src/monitor';
import type { Probe } from '../src/probe';

// Loopback only (CONTRIBUTING.md, "Test hygiene" 1). Status codes follow consul-http-api.md §6.3:
// 2xx passing, 429 warning, anything else critical.

function fakeSnapshot(overrides: Partial<MonitorSnapshot> = {}): MonitorSnapshot {
  return {
    state: 'healthy',
    since: 1000,
    streak: 0,
    rise: 3,
    fall: 2,
    quorum: 1,
    running: true,
    rounds: [],
    targets: [],
    ...overrides,
  };
}

const round = (seq: number, passed: number, total = 2) => ({
  seq,
  startedAt: seq * 1000,
  durationMs: 5,
  ok: passed >= 1,
  passed,
  total,
  quorum: 1,
  results: [],
});

async function get(url: string, init: RequestInit = {}) {
  const res = await fetch(url, init);
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').startsWith('application/json') && text !== '';
  return {
    status: res.status,
    headers: res.headers,
    text,
    body: json ? (JSON.parse(text) as HealthReport) : undefined,
  };
}

describe('listenHealth + createHealthHandler over loopback HTTP', () => {
  it('follows a real monitor: 503 until rise rounds pass, then 200, with the last rounds as JSON', async () => {
    const clock = createVirtualClock(0);
    let up = true;
    const probes: Probe[] = ['a', 'b'].map((target) => ({
      target,
      run: async () =>
        up
          ? { target, ok: true, latencyMs: 3 }
          : { target, ok: false, latencyMs: 800, error: { code: 'PROBE_TIMEOUT', message: 'no answer' } },
    }));
    const monitor = createMonitor({ probes, clock, jitterMs: 0, rise: 2, fall: 2 });
    const server = await listenHealth({ handler: createHealthHandler({ monitor, roundsInBody: 2 }) });
    try {
      expect(server.host).toBe('127.0.0.1');
      const initial = await get(`${server.url}/health`);
      expect(initial.status).toBe(503);
      expect(initial.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(initial.headers.get('cache-control')).toBe('no-store');
      expect(initial.body).toMatchObject({ status: 'critical', state: 'unhealthy', rounds: [] });

      monitor.start();
      await clock.advanceTo(1010); // two passing rounds
      const healthy = await get(`${server.url}/health`);
      expect(healthy.status).toBe(200);
      expect(healthy.body).toMatchObject({
        status: 'passing',
        state: 'healthy',
        degraded: false,
        overridden: false,
      });
      expect(healthy.body!.rounds.map((r) => r.seq)).toEqual([1, 2]);
      expect(healthy.body!.rounds[0]!.results).toEqual([
        { target: 'a', ok: true, latencyMs: 3 },
        { target: 'b', ok: true, latencyMs: 3 },
      ]);

      up = false;
      await clock.advanceTo(2010); // one failing round: still healthy (fall 2), degraded
      expect((await get(`${server.url}/health`)).body).toMatchObject({ status: 'passing', degraded: true });
      await clock.advanceTo(3010); // second failing round: critical
      const down = await get(`${server.url}/health`);
      expect(down.status).toBe(503);
      expect(down.body!.rounds.map((r) => r.seq)).toEqual([3, 4]);
      expect(down.body!.rounds[1]!.results[0]).toMatchObject({ ok: false, error: { code: 'PROBE_TIMEOUT' } });
    } finally {
      await monitor.stop();
      await server.close();
    }
  });

  it('answers 429 for a degraded monitor when degradedStatus is warning (warning keeps the session, rule 53)', async () => {
    const snapshot = fakeSnapshot({ rounds: [round(1, 1)] });
    const server = await listenHealth({
      handler: createHealthHandler({ monitor: { snapshot: () => snapshot }, degradedStatus: 'warning' }),
    });
    try {
      const res = await get(`${server.url}/health`);
      expect(res.status).toBe(429);
      expect(res.body).toMatchObject({ status: 'warning', degraded: true });
    } finally {
      await server.close();
    }
  });

  it("lets the app gate the status: a provider that holds 'passing' while it resigns, and setOverride", async () => {
    let snapshot = fakeSnapshot({ state: 'unhealthy', rounds: [round(1, 0)] });
    let resigned = false;
    const provider = vi.fn((computed: HealthReport) =>
      computed.status === 'critical' && !resigned ? 'passing' : undefined,
    );
    const handler = createHealthHandler({ monitor: { snapshot: () => snapshot }, status: provider });
    const server = await listenHealth({ handler });
    try {
      const gated = await get(`${server.url}/health`);
      expect(gated.status).toBe(200);
      expect(gated.body).toMatchObject({ status: 'passing', state: 'unhealthy', overridden: true });
      expect(provider).toHaveBeenLastCalledWith(expect.objectContaining({ status: 'critical' }));
      resigned = true;
      expect((await get(`${server.url}/health`)).status).toBe(503);

      snapshot = fakeSnapshot({ rounds: [round(2, 2)] });
      expect((await get(`${server.url}/health`)).status).toBe(200);
      handler.setOverride('critical', 'draining for shutdown');
      const drained = await get(`${server.url}/health`);
      expect(drained.status).toBe(503);
      expect(drained.body).toMatchObject({
        status: 'critical',
        overridden: true,
        reason: 'draining for shutdown',
      });
      handler.setOverride('warning');
      expect((await get(`${server.url}/health`)).status).toBe(429);
      handler.setOverride(undefined);
      expect((await get(`${server.url}/health`)).status).toBe(200);
      expect(() => handler.setOverride('ok' as never)).toThrow(/setOverride\(status\) must be/);
    } finally {
      await server.close();
    }
  });

  it('reports critical when the status provider throws or returns nonsense', async () => {
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    let mode: 'throw' | 'nonsense' = 'throw';
    const handler = createHealthHandler({
      monitor: { snapshot: () => fakeSnapshot({ rounds: [round(1, 2)] }) },
      status: () => {
        if (mode === 'throw') throw new Error('bug');
        return 'fine' as never;
      },
      logger,
    });
    const server = await listenHealth({ handler });
    try {
      expect((await get(`${server.url}/health`)).status).toBe(503);
      mode = 'nonsense';
      expect((await get(`${server.url}/health`)).body).toMatchObject({
        status: 'critical',
        reason: 'status provider returned fine',
      });
      expect(logger.error).toHaveBeenCalledTimes(2);
    } finally {
      await server.close();
    }
  });

  it('works without a monitor, from the status provider alone', async () => {
    const server = await listenHealth({ handler: createHealthHandler({ status: () => 'warning' }) });
    try {
      expect((await get(`${server.url}/health`)).status).toBe(429);
    } finally {
      await server.close();
    }
  });

  it('serves a configurable path, ignores the query string, 404s elsewhere, HEAD without body, 405 for POST', async () => {
    const handler = createHealthHandler({
      monitor: { snapshot: () => fakeSnapshot() },
      path: '/v1/nat/health',
    });
    const server = await listenHealth({ handler });
    try {
      expect((await get(`${server.url}/v1/nat/health?x=1`)).status).toBe(200);
      expect((await get(`${server.url}/health`)).status).toBe(404);
      const head = await get(`${server.url}/v1/nat/health`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.text).toBe('');
      const post = await get(`${server.url}/v1/nat/health`, { method: 'POST' });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET, HEAD');
    } finally {
      await server.close();
    }
  });

  it("mounts in an app's own server: handle() answers its path and leaves others to the app", async () => {
    const handler = createHealthHandler({ monitor: { snapshot: () => fakeSnapshot() } });
    const app = createServer((req, res) => {
      if (handler.handle(req, res)) return;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('app');
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    try {
      expect((await get(`${url}/health`)).body).toMatchObject({ status: 'passing' });
      expect((await get(`${url}/status`)).text).toBe('app');
    } finally {
      app.closeAllConnections();
      await new Promise((r) => app.close(r));
    }
  });

  it('closes when its signal aborts, and reports a taken port as HEALTH_LISTEN_FAILED', async () => {
    const handler = createHealthHandler({ monitor: { snapshot: () => fakeSnapshot() } });
    const ac = new AbortController();
    const server = await listenHealth({ handler, signal: ac.signal });
    await expect(listenHealth({ handler, port: server.port })).rejects.toMatchObject({
      code: 'HEALTH_LISTEN_FAILED',
      retryable: false,
    });
    ac.abort();
    await server.close();
    expect(server.server.listening).toBe(false);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    await expect(listenHealth({ handler, signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'ABORTED',
    });
  });

  it('validates its options by name', () => {
    expect(() => createHealthHandler({})).toThrow(/monitor must be set/);
    expect(() => createHealthHandler({ status: () => 'passing', path: 'health' })).toThrow(
      /path must be an absolute URL path/,
    );
    expect(() =>
      createHealthHandler({ status: () => 'passing', degradedStatus: 'critical' as never }),
    ).toThrow(/degradedStatus must be/);
    expect(() => createHealthHandler({ status: () => 'passing', roundsInBody: -1 })).toThrow(
      /roundsInBody must be/,
    );
  });
});

import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  createHealthHandler,
  createMonitor,
  createTcpProbe,
  listenHealth,
  type StateChangeEvent,
} from '../src/index';

// The README's usage, on loopback and the real (system) clock: four TCP targets, quorum 2, a health
// endpoint, and one AbortSignal that stops everything. Only eventual states are asserted, never speed.

function waitForChange(monitor: ReturnType<typeof createMonitor>, to: string): Promise<StateChangeEvent> {
  return new Promise((resolve) => {
    const off = monitor.on('change', (e) => {
      if (e.to === to) {
        off();
        resolve(e);
      }
    });
  });
}

describe('monitor + probes + health endpoint on loopback (system clock)', () => {
  it('turns healthy, then unhealthy when 3 of 4 targets refuse, and stops on abort', async () => {
    const servers: Server[] = [];
    for (let i = 0; i < 4; i++) {
      const s = createServer((c) => c.destroy());
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
      servers.push(s);
    }
    const ports = servers.map((s) => (s.address() as { port: number }).port);
    const ac = new AbortController();
    const probes = ports.map((port) => createTcpProbe({ host: '127.0.0.1', port, timeoutMs: 250 }));
    const monitor = createMonitor({
      probes,
      intervalMs: 300,
      jitterMs: 30,
      rise: 3,
      fall: 2,
      signal: ac.signal,
    });
    const server = await listenHealth({ handler: createHealthHandler({ monitor }), signal: ac.signal });
    try {
      const healthy = waitForChange(monitor, 'healthy');
      const done = monitor.run();
      expect((await healthy).rounds).toHaveLength(3);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);

      const unhealthy = waitForChange(monitor, 'unhealthy');
      for (const s of servers.slice(1)) await new Promise((r) => s.close(r));
      const change = await unhealthy;
      expect(change.rounds).toHaveLength(2);
      expect(change.failures.every((f) => f.code === 'PROBE_REFUSED')).toBe(true);
      expect(new Set(change.failures.map((f) => f.target))).toEqual(
        new Set(ports.slice(1).map((p) => `tcp://127.0.0.1:${p}`)),
      );
      const res = await fetch(`${server.url}/health`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: 'critical', state: 'unhealthy' });

      ac.abort();
      await done;
      expect(monitor.snapshot().running).toBe(false);
      await server.close();
      expect(server.server.listening).toBe(false);
    } finally {
      ac.abort();
      await server.close();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r(undefined)))));
    }
  });
});

import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTcpProbe } from '../src/tcp-probe';
import { closedTcpPort } from './helpers/ports';
import { startStalledListener } from './helpers/stalled-listener';

// Loopback only: real TCP servers on 127.0.0.1, port 0 (CONTRIBUTING.md, "Test hygiene" 1).
let server: Server;
let port: number;
const peers: string[] = [];

beforeAll(async () => {
  server = createServer((socket) => {
    peers.push(socket.remoteAddress ?? '');
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('createTcpProbe against loopback servers', () => {
  it('passes when the handshake completes, and measures a latency', async () => {
    const result = await createTcpProbe({ host: '127.0.0.1', port }).run();
    expect(result).toMatchObject({ target: `tcp://127.0.0.1:${port}`, ok: true });
    expect(result.error).toBeUndefined();
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('resolves a host name for IPv4 only by default', async () => {
    const result = await createTcpProbe({ host: 'localhost', port }).run();
    expect(result.ok).toBe(true);
    expect(peers.at(-1)).toBe('127.0.0.1');
  });

  it('reports a refused connection as PROBE_REFUSED, or a pass with acceptRefused', async () => {
    const closed = await closedTcpPort();
    const refused = await createTcpProbe({ host: '127.0.0.1', port: closed }).run();
    expect(refused).toMatchObject({ ok: false, error: { code: 'PROBE_REFUSED' } });
    expect(refused.error?.message).toContain('ECONNREFUSED');
    expect((await createTcpProbe({ host: '127.0.0.1', port: closed, acceptRefused: true }).run()).ok).toBe(
      true,
    );
  });

  it('reports a handshake that never completes as PROBE_TIMEOUT at timeoutMs', async () => {
    const stalled = await startStalledListener();
    try {
      const result = await createTcpProbe({ host: '127.0.0.1', port: stalled.port, timeoutMs: 300 }).run();
      expect(result).toMatchObject({
        ok: false,
        error: { code: 'PROBE_TIMEOUT', message: 'no answer within 300 ms' },
      });
      expect(result.latencyMs).toBeGreaterThanOrEqual(290);
    } finally {
      stalled.close();
    }
  });

  it('connects from localAddress, so the path follows that source', async () => {
    const result = await createTcpProbe({ host: '127.0.0.1', port, localAddress: '127.0.0.2' }).run();
    expect(result).toMatchObject({ ok: true, target: `tcp://127.0.0.1:${port} from 127.0.0.2` });
    expect(peers.at(-1)).toBe('127.0.0.2');
  });

  it("connects from an interface's address", async () => {
    expect((await createTcpProbe({ host: '127.0.0.1', port, interface: 'lo' }).run()).ok).toBe(true);
    expect(peers.at(-1)).toBe('127.0.0.1');
  });

  it('reports a source address that is not on this host as PROBE_SOURCE_UNAVAILABLE', async () => {
    const result = await createTcpProbe({ host: '127.0.0.1', port, localAddress: '192.0.2.77' }).run();
    expect(result).toMatchObject({ ok: false, error: { code: 'PROBE_SOURCE_UNAVAILABLE' } });
  });

  it('rejects with ABORTED when the signal aborts, tearing the socket down', async () => {
    const stalled = await startStalledListener();
    try {
      const ac = new AbortController();
      const run = createTcpProbe({ host: '127.0.0.1', port: stalled.port, timeoutMs: 10_000 }).run({
        signal: ac.signal,
      });
      setTimeout(() => ac.abort(), 50);
      await expect(run).rejects.toMatchObject({ code: 'ABORTED', retryable: false });
      await expect(
        createTcpProbe({ host: '127.0.0.1', port }).run({ signal: AbortSignal.abort() }),
      ).rejects.toMatchObject({
        code: 'ABORTED',
      });
    } finally {
      stalled.close();
    }
  });
});

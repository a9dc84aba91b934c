import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Agent, MockAgent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpProbe } from '../src/http-probe';
import { closedTcpPort } from './helpers/ports';
import { startStalledListener } from './helpers/stalled-listener';

// Loopback only: real HTTP(S) servers on 127.0.0.1, port 0 (CONTRIBUTING.md, "Test hygiene" 1).
// The certificate is a self-signed one for IP 127.0.0.1, valid 2000-2099, used only here.
const cert = readFileSync(new URL('./fixtures/loopback-cert.pem', import.meta.url));
const key = readFileSync(new URL('./fixtures/loopback-key.pem', import.meta.url));

interface Seen {
  method: string;
  url: string;
  from: string;
  headers: IncomingMessage['headers'];
}
const seen: Seen[] = [];

function routes(req: IncomingMessage, res: ServerResponse): void {
  seen.push({
    method: req.method ?? '',
    url: req.url ?? '',
    from: req.socket.remoteAddress ?? '',
    headers: req.headers,
  });
  const url = new URL(req.url ?? '/', 'http://x');
  switch (url.pathname) {
    case '/ok':
      res.end('ok');
      return;
    case '/204':
      res.writeHead(204).end();
      return;
    case '/503':
      res.writeHead(503).end('down');
      return;
    case '/redirect':
      res.writeHead(302, { location: '/ok' }).end();
      return;
    case '/slow': {
      const ms = Number(url.searchParams.get('ms') ?? '0');
      const t = setTimeout(() => res.end('late'), ms);
      res.on('close', () => clearTimeout(t));
      return;
    }
    case '/reset':
      req.socket.resetAndDestroy();
      return;
    case '/close':
      req.socket.destroy();
      return;
    case '/stalled-body':
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      return; // never ends
    case '/big':
      res.end(Buffer.alloc(1_000_000, 'x'));
      return;
    default:
      res.writeHead(404).end();
  }
}

let http: Server;
let https: Server;
let base: string;
let tlsBase: string;

const listen = (server: Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );

beforeAll(async () => {
  http = createServer(routes);
  https = createHttpsServer({ cert, key }, routes);
  base = `http://127.0.0.1:${await listen(http)}`;
  tlsBase = `https://127.0.0.1:${await listen(https)}`;
});
afterAll(async () => {
  http.closeAllConnections();
  https.closeAllConnections();
  await Promise.all([new Promise((r) => http.close(r)), new Promise((r) => https.close(r))]);
});

const probe = (path: string, extra: Partial<Parameters<typeof createHttpProbe>[0]> = {}) =>
  createHttpProbe({ url: `${base}${path}`, timeoutMs: 3000, ...extra });

describe('createHttpProbe against loopback servers', () => {
  it('passes on a 2xx and measures the time to the response headers', async () => {
    const result = await probe('/ok').run();
    expect(result).toMatchObject({ target: `${base}/ok`, ok: true });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/ok' });
    expect(seen.at(-1)?.headers).toMatchObject({ 'user-agent': 'nat-ha-net-health', connection: 'close' });
    expect((await probe('/204').run()).ok).toBe(true);
  });

  it('reports a status outside the expected set as PROBE_WRONG_STATUS', async () => {
    expect(await probe('/503').run()).toMatchObject({
      ok: false,
      error: { code: 'PROBE_WRONG_STATUS', message: 'expected a 2xx status, got 503' },
    });
    expect(await probe('/ok', { expectedStatus: [204] }).run()).toMatchObject({
      ok: false,
      error: { code: 'PROBE_WRONG_STATUS', message: 'expected status 204, got 200' },
    });
    expect((await probe('/204', { expectedStatus: [204] }).run()).ok).toBe(true);
  });

  it('does not follow redirects; a 302 passes only when listed', async () => {
    expect((await probe('/redirect').run()).error?.code).toBe('PROBE_WRONG_STATUS');
    expect((await probe('/redirect', { expectedStatus: [301, 302] }).run()).ok).toBe(true);
    expect(seen.at(-1)?.url).toBe('/redirect');
  });

  it('with anyResponse, any status passes: the answer proves the path (alterNAT)', async () => {
    expect((await probe('/503', { anyResponse: true }).run()).ok).toBe(true);
    expect((await probe('/missing', { anyResponse: true }).run()).ok).toBe(true);
  });

  it('sends HEAD when asked, with extra headers', async () => {
    expect((await probe('/ok', { method: 'HEAD', headers: { 'x-probe': '1' } }).run()).ok).toBe(true);
    expect(seen.at(-1)).toMatchObject({
      method: 'HEAD',
      headers: expect.objectContaining({ 'x-probe': '1' }),
    });
  });

  it('passes a slow answer within the timeout and times out a slower one', async () => {
    expect((await probe('/slow?ms=100').run()).ok).toBe(true);
    const result = await probe('/slow?ms=5000', { timeoutMs: 300 }).run();
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'PROBE_TIMEOUT', message: 'no answer within 300 ms' },
    });
  });

  it('times out a connection that never completes its handshake', async () => {
    const stalled = await startStalledListener();
    try {
      const result = await createHttpProbe({
        url: `http://127.0.0.1:${stalled.port}/`,
        timeoutMs: 300,
      }).run();
      expect(result.error?.code).toBe('PROBE_TIMEOUT');
    } finally {
      stalled.close();
    }
  });

  it('reports a refused connection as PROBE_REFUSED', async () => {
    const port = await closedTcpPort();
    expect(await createHttpProbe({ url: `http://127.0.0.1:${port}/` }).run()).toMatchObject({
      ok: false,
      error: { code: 'PROBE_REFUSED' },
    });
  });

  it('reports a connection reset or closed before the response as PROBE_RESET', async () => {
    expect((await probe('/reset').run()).error?.code).toBe('PROBE_RESET');
    expect((await probe('/close').run()).error?.code).toBe('PROBE_RESET');
  });

  it('judges the status line: neither a large nor a stalled body holds the probe up', async () => {
    expect((await probe('/big').run()).ok).toBe(true);
    const stalled = await probe('/stalled-body', { timeoutMs: 1000 }).run();
    expect(stalled).toMatchObject({ ok: true });
  });

  it('connects from localAddress through its own undici Agent', async () => {
    const result = await probe('/ok', { localAddress: '127.0.0.2' }).run();
    expect(result).toMatchObject({ ok: true, target: `${base}/ok from 127.0.0.2` });
    expect(seen.at(-1)?.from).toBe('127.0.0.2');
    expect((await probe('/ok', { interface: 'lo' }).run()).ok).toBe(true);
    expect(seen.at(-1)?.from).toBe('127.0.0.1');
    expect((await probe('/ok', { localAddress: '192.0.2.77' }).run()).error?.code).toBe(
      'PROBE_SOURCE_UNAVAILABLE',
    );
  });

  it('makes a fresh connection every run (no socket predates a fault)', async () => {
    const ports = new Set<number>();
    const server = createServer((req, res) => {
      ports.add(req.socket.remotePort ?? 0);
      res.end();
    });
    const port = await listen(server);
    const p = createHttpProbe({ url: `http://127.0.0.1:${port}/` });
    for (let i = 0; i < 3; i++) expect((await p.run()).ok).toBe(true);
    await new Promise((r) => server.close(r));
    expect(ports.size).toBe(3);
  });

  it('sends through an injected dispatcher instead of its own Agent', async () => {
    const mock = new MockAgent();
    mock.disableNetConnect();
    mock.get('http://probe.invalid').intercept({ path: '/generate_204', method: 'GET' }).reply(204, '');
    mock.get('http://probe.invalid').intercept({ path: '/generate_204', method: 'GET' }).reply(500, '');
    const p = createHttpProbe({ url: 'http://probe.invalid/generate_204', dispatcher: mock });
    expect((await p.run()).ok).toBe(true);
    expect((await p.run()).error?.code).toBe('PROBE_WRONG_STATUS');
    await mock.close();

    const agent = new Agent({ localAddress: '127.0.0.3' });
    expect((await probe('/ok', { dispatcher: agent }).run()).ok).toBe(true);
    expect(seen.at(-1)?.from).toBe('127.0.0.3');
    await agent.close();
  });

  it('verifies TLS: an untrusted certificate is PROBE_TLS; a trusted CA passes', async () => {
    const untrusted = await createHttpProbe({ url: `${tlsBase}/ok`, timeoutMs: 3000 }).run();
    expect(untrusted).toMatchObject({ ok: false, error: { code: 'PROBE_TLS' } });
    expect((await createHttpProbe({ url: `${tlsBase}/ok`, tls: { ca: cert } }).run()).ok).toBe(true);
    expect(
      (await createHttpProbe({ url: `${tlsBase}/ok`, tls: { rejectUnauthorized: false } }).run()).ok,
    ).toBe(true);
    const wrongName = await createHttpProbe({
      url: `${tlsBase}/ok`,
      tls: { ca: cert, servername: 'example.com' },
    }).run();
    expect(wrongName.error?.code).toBe('PROBE_TLS');
  });

  it('rejects with ABORTED when the signal aborts mid-request', async () => {
    const ac = new AbortController();
    const run = probe('/slow?ms=5000', { timeoutMs: 10_000 }).run({ signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

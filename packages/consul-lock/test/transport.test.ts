/**
 * The client against real loopback servers: per-request timeouts on the injected clock (vitest fake
 * timers would not move AbortSignal.timeout, so the client never uses it), HTTPS with a CA bundle,
 * and the shape of agent registrations.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVirtualClock } from '@nat-ha/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createConsulClient,
  registerHealthService,
  registerTtlService,
  type ConsulClient,
} from '../src/index';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

const servers: Server[] = [];
const clients: ConsulClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return String((server.address() as AddressInfo).port);
}

function handle(handler: Handler) {
  return (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => handler(req, body, res));
  };
}

describe('per-request timeouts on the injected clock', () => {
  it('times out a request that never answers after exactly requestTimeoutMs of clock time → CONSUL_TIMEOUT, retryable', async () => {
    let arrived!: () => void;
    const got = new Promise<void>((resolve) => (arrived = resolve));
    const port = await listen(createServer(handle(() => arrived())));
    const clock = createVirtualClock(0);
    const consul = createConsulClient({
      baseUrl: `http://127.0.0.1:${port}`,
      clock,
      requestTimeoutMs: 2_000,
    });
    clients.push(consul);
    const outcome = consul.kv.get('k').catch((e: unknown) => e);
    await got;
    await clock.advance(1_999);
    let settled = false;
    void outcome.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    await clock.advance(1);
    expect(await outcome).toMatchObject({ code: 'CONSUL_TIMEOUT', retryable: true });
    expect(clock.pendingTimers()).toBe(0);
  });

  it('gives a blocking read its wait plus the server jitter (wait/16) before timing out (§4.1)', async () => {
    let arrived!: () => void;
    const got = new Promise<void>((resolve) => (arrived = resolve));
    const port = await listen(createServer(handle(() => arrived())));
    const clock = createVirtualClock(0);
    const consul = createConsulClient({
      baseUrl: `http://127.0.0.1:${port}`,
      clock,
      requestTimeoutMs: 1_000,
    });
    clients.push(consul);
    const outcome = consul.kv.get('k', { index: 5, waitMs: 16_000 }).catch((e: unknown) => e);
    await got;
    await clock.advance(16_000 + 1_000 + 999);
    let settled = false;
    void outcome.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    await clock.advance(1);
    expect(await outcome).toMatchObject({ code: 'CONSUL_TIMEOUT' });
  });

  it('an abort cancels the request at once, removes its timer and stays ABORTED', async () => {
    let arrived!: () => void;
    const got = new Promise<void>((resolve) => (arrived = resolve));
    const port = await listen(createServer(handle(() => arrived())));
    const clock = createVirtualClock(0);
    const consul = createConsulClient({ baseUrl: `http://127.0.0.1:${port}`, clock });
    clients.push(consul);
    const controller = new AbortController();
    const outcome = consul.kv.get('k', { signal: controller.signal }).catch((e: unknown) => e);
    await got;
    controller.abort();
    expect(await outcome).toMatchObject({ code: 'ABORTED', retryable: false });
    expect(clock.pendingTimers()).toBe(0);
  });

  it('a refused connection is CONSUL_UNAVAILABLE and retryable', async () => {
    const port = await listen(createServer());
    const closed = servers.pop()!;
    await new Promise((resolve) => closed.close(resolve));
    const consul = createConsulClient({ baseUrl: `http://127.0.0.1:${port}` });
    clients.push(consul);
    await expect(consul.status.leader()).rejects.toMatchObject({
      code: 'CONSUL_UNAVAILABLE',
      retryable: true,
    });
  });
});

describe('HTTPS with a CA bundle', () => {
  let dir: string;
  let ca: string;
  let cert: string;
  let key: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'consul-lock-tls-'));
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    run(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=test-ca',
    );
    run(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=consul.test',
    );
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    run(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.pem',
      '-days',
      '2',
      '-extfile',
      'ext.cnf',
    );
    ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
    cert = readFileSync(join(dir, 'server.pem'), 'utf8');
    key = readFileSync(join(dir, 'server.key'), 'utf8');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies the agent against the given CA and sends the token', async () => {
    let token: string | undefined;
    const server = createHttpsServer(
      { cert, key },
      handle((req, _body, res) => {
        token = req.headers['x-consul-token'] as string;
        res.setHeader('content-type', 'application/json');
        res.end('"127.0.0.1:8300"');
      }),
    );
    const port = await listen(server);
    const consul = createConsulClient({ baseUrl: `https://127.0.0.1:${port}`, tls: { ca }, token: 't-1' });
    clients.push(consul);
    expect(await consul.status.leader()).toBe('127.0.0.1:8300');
    expect(token).toBe('t-1');
  });

  it('refuses an agent whose certificate the CA bundle does not cover → CONSUL_TLS, not retryable', async () => {
    const server = createHttpsServer(
      { cert, key },
      handle((_req, _body, res) => res.end('""')),
    );
    const port = await listen(server);
    const consul = createConsulClient({ baseUrl: `https://127.0.0.1:${port}` });
    clients.push(consul);
    await expect(consul.status.leader()).rejects.toMatchObject({ code: 'CONSUL_TLS', retryable: false });
  });
});

describe('agent registration helpers (§6.1, §6.2)', () => {
  async function recordingAgent(): Promise<{
    consul: ConsulClient;
    requests: { method: string; url: string; body: unknown }[];
  }> {
    const requests: { method: string; url: string; body: unknown }[] = [];
    const port = await listen(
      createServer(
        handle((req, body, res) => {
          requests.push({
            method: req.method!,
            url: req.url!,
            body: body === '' ? undefined : JSON.parse(body),
          });
          res.end();
        }),
      ),
    );
    const consul = createConsulClient({ baseUrl: `http://127.0.0.1:${port}` });
    clients.push(consul);
    return { consul, requests };
  }

  it('registers the service with an HTTP check on the local health endpoint every 1 s, timeout 500 ms', async () => {
    const { consul, requests } = await recordingAgent();
    const service = await registerHealthService(consul, {
      name: 'nat-agent',
      healthUrl: 'http://127.0.0.1:9100/health',
      port: 9100,
    });
    expect(service).toMatchObject({
      serviceId: 'nat-agent',
      checkId: 'service:nat-agent',
      sessionChecks: { nodeChecks: ['serfHealth'], serviceChecks: ['service:nat-agent'] },
    });
    expect(requests).toEqual([
      {
        method: 'PUT',
        url: '/v1/agent/service/register?replace-existing-checks',
        body: {
          Name: 'nat-agent',
          ID: 'nat-agent',
          Port: 9100,
          Checks: [
            {
              CheckID: 'service:nat-agent',
              Name: 'nat-agent health',
              HTTP: 'http://127.0.0.1:9100/health',
              Interval: '1000ms',
              Timeout: '500ms',
            },
          ],
        },
      },
    ]);
    await service.deregister();
    expect(requests.at(-1)).toMatchObject({ method: 'PUT', url: '/v1/agent/service/deregister/nat-agent' });
  });

  it('registers the TTL-check variant and updates it', async () => {
    const { consul, requests } = await recordingAgent();
    const service = await registerTtlService(consul, { name: 'nat-agent', id: 'nat-agent-1', ttlMs: 3_000 });
    expect(requests[0]?.body).toMatchObject({
      ID: 'nat-agent-1',
      Checks: [{ CheckID: 'service:nat-agent-1', TTL: '3000ms' }],
    });
    await service.pass('ok');
    await service.fail('internet path down');
    expect(requests.slice(1)).toEqual([
      {
        method: 'PUT',
        url: '/v1/agent/check/update/service%3Anat-agent-1',
        body: { Status: 'passing', Output: 'ok' },
      },
      {
        method: 'PUT',
        url: '/v1/agent/check/update/service%3Anat-agent-1',
        body: { Status: 'critical', Output: 'internet path down' },
      },
    ]);
  });

  it('names the bad option', async () => {
    const { consul } = await recordingAgent();
    await expect(registerHealthService(consul, { name: '', healthUrl: 'http://x/' })).rejects.toThrow(/name/);
    await expect(registerHealthService(consul, { name: 'a', healthUrl: 'nope' })).rejects.toThrow(
      /healthUrl/,
    );
    await expect(
      registerHealthService(consul, { name: 'a', healthUrl: 'http://x/', intervalMs: 0 }),
    ).rejects.toThrow(/intervalMs/);
  });
});

// Checks the emulator runs itself (spec §6.3): HTTP and TCP probes against real loopback servers,
// scheduled on a virtual clock, with Consul's status mapping, output texts, thresholds, interval
// floor, deferred output sync, and sessions invalidated when a probed process dies.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createVirtualClock, type VirtualClock } from '../../src/clock';
import { startConsul, type ConsulEmulator } from '../../src/consul/emulator';
import type { ConsulEmulatorOptions } from '../../src/consul/options';

interface Target {
  url: string;
  port: number;
  hits: number;
  status: number;
  body: string;
  hang: boolean;
  close(): Promise<void>;
}

async function target(): Promise<Target> {
  const t = { hits: 0, status: 200, body: 'ok', hang: false } as Target;
  const server = http.createServer((req, res) => {
    t.hits++;
    if (t.hang) return;
    expect(req.headers['user-agent']).toBe('Consul Health Check');
    res.statusCode = t.status;
    res.end(t.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.port = (server.address() as AddressInfo).port;
  t.url = `http://127.0.0.1:${t.port}/health`;
  t.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return t;
}

let emulator: ConsulEmulator | undefined;
let clock: VirtualClock;
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  for (const c of cleanup.splice(0)) await c();
});

async function start(options: ConsulEmulatorOptions = {}): Promise<{ e: ConsulEmulator; url: string }> {
  clock = createVirtualClock(Date.UTC(2024, 0, 1));
  // random = 0: the first probe runs at registration, so probe times are exact.
  emulator = await startConsul({ clock, random: () => 0, ...options });
  return { e: emulator, url: emulator.agentUrl('node1') };
}

async function put(url: string, path: string, body?: object): Promise<{ status: number; text: string }> {
  const res = await fetch(`${url}${path}`, {
    method: 'PUT',
    ...(body == null ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, text: await res.text() };
}

async function agentCheck(url: string, id: string): Promise<{ Status: string; Output: string }> {
  return (
    (await (await fetch(`${url}/v1/agent/checks`)).json()) as Record<
      string,
      { Status: string; Output: string }
    >
  )[id]!;
}

async function catalogCheck(
  url: string,
  service: string,
  id: string,
): Promise<{ Status: string; Output: string }> {
  const list = (await (await fetch(`${url}/v1/health/service/${service}`)).json()) as {
    Checks: { CheckID: string; Status: string; Output: string }[];
  }[];
  return list[0]!.Checks.find((c) => c.CheckID === id)!;
}

/** Advances virtual time and lets the probes it started finish. */
async function step(e: ConsulEmulator, ms: number): Promise<void> {
  await clock.advance(ms);
  await e.whenChecksIdle();
  await clock.advance(0);
}

describe('HTTP checks', () => {
  it('maps 2xx to passing, 429 to warning, anything else to critical, with Consul output texts', async () => {
    const { e, url } = await start();
    const t = await target();
    cleanup.push(() => t.close());
    await put(url, '/v1/agent/service/register', {
      Name: 'web',
      Check: { CheckID: 'web-http', HTTP: t.url, Interval: '1s', Timeout: '500ms' },
    });
    await step(e, 0);
    expect(await agentCheck(url, 'web-http')).toEqual(
      expect.objectContaining({ Status: 'passing', Output: `HTTP GET ${t.url}: 200 OK Output: ok` }),
    );
    t.status = 429;
    await step(e, 1000);
    expect((await agentCheck(url, 'web-http')).Status).toBe('warning');
    t.status = 503;
    t.body = 'down';
    await step(e, 1000);
    expect(await catalogCheck(url, 'web', 'web-http')).toMatchObject({
      Status: 'critical',
      Output: `HTTP GET ${t.url}: 503 Service Unavailable Output: down`,
    });
  });

  it('invalidates the session within one interval when the probed process dies', async () => {
    const { e, url } = await start();
    const t = await target();
    await put(url, '/v1/agent/service/register', {
      Name: 'agent',
      Check: { CheckID: 'agent-health', HTTP: t.url, Interval: '1s', Timeout: '500ms' },
    });
    await step(e, 0);
    const created = await put(url, '/v1/session/create', {
      NodeChecks: ['serfHealth'],
      ServiceChecks: [{ ID: 'agent-health' }],
      LockDelay: '1500ms',
      TTL: '10s',
    });
    const session = (JSON.parse(created.text) as { ID: string }).ID;
    expect((await put(url, `/v1/kv/leader?acquire=${session}`)).text).toBe('true');
    await step(e, 300);
    await t.close(); // the process behind the check crashes
    const crashedAt = clock.now();
    await step(e, 699);
    expect((await (await fetch(`${url}/v1/session/info/${session}`)).json()) as unknown[]).toHaveLength(1);
    await step(e, 1);
    expect((await (await fetch(`${url}/v1/session/info/${session}`)).json()) as unknown[]).toEqual([]);
    const critical = e.journal().find((j) => j.op === 'check-status' && j.status === 'critical')!;
    expect(critical.time - crashedAt).toBe(700);
    expect(critical.output).toBe(`Get "${t.url}": dial tcp 127.0.0.1:${t.port}: connect: connection refused`);
    const destroyed = e.journal().find((j) => j.op === 'session-destroy')!;
    expect(destroyed).toMatchObject({ index: critical.index, reason: 'check-critical' });
  });

  it('times out on the emulator clock with Go’s Client.Timeout text', async () => {
    const { e, url } = await start();
    const t = await target();
    cleanup.push(() => t.close());
    t.hang = true;
    await put(url, '/v1/agent/check/register', {
      Name: 'slow',
      HTTP: t.url,
      Interval: '5s',
      Timeout: '500ms',
    });
    await clock.advance(0);
    await clock.advance(499);
    expect((await agentCheck(url, 'slow')).Output).toBe('');
    await step(e, 1);
    expect(await agentCheck(url, 'slow')).toMatchObject({
      Status: 'critical',
      Output: `Get "${t.url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    });
  });

  it('applies SuccessBeforePassing and FailuresBeforeCritical', async () => {
    const { e, url } = await start();
    const t = await target();
    cleanup.push(() => t.close());
    await put(url, '/v1/agent/check/register', {
      Name: 'hyst',
      HTTP: t.url,
      Interval: '1s',
      SuccessBeforePassing: 2,
      FailuresBeforeCritical: 2,
    });
    await step(e, 0);
    expect((await agentCheck(url, 'hyst')).Status).toBe('passing'); // the first result counts at once
    t.status = 500;
    await step(e, 1000);
    expect((await agentCheck(url, 'hyst')).Status).toBe('passing');
    await step(e, 1000);
    expect((await agentCheck(url, 'hyst')).Status).toBe('critical');
    t.status = 200;
    await step(e, 1000);
    expect((await agentCheck(url, 'hyst')).Status).toBe('critical');
    await step(e, 1000);
    expect((await agentCheck(url, 'hyst')).Status).toBe('passing');
  });

  it('raises intervals below the floor to it (1 s by default, like checks.MinInterval)', async () => {
    const { e, url } = await start();
    const t = await target();
    cleanup.push(() => t.close());
    await put(url, '/v1/agent/check/register', { Name: 'fast', HTTP: t.url, Interval: '100ms' });
    await step(e, 0);
    for (let i = 0; i < 10; i++) await step(e, 100);
    expect(t.hits).toBe(2);
    await emulator!.close();
    const low = await start({ minCheckIntervalMs: 100 });
    const t2 = await target();
    cleanup.push(() => t2.close());
    await put(low.url, '/v1/agent/check/register', { Name: 'fast', HTTP: t2.url, Interval: '100ms' });
    await step(low.e, 0);
    for (let i = 0; i < 10; i++) await step(low.e, 100);
    expect(t2.hits).toBe(11);
  });

  it('defers an output-only change to the catalog by check_update_interval', async () => {
    const { e, url } = await start({ checkUpdateIntervalMs: 60_000 });
    const t = await target();
    cleanup.push(() => t.close());
    await put(url, '/v1/agent/service/register', { Name: 'out', Check: { HTTP: t.url, Interval: '1s' } });
    await step(e, 0);
    const before = await catalogCheck(url, 'out', 'service:out');
    t.body = 'new output';
    await step(e, 1000);
    expect((await agentCheck(url, 'service:out')).Output).toContain('new output');
    expect((await catalogCheck(url, 'out', 'service:out')).Output).toBe(before.Output);
    await step(e, 59_000);
    expect((await catalogCheck(url, 'out', 'service:out')).Output).toContain('new output');
  });
});

describe('TCP checks', () => {
  it('passes while the port accepts connections and fails with Go’s dial error when it does not', async () => {
    const { e, url } = await start();
    const server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await put(url, '/v1/agent/check/register', { Name: 'tcp', TCP: `127.0.0.1:${port}`, Interval: '1s' });
    await step(e, 0);
    expect(await agentCheck(url, 'tcp')).toMatchObject({
      Status: 'passing',
      Output: `TCP connect 127.0.0.1:${port}: Success`,
    });
    await new Promise<void>((r) => server.close(() => r()));
    await step(e, 1000);
    expect(await agentCheck(url, 'tcp')).toMatchObject({
      Status: 'critical',
      Output: `dial tcp 127.0.0.1:${port}: connect: connection refused`,
    });
  });
});

describe('check registration', () => {
  it('refuses check kinds the emulator does not run, and invalid definitions, with 400s', async () => {
    const { url } = await start();
    expect(
      await put(url, '/v1/agent/check/register', { Name: 's', Args: ['/bin/true'], Interval: '1s' }),
    ).toEqual({
      status: 400,
      text: 'Invalid check: the nat-ha Consul emulator does not run script checks',
    });
    expect(await put(url, '/v1/agent/check/register', { Name: 'h', HTTP: 'http://127.0.0.1:1/' })).toEqual({
      status: 400,
      text: 'Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or gRPC checks',
    });
    expect(
      await put(url, '/v1/agent/check/register', { Name: 't', TTL: '10s', Status: 'bogus' }),
    ).toMatchObject({
      status: 400,
    });
    expect(await put(url, '/v1/agent/check/register', { TTL: '10s' })).toEqual({
      status: 400,
      text: 'Missing check name',
    });
    expect(await put(url, '/v1/agent/service/register', { Name: 'x', Address: '0.0.0.0' })).toEqual({
      status: 400,
      text: 'Invalid service address',
    });
    expect(await put(url, '/v1/agent/service/deregister/nope')).toEqual({
      status: 404,
      text: 'Unknown service ID "nope". Ensure that the service ID is passed, not the service name.',
    });
  });
});

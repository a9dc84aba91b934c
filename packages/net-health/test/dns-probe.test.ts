import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDnsProbe } from '../src/dns-probe';
import { startDnsServer, type TestDnsServer } from './helpers/dns-server';
import { closedUdpPort } from './helpers/ports';

// Loopback only: a real UDP DNS server on 127.0.0.1, port 0 (CONTRIBUTING.md, "Test hygiene" 1).
let server: TestDnsServer;

beforeAll(async () => {
  server = await startDnsServer({
    zone: {
      'ok.test': { a: ['192.0.2.1', '192.0.2.2'], aaaa: ['2001:db8::1'] },
      'only-a.test': { a: ['192.0.2.3'] },
      'servfail.test': { rcode: 2 },
      'refused.test': { rcode: 5 },
      'silent.test': 'silent',
      'slow.test': { a: ['192.0.2.5'], delayMs: 150 },
      'lossy1.test': { a: ['192.0.2.4'], dropFirst: 1 },
      'lossy2.test': { a: ['192.0.2.4'], dropFirst: 1 },
    },
  });
});
afterAll(async () => {
  await server.close();
});

const probe = (hostname: string, extra: Partial<Parameters<typeof createDnsProbe>[0]> = {}) =>
  createDnsProbe({ server: '127.0.0.1', port: server.port, hostname, timeoutMs: 2000, ...extra });

describe('createDnsProbe against a loopback DNS server', () => {
  it('passes when the resolver answers with A records', async () => {
    const result = await probe('ok.test').run();
    expect(result).toMatchObject({ target: `dns://127.0.0.1:${server.port}/ok.test?type=A`, ok: true });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(server.queries.at(-1)).toMatchObject({ name: 'ok.test', type: 1 });
  });

  it('asks for AAAA when configured, and reports an empty answer as PROBE_DNS_FAILED', async () => {
    expect((await probe('ok.test', { rrtype: 'AAAA' }).run()).ok).toBe(true);
    expect(server.queries.at(-1)).toMatchObject({ name: 'ok.test', type: 28 });
    const nodata = await probe('only-a.test', { rrtype: 'AAAA' }).run();
    expect(nodata).toMatchObject({ ok: false, error: { code: 'PROBE_DNS_FAILED' } });
  });

  it('reports NXDOMAIN as PROBE_NXDOMAIN', async () => {
    const result = await probe('missing.test').run();
    expect(result).toMatchObject({ ok: false, error: { code: 'PROBE_NXDOMAIN' } });
    expect(result.error?.message).toContain('ENOTFOUND');
  });

  it('reports SERVFAIL and REFUSED as PROBE_DNS_FAILED', async () => {
    expect((await probe('servfail.test').run()).error?.code).toBe('PROBE_DNS_FAILED');
    expect((await probe('refused.test').run()).error?.code).toBe('PROBE_DNS_FAILED');
  });

  it('with anyResponse, counts NXDOMAIN, SERVFAIL and NODATA as a pass (the reply proves the path)', async () => {
    for (const name of ['missing.test', 'servfail.test', 'refused.test']) {
      expect((await probe(name, { anyResponse: true }).run()).ok).toBe(true);
    }
    expect((await probe('only-a.test', { rrtype: 'AAAA', anyResponse: true }).run()).ok).toBe(true);
  });

  it('passes a slow answer within the timeout and times out one slower than the timeout', async () => {
    const slow = await probe('slow.test', { timeoutMs: 5000 }).run();
    expect(slow.ok).toBe(true);
    expect(slow.latencyMs).toBeGreaterThanOrEqual(140);
    // The reply cannot arrive before 150 ms, so a 50 ms timeout always fires first.
    expect((await probe('slow.test', { timeoutMs: 50 }).run()).error?.code).toBe('PROBE_TIMEOUT');
  });

  it('times out at timeoutMs when the server never answers', async () => {
    const result = await probe('silent.test', { timeoutMs: 300 }).run();
    expect(result).toMatchObject({ ok: false, error: { code: 'PROBE_TIMEOUT' } });
    expect(result.latencyMs).toBeGreaterThanOrEqual(290);
  });

  it('retries within the timeout when tries > 1 (a lost first datagram), and not by default', async () => {
    expect((await probe('lossy1.test', { timeoutMs: 400 }).run()).error?.code).toBe('PROBE_TIMEOUT');
    const retried = await probe('lossy2.test', { timeoutMs: 1000, tries: 2 }).run();
    expect(retried.ok).toBe(true);
    expect(server.queries.filter((q) => q.name === 'lossy2.test')).toHaveLength(2);
  });

  it('reports a closed port (ICMP port unreachable) as PROBE_REFUSED, even with anyResponse', async () => {
    const port = await closedUdpPort();
    const p = createDnsProbe({
      server: '127.0.0.1',
      port,
      hostname: 'ok.test',
      anyResponse: true,
      timeoutMs: 2000,
    });
    expect((await p.run()).error?.code).toBe('PROBE_REFUSED');
  });

  it('sends the query from localAddress (setLocalAddress)', async () => {
    const result = await probe('ok.test', { localAddress: '127.0.0.2' }).run();
    expect(result.ok).toBe(true);
    expect(result.target).toContain('from 127.0.0.2');
    expect(server.queries.at(-1)).toMatchObject({ name: 'ok.test', from: '127.0.0.2' });
  });

  it('sends the query from the interface address (lo -> 127.0.0.1)', async () => {
    expect((await probe('ok.test', { interface: 'lo' }).run()).ok).toBe(true);
    expect(server.queries.at(-1)?.from).toBe('127.0.0.1');
  });

  it('reports a source address this host does not have as PROBE_SOURCE_UNAVAILABLE', async () => {
    const result = await probe('ok.test', { localAddress: '192.0.2.77' }).run();
    expect(result).toMatchObject({ ok: false, error: { code: 'PROBE_SOURCE_UNAVAILABLE' } });
    const noIface = await probe('ok.test', { interface: 'nh-missing0' }).run();
    expect(noIface).toMatchObject({ ok: false, error: { code: 'PROBE_SOURCE_UNAVAILABLE' } });
  });

  it('rejects with ABORTED when the signal aborts mid-query', async () => {
    const ac = new AbortController();
    const run = probe('silent.test', { timeoutMs: 10_000 }).run({ signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

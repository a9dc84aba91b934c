import { createVirtualClock } from '@nat-ha/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createImdsClient } from '../src/imds-client';
import { startStubServer } from './support/stub-server';
import { advanceUntil, flushIo, settleWithClock } from './support/virtual-time';

// Loopback tier: a real socket that never answers. Timeouts run on the virtual clock, so no test
// here waits in real time (except the one that proves the default system clock path).

let closeServer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeServer?.();
  closeServer = undefined;
});

describe('IMDS client against a hung loopback server', () => {
  it('a PUT that never answers ends in IMDS_TOKEN_TIMEOUT naming the hop limit, with no IMDSv1 GET (rule 48)', async () => {
    const server = await startStubServer(() => undefined); // accept, never respond
    closeServer = () => server.close();
    const clock = createVirtualClock();
    const imds = createImdsClient({
      endpoint: server.url,
      clock,
      timeoutMs: 1_000,
      maxAttempts: 3,
      retryBaseDelayMs: 100,
    });

    const settled = await settleWithClock(clock, imds.get('meta-data/instance-id'));

    expect(settled.ok).toBe(false);
    const err = (settled as { error: Error & { code: string; retryable: boolean } }).error;
    expect(err.code).toBe('IMDS_TOKEN_TIMEOUT');
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/no response within 1000 ms/);
    expect(err.message).toMatch(/hop limit/i);
    expect(err.message).toMatch(/--http-put-response-hop-limit 2/);
    expect(server.requests.map((r) => r.method)).toEqual(['PUT', 'PUT', 'PUT']);
  });

  it('a GET that never answers ends in IMDS_UNAVAILABLE after maxAttempts timeouts', async () => {
    const server = await startStubServer((req, res) => {
      if (req.method === 'PUT')
        res.writeHead(200, { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' }).end('tok');
    });
    closeServer = () => server.close();
    const clock = createVirtualClock();
    const imds = createImdsClient({
      endpoint: server.url,
      clock,
      timeoutMs: 500,
      maxAttempts: 2,
      retryBaseDelayMs: 50,
    });

    const settled = await settleWithClock(clock, imds.get('meta-data/instance-id'));

    expect(settled.ok).toBe(false);
    const err = (settled as { error: Error & { code: string } }).error;
    expect(err.code).toBe('IMDS_UNAVAILABLE');
    expect(err.message).toMatch(/no response within 500 ms/);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /latest/api/token',
      'GET /latest/meta-data/instance-id',
      'GET /latest/meta-data/instance-id',
    ]);
  });

  it('the caller signal ends a hung request at once, before the timeout', async () => {
    const server = await startStubServer(() => undefined);
    closeServer = () => server.close();
    const clock = createVirtualClock();
    const imds = createImdsClient({ endpoint: server.url, clock, timeoutMs: 60_000 });
    const ac = new AbortController();
    const pending = imds.get('meta-data/instance-id', { signal: ac.signal }).catch((e: unknown) => e);
    await advanceUntil(clock, () => server.requests.length === 1, { stepMs: 1 });
    ac.abort();
    await expect(pending).resolves.toMatchObject({ code: 'ABORTED' });
    await flushIo();
  });

  it('with the default system clock a hung service still releases the caller (bounded by timeoutMs)', async () => {
    const server = await startStubServer(() => undefined);
    closeServer = () => server.close();
    const imds = createImdsClient({
      endpoint: server.url,
      timeoutMs: 200,
      maxAttempts: 2,
      retryBaseDelayMs: 10,
    });
    await expect(imds.get('meta-data/instance-id')).rejects.toMatchObject({ code: 'IMDS_TOKEN_TIMEOUT' });
    expect(server.requests).toHaveLength(2);
  });
});

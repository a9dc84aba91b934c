import { createVirtualClock } from '@nat-ha/testkit';
import { describe, expect, it } from 'vitest';
import { DiscoveryError } from './errors';
import { createImdsClient, type ImdsClientOptions } from './imds-client';
import { createMockImds, type MockImdsHandler, type MockImdsReply } from '../test/support/mock-imds';
import { settleWithClock } from '../test/support/virtual-time';

const TOKEN_TTL = 'x-aws-ec2-metadata-token-ttl-seconds';

/** A well-behaved IMDS: numbered tokens, each valid until replaced; GET answers from `values`. */
function healthyImds(values: Record<string, string> = { '/latest/meta-data/instance-id': 'i-0abc' }) {
  let issued = 0;
  const valid = new Set<string>();
  const handler: MockImdsHandler = (call) => {
    if (call.method === 'PUT' && call.path === '/latest/api/token') {
      const token = `token-${++issued}`;
      valid.add(token);
      return { status: 200, body: token, headers: { [TOKEN_TTL]: call.headers[TOKEN_TTL] ?? '' } };
    }
    const token = call.headers['x-aws-ec2-metadata-token'];
    if (token == null || !valid.has(token)) return { status: 401 };
    const value = values[call.path];
    return value == null
      ? { status: 404, body: '<title>404 - Not Found</title>' }
      : { status: 200, body: value };
  };
  return { handler, valid, issued: () => issued };
}

function client(handler: MockImdsHandler, options: ImdsClientOptions = {}) {
  const mock = createMockImds(handler);
  const clock = createVirtualClock();
  const imds = createImdsClient({ dispatcher: mock.agent, clock, retryBaseDelayMs: 0, ...options });
  return { mock, clock, imds };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (DiscoveryError.isInstance(err)) return err.code;
    throw err;
  }
  throw new Error('expected a DiscoveryError');
}

describe('createImdsClient: IMDSv2 session (§4.1)', () => {
  it('PUTs /latest/api/token with the TTL header, then GETs with the token (rule 38)', async () => {
    const imds = healthyImds();
    const { mock, imds: c } = client(imds.handler, { tokenTtlSeconds: 600 });
    await expect(c.get('meta-data/instance-id')).resolves.toBe('i-0abc');
    expect(mock.calls.map((x) => `${x.method} ${x.path}`)).toEqual([
      'PUT /latest/api/token',
      'GET /latest/meta-data/instance-id',
    ]);
    expect(mock.puts()[0]!.headers[TOKEN_TTL]).toBe('600');
    expect(mock.gets()[0]!.headers['x-aws-ec2-metadata-token']).toBe('token-1');
  });

  it('never sends an IMDSv1 request: every GET carries a token, even after failures (rule 40)', async () => {
    let failPuts = 1;
    const imds = healthyImds();
    const {
      mock,
      clock,
      imds: c,
    } = client((call) => (call.method === 'PUT' && failPuts-- > 0 ? { status: 503 } : imds.handler(call)), {
      retryBaseDelayMs: 100,
    });
    const settled = await settleWithClock(clock, c.get('meta-data/instance-id'));
    expect(settled).toEqual({ ok: true, value: 'i-0abc' });
    expect(mock.gets().length).toBeGreaterThan(0);
    for (const get of mock.gets()) expect(get.headers['x-aws-ec2-metadata-token']).toMatch(/^token-/);
  });

  it('reuses one token for many calls, and concurrent first calls share one PUT', async () => {
    const imds = healthyImds({
      '/latest/meta-data/a': '1',
      '/latest/meta-data/b': '2',
      '/latest/meta-data/c': '3',
    });
    const { mock, imds: c } = client(imds.handler);
    await expect(
      Promise.all([c.get('meta-data/a'), c.get('meta-data/b'), c.get('/latest/meta-data/c')]),
    ).resolves.toEqual(['1', '2', '3']);
    await c.get('meta-data/a');
    expect(mock.puts()).toHaveLength(1);
    expect(mock.gets()).toHaveLength(4);
  });

  it('replaces the token shortly before its TTL ends, on the injected clock (rule 41)', async () => {
    const imds = healthyImds();
    const {
      mock,
      clock,
      imds: c,
    } = client(imds.handler, { tokenTtlSeconds: 60, tokenRefreshBeforeExpiryMs: 10_000 });
    await c.get('meta-data/instance-id');
    await clock.advance(49_000);
    await c.get('meta-data/instance-id');
    expect(mock.puts()).toHaveLength(1);
    await clock.advance(1_000); // 50 s: 10 s before expiry
    await c.get('meta-data/instance-id');
    expect(mock.puts()).toHaveLength(2);
    expect(mock.gets().at(-1)!.headers['x-aws-ec2-metadata-token']).toBe('token-2');
  });

  it('caps the refresh margin at half of a short TTL so the token is still used', async () => {
    const imds = healthyImds();
    const { mock, clock, imds: c } = client(imds.handler, { tokenTtlSeconds: 2 });
    await c.get('meta-data/instance-id');
    await clock.advance(900);
    await c.get('meta-data/instance-id');
    expect(mock.puts()).toHaveLength(1);
    await clock.advance(100); // 1 s = half of the 2 s TTL
    await c.get('meta-data/instance-id');
    expect(mock.puts()).toHaveLength(2);
  });

  it('trusts a shorter TTL echoed in the PUT response header', async () => {
    const imds = healthyImds();
    const {
      mock,
      clock,
      imds: c,
    } = client(
      (call) => {
        const reply = imds.handler(call);
        return call.method === 'PUT' ? { ...reply, headers: { [TOKEN_TTL]: '20' } } : reply;
      },
      { tokenTtlSeconds: 21_600, tokenRefreshBeforeExpiryMs: 5_000 },
    );
    await c.get('meta-data/instance-id');
    await clock.advance(16_000);
    await c.get('meta-data/instance-id');
    expect(mock.puts()).toHaveLength(2);
  });

  it('on 401 fetches a new token once and repeats the GET (§4.2, §4.5)', async () => {
    const imds = healthyImds();
    const { mock, imds: c } = client(imds.handler);
    await c.get('meta-data/instance-id');
    imds.valid.clear(); // the service forgot every token (e.g. expired early)
    await expect(c.get('meta-data/instance-id')).resolves.toBe('i-0abc');
    expect(mock.calls.map((x) => `${x.method} ${x.headers['x-aws-ec2-metadata-token'] ?? ''}`)).toEqual([
      'PUT ',
      'GET token-1',
      'GET token-1',
      'PUT ',
      'GET token-2',
    ]);
  });

  it('a second 401 right after a fresh token is IMDS_UNAUTHORIZED, not an endless loop', async () => {
    const { mock, imds: c } = client((call) =>
      call.method === 'PUT'
        ? { status: 200, body: 'tok', headers: { [TOKEN_TTL]: '21600' } }
        : { status: 401 },
    );
    const err = await c.get('meta-data/instance-id').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'IMDS_UNAUTHORIZED', retryable: true });
    expect(mock.puts()).toHaveLength(2);
    expect(mock.gets()).toHaveLength(2);
  });
});

describe('createImdsClient: status mapping (§4.2)', () => {
  it('403 on the token PUT is IMDS_DISABLED, final, with the fix in the message (rule 39)', async () => {
    const { mock, imds: c } = client(() => ({ status: 403 }), { retryBaseDelayMs: 100 });
    const err = await c.get('meta-data/instance-id').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'IMDS_DISABLED', retryable: false });
    expect((err as Error).message).toMatch(/disabled.*--http-endpoint enabled/);
    expect(mock.calls).toHaveLength(1);
  });

  it('403 on a GET is IMDS_DISABLED too', async () => {
    const imds = healthyImds();
    const { imds: c } = client((call) => (call.method === 'GET' ? { status: 403 } : imds.handler(call)));
    await expect(codeOf(c.get('meta-data/instance-id'))).resolves.toBe('IMDS_DISABLED');
  });

  it('404 means "not present": get throws IMDS_NOT_FOUND, getOptional resolves undefined, no retry', async () => {
    const imds = healthyImds();
    const { mock, imds: c } = client(imds.handler);
    const err = await c.get('meta-data/public-ipv4').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'IMDS_NOT_FOUND', retryable: false });
    expect((err as Error).message).toContain('/latest/meta-data/public-ipv4');
    await expect(c.getOptional('meta-data/public-ipv4')).resolves.toBeUndefined();
    expect(mock.gets()).toHaveLength(2);
  });

  it.each([404, 405])(
    'a token PUT answered %i is IMDS_BAD_RESPONSE and no IMDSv1 GET follows',
    async (status) => {
      const { mock, imds: c } = client(() => ({ status }));
      const err = await c.get('meta-data/instance-id').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'IMDS_BAD_RESPONSE' });
      expect((err as Error).message).toMatch(/never falls back to IMDSv1/);
      expect(mock.gets()).toHaveLength(0);
    },
  );

  it('a token PUT answered 400 is IMDS_BAD_RESPONSE, not retried', async () => {
    const { mock, imds: c } = client(() => ({ status: 400 }));
    await expect(codeOf(c.get('meta-data/instance-id'))).resolves.toBe('IMDS_BAD_RESPONSE');
    expect(mock.calls).toHaveLength(1);
  });

  it('an empty token body is IMDS_BAD_RESPONSE', async () => {
    const { imds: c } = client(() => ({ status: 200, body: '  ' }));
    await expect(codeOf(c.get('meta-data/instance-id'))).resolves.toBe('IMDS_BAD_RESPONSE');
  });
});

describe('createImdsClient: bounded retries on the injected clock', () => {
  function flaky(failures: MockImdsReply[]) {
    const imds = healthyImds();
    const queue = [...failures];
    return {
      handler: ((call) =>
        call.method === 'GET' && queue.length > 0 ? queue.shift()! : imds.handler(call)) as MockImdsHandler,
    };
  }

  it('retries 5xx with doubling backoff and succeeds on the third attempt', async () => {
    const { handler } = flaky([{ status: 500 }, { status: 503 }]);
    const { mock, clock, imds: c } = client(handler, { retryBaseDelayMs: 100 });
    const pending = c.get('meta-data/instance-id');
    await clock.advance(0);
    expect(mock.gets()).toHaveLength(1);
    await clock.advance(99);
    expect(mock.gets()).toHaveLength(1);
    await clock.advance(1); // first backoff: 100 ms
    expect(mock.gets()).toHaveLength(2);
    await clock.advance(199);
    expect(mock.gets()).toHaveLength(2);
    await clock.advance(1); // second backoff: 200 ms
    await expect(pending).resolves.toBe('i-0abc');
    expect(mock.gets()).toHaveLength(3);
  });

  it('gives up after maxAttempts with IMDS_UNAVAILABLE (retryable) naming the last failure', async () => {
    const { handler } = flaky([{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }]);
    const { mock, clock, imds: c } = client(handler, { retryBaseDelayMs: 100, maxAttempts: 3 });
    const settled = await settleWithClock(clock, c.get('meta-data/instance-id'));
    expect(settled.ok).toBe(false);
    const err = (settled as { error: DiscoveryError }).error;
    expect(err).toMatchObject({ code: 'IMDS_UNAVAILABLE', retryable: true });
    expect(err.message).toMatch(/after 3 attempts \(HTTP 503\)/);
    expect(mock.gets()).toHaveLength(3);
  });

  it('maps persistent 429 to IMDS_THROTTLED', async () => {
    const { handler } = flaky([{ status: 429 }, { status: 429 }]);
    const { imds: c } = client(handler, { maxAttempts: 2 });
    await expect(codeOf(c.get('meta-data/instance-id'))).resolves.toBe('IMDS_THROTTLED');
  });

  it('retries transport errors and keeps the cause', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const { handler } = flaky([
      { status: 0, error: reset },
      { status: 0, error: reset },
    ]);
    const { mock, imds: c } = client(handler, { maxAttempts: 2 });
    const err = await c.get('meta-data/instance-id').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'IMDS_UNAVAILABLE', retryable: true });
    expect((err as Error).message).toMatch(/ECONNRESET/);
    expect(mock.gets()).toHaveLength(2);
    // and a later call recovers
    await expect(c.get('meta-data/instance-id')).resolves.toBe('i-0abc');
  });

  it('a failed token fetch is retried and shared, and the next call starts afresh', async () => {
    let puts = 0;
    const imds = healthyImds();
    const { mock, imds: c } = client(
      (call) => (call.method === 'PUT' && ++puts <= 2 ? { status: 500 } : imds.handler(call)),
      { maxAttempts: 2 },
    );
    const results = await Promise.allSettled([
      c.get('meta-data/instance-id'),
      c.get('meta-data/instance-id'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(mock.puts()).toHaveLength(2); // one shared fetch of 2 attempts, not one per caller
    await expect(c.get('meta-data/instance-id')).resolves.toBe('i-0abc');
  });
});

describe('createImdsClient: abort', () => {
  it('an already aborted signal throws ABORTED without any request', async () => {
    const imds = healthyImds();
    const { mock, imds: c } = client(imds.handler);
    const ac = new AbortController();
    ac.abort(new Error('shutdown'));
    const err = await c.get('meta-data/instance-id', { signal: ac.signal }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ABORTED', retryable: false });
    expect(mock.calls).toHaveLength(0);
  });

  it('an abort during the backoff ends the call at once and is not retried', async () => {
    const {
      mock,
      clock,
      imds: c,
    } = client((call) => (call.method === 'PUT' ? { status: 200, body: 't' } : { status: 500 }), {
      retryBaseDelayMs: 1_000,
    });
    const ac = new AbortController();
    const pending = c.get('meta-data/instance-id', { signal: ac.signal }).catch((e: unknown) => e);
    await clock.advance(10);
    expect(mock.gets()).toHaveLength(1);
    ac.abort();
    await expect(pending).resolves.toMatchObject({ code: 'ABORTED' });
    await clock.advance(5_000);
    expect(mock.gets()).toHaveLength(1);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('createImdsClient: options', () => {
  it('keeps a base path and accepts an IPv6 endpoint (apps map AWS_EC2_METADATA_SERVICE_ENDPOINT)', async () => {
    const mock = createMockImds(() => ({ status: 200, body: 'v' }), 'http://[fd00:ec2::254]');
    const c = createImdsClient({ endpoint: 'http://[fd00:ec2::254]/prefix/', dispatcher: mock.agent });
    expect(c.endpoint).toBe('http://[fd00:ec2::254]/prefix');
    await c.get('meta-data/x');
    expect(mock.calls.map((x) => x.path)).toEqual(['/prefix/latest/api/token', '/prefix/latest/meta-data/x']);
  });

  it.each<[keyof ImdsClientOptions, unknown]>([
    ['endpoint', 'ftp://169.254.169.254'],
    ['endpoint', 'not a url'],
    ['tokenTtlSeconds', 0],
    ['tokenTtlSeconds', 21_601],
    ['timeoutMs', 0],
    ['maxAttempts', 0],
    ['maxAttempts', 1.5],
    ['retryBaseDelayMs', -1],
  ])('rejects %s = %j with INVALID_OPTION naming it', (name, value) => {
    expect(() => createImdsClient({ [name]: value })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringContaining(`\`${name}\``) }),
    );
  });

  it('rejects a token path passed as a data path', async () => {
    const { imds: c } = client(healthyImds().handler);
    await expect(codeOf(c.get('api/token'))).resolves.toBe('INVALID_OPTION');
  });
});

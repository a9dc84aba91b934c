import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConsulClient, type ConsulClient } from './consul-client';
import { ConsulLockError } from './errors';
import { LOCK_FLAG_VALUE } from './kv-api';

const BASE = 'http://127.0.0.1:8500';

let agent: MockAgent;
let consul: ConsulClient;

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  consul = createConsulClient({ baseUrl: BASE, dispatcher: agent, token: 'secret-token' });
});

afterEach(async () => {
  await agent.close();
});

const pool = () => agent.get(BASE);

async function errorOf(promise: Promise<unknown>): Promise<ConsulLockError> {
  try {
    await promise;
  } catch (err) {
    if (ConsulLockError.isInstance(err)) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('createConsulClient: options', () => {
  it('names the bad option', () => {
    expect(() => createConsulClient({ baseUrl: 'not a url' })).toThrow(/baseUrl/);
    expect(() => createConsulClient({ baseUrl: 'ftp://x' })).toThrow(/baseUrl must use http/);
    expect(() => createConsulClient({ requestTimeoutMs: 0 })).toThrow(/requestTimeoutMs/);
    expect(() => createConsulClient({ dispatcher: agent, tls: { ca: 'x' } })).toThrow(
      /either dispatcher or tls/,
    );
  });
});

describe('error mapping (§1.3, §7)', () => {
  const cases: [string, number, string, string, boolean][] = [
    [
      '403 Permission denied (§7.1)',
      403,
      `Permission denied: token with AccessorID 'a1' lacks permission 'key:write' on "nat-ha/a/leader"`,
      'CONSUL_PERMISSION_DENIED',
      false,
    ],
    [
      '403 ACL not found behind a client agent (§7.1)',
      403,
      'rpc error making call: ACL not found',
      'CONSUL_ACL_NOT_FOUND',
      false,
    ],
    ['500 No cluster leader (§7.2)', 500, 'No cluster leader', 'CONSUL_NO_LEADER', true],
    [
      '500 No cluster leader through a client agent, prefixed twice (§7.2)',
      500,
      'rpc error making call: rpc error making call: No cluster leader',
      'CONSUL_NO_LEADER',
      true,
    ],
    [
      '500 leadership lost while committing (§7.2)',
      500,
      'raft apply failed: leadership lost while committing log',
      'CONSUL_NO_LEADER',
      true,
    ],
    [
      '500 not ready for consistent reads (§4.4)',
      500,
      'Not ready to serve consistent reads',
      'CONSUL_NO_LEADER',
      true,
    ],
    ['500 other rpc error (§7.2)', 500, 'rpc error making call: EOF', 'CONSUL_RPC_ERROR', true],
    [
      '500 invalid session (§3.3)',
      500,
      'rpc error making call: raft apply failed: invalid session "x"',
      'CONSUL_INVALID_SESSION',
      false,
    ],
    [
      '500 missing node registration (§2.2)',
      500,
      'apply failed: Missing node registration',
      'CONSUL_NODE_NOT_REGISTERED',
      true,
    ],
    [
      '500 critical check at create (§2.2)',
      500,
      "Check 'service:nat-agent' is in critical state",
      'CONSUL_CHECK_UNHEALTHY',
      true,
    ],
    [
      '500 bad TTL (rule 3)',
      500,
      "Invalid Session TTL '5000000000', must be between [10s=24h0m0s]",
      'CONSUL_BAD_REQUEST',
      false,
    ],
    ['500 anything else (§5.4 IsRetryableError)', 500, 'something odd', 'CONSUL_SERVER_ERROR', true],
    ['429 rate limit (§1.3)', 429, '', 'CONSUL_RATE_LIMITED', true],
    ['400 bad request (rule 62)', 400, 'Invalid wait time', 'CONSUL_BAD_REQUEST', false],
    ['503 from a proxy', 503, 'unavailable', 'CONSUL_UNAVAILABLE', true],
  ];
  for (const [name, status, body, code, retryable] of cases) {
    it(`${name} → ${code}, retryable ${String(retryable)}`, async () => {
      pool().intercept({ path: '/v1/kv/k', method: 'GET' }).reply(status, body);
      const error = await errorOf(consul.kv.get('k'));
      expect(error.code).toBe(code);
      expect(error.retryable).toBe(retryable);
      expect(error.status).toBe(status);
      if (body !== '') expect(error.body).toBe(body);
    });
  }

  it('makes an ACL denial say which call failed and what to check', async () => {
    pool()
      .intercept({ path: '/v1/session/create', method: 'PUT' })
      .reply(
        403,
        `Permission denied: token with AccessorID 'a1' lacks permission 'session:write' on "node1"`,
      );
    const error = await errorOf(consul.session.create({ name: 'x' }));
    expect(error.message).toMatch(
      /PUT \/v1\/session\/create failed with HTTP 403: Permission denied.*session:write.*token/,
    );
  });

  it('connection refused → CONSUL_UNAVAILABLE, retryable (house style 10)', async () => {
    pool()
      .intercept({ path: '/v1/kv/k', method: 'GET' })
      .replyWithError(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8500'), { code: 'ECONNREFUSED' }),
      );
    const error = await errorOf(consul.kv.get('k'));
    expect(error.code).toBe('CONSUL_UNAVAILABLE');
    expect(error.retryable).toBe(true);
  });

  it('a caller abort stays ABORTED and is not retryable', async () => {
    pool().intercept({ path: '/v1/kv/k', method: 'GET' }).reply(200, '[]');
    const controller = new AbortController();
    controller.abort();
    const error = await errorOf(consul.kv.get('k', { signal: controller.signal }));
    expect(error.code).toBe('ABORTED');
    expect(error.retryable).toBe(false);
  });

  it('a 404 where absence is an error → CONSUL_NOT_FOUND (§6.2)', async () => {
    pool()
      .intercept({ path: '/v1/agent/check/update/nope', method: 'PUT' })
      .reply(404, 'Unknown check ID "nope". Ensure that the check ID is passed, not the check name.');
    const error = await errorOf(consul.agent.updateTtlCheck('nope', 'passing'));
    expect(error.code).toBe('CONSUL_NOT_FOUND');
  });
});

describe('requests on the wire', () => {
  it('sends the ACL token as X-Consul-Token (§1.6)', async () => {
    let token: unknown;
    pool()
      .intercept({ path: '/v1/status/leader', method: 'GET' })
      .reply((opts) => {
        token = (opts.headers as Record<string, string>)['x-consul-token'];
        return { statusCode: 200, data: '"10.0.0.1:8300"' };
      });
    expect(await consul.status.leader()).toBe('10.0.0.1:8300');
    expect(token).toBe('secret-token');
  });

  it('reads a KV entry with an exact uint64 Flags, base64 Value and the index headers (§1.4, §3.1, rule 79)', async () => {
    pool()
      .intercept({ path: '/v1/kv/nat-ha/a%20b/leader?consistent', method: 'GET' })
      .reply(
        200,
        '[{"LockIndex":3,"Key":"nat-ha/a b/leader","Flags":3304740253564472344,"Value":"aG9zdC1h","Session":"s-1","CreateIndex":100,"ModifyIndex":200}]',
        { headers: { 'x-consul-index': '200', 'x-consul-knownleader': 'true', 'x-consul-lastcontact': '0' } },
      );
    const { entry, meta } = await consul.kv.get('nat-ha/a b/leader', { consistency: 'consistent' });
    expect(entry).toEqual({
      key: 'nat-ha/a b/leader',
      value: new Uint8Array(Buffer.from('host-a')),
      flags: LOCK_FLAG_VALUE,
      session: 's-1',
      lockIndex: 3,
      createIndex: 100,
      modifyIndex: 200,
    });
    expect(meta).toEqual({ index: 200, knownLeader: true, lastContactMs: 0 });
  });

  it('reports a missing key as undefined with the index of the 404 (§3.2)', async () => {
    pool()
      .intercept({ path: '/v1/kv/missing', method: 'GET' })
      .reply(404, '', { headers: { 'x-consul-index': '17' } });
    expect(await consul.kv.get('missing')).toEqual({
      entry: undefined,
      meta: { index: 17, knownLeader: true, lastContactMs: 0 },
    });
  });

  it('sends a blocking read with index and wait in ms (§4.1)', async () => {
    pool()
      .intercept({ path: '/v1/kv/k?index=42&wait=15000ms', method: 'GET' })
      .reply(200, '[{"Key":"k","Flags":0,"Value":null,"LockIndex":0,"CreateIndex":1,"ModifyIndex":43}]', {
        headers: { 'x-consul-index': '43' },
      });
    const { entry, meta } = await consul.kv.get('k', { index: 42, waitMs: 15_000 });
    expect(entry?.value).toBeNull();
    expect(entry?.session).toBeUndefined();
    expect(meta.index).toBe(43);
  });

  it('never sends index=0: a 0 index is a plain read (§4.3 rule 2)', async () => {
    pool().intercept({ path: '/v1/kv/k', method: 'GET' }).reply(404, '');
    await consul.kv.get('k', { index: 0, waitMs: 1_000 });
    agent.assertNoPendingInterceptors();
  });

  it('acquires with the lock flag and the value as the body (§3.3, §5.3)', async () => {
    let body: unknown;
    pool()
      .intercept({ path: `/v1/kv/k?acquire=s-1&flags=${LOCK_FLAG_VALUE}`, method: 'PUT' })
      .reply((opts) => {
        body = opts.body;
        return { statusCode: 200, data: 'true' };
      });
    expect(await consul.kv.acquire('k', 's-1', 'node-a', { flags: LOCK_FLAG_VALUE })).toBe(true);
    expect(String(body)).toBe('node-a');
    pool().intercept({ path: '/v1/kv/k?release=s-1', method: 'PUT' }).reply(200, 'false');
    expect(await consul.kv.release('k', 's-1')).toBe(false);
  });

  it('creates a session with an explicit check list, TTL and lock-delay (§2.2)', async () => {
    let body: unknown;
    pool()
      .intercept({ path: '/v1/session/create', method: 'PUT' })
      .reply((opts) => {
        body = JSON.parse(opts.body as string);
        return { statusCode: 200, data: '{"ID":"adf4238a-882b-9ddc-4a9d-5b6758e4159e"}' };
      });
    const id = await consul.session.create({
      name: 'nat-ha',
      ttlMs: 10_000,
      lockDelayMs: 1_500,
      behavior: 'release',
      nodeChecks: ['serfHealth'],
      serviceChecks: ['service:nat-agent'],
    });
    expect(id).toBe('adf4238a-882b-9ddc-4a9d-5b6758e4159e');
    expect(body).toEqual({
      Name: 'nat-ha',
      TTL: '10000ms',
      LockDelay: '1500ms',
      Behavior: 'release',
      NodeChecks: ['serfHealth'],
      ServiceChecks: [{ ID: 'service:nat-agent', Namespace: '' }],
    });
  });

  it('sends lock-delay 0 as "0s" (the Go client omits it and gets 15 s, §2.2) and an empty node-check list with Checks: []', async () => {
    let body: unknown;
    pool()
      .intercept({ path: '/v1/session/create', method: 'PUT' })
      .reply((opts) => {
        body = JSON.parse(opts.body as string);
        return { statusCode: 200, data: '{"ID":"x"}' };
      });
    await consul.session.create({ lockDelayMs: 0, nodeChecks: [] });
    expect(body).toEqual({ LockDelay: '0s', NodeChecks: [], Checks: [] });
  });

  it('renew: 404 means the session is gone; 200 returns it with its TTL (§2.5)', async () => {
    pool()
      .intercept({ path: '/v1/session/renew/gone', method: 'PUT' })
      .reply(404, "Session id 'gone' not found");
    expect(await consul.session.renew('gone')).toBeUndefined();
    pool()
      .intercept({ path: '/v1/session/renew/s-1', method: 'PUT' })
      .reply(
        200,
        '[{"ID":"s-1","Name":"n","Node":"node1","LockDelay":1500000000,"Behavior":"release","TTL":"10s","NodeChecks":["serfHealth"],"ServiceChecks":[{"ID":"service:nat-agent","Namespace":""}],"CreateIndex":5,"ModifyIndex":5}]',
      );
    expect(await consul.session.renew('s-1')).toMatchObject({
      id: 's-1',
      lockDelayMs: 1_500,
      ttlMs: 10_000,
      nodeChecks: ['serfHealth'],
      serviceChecks: ['service:nat-agent'],
    });
  });

  it('info of an unknown session is undefined (Consul answers [], §2.4)', async () => {
    pool()
      .intercept({ path: '/v1/session/info/nope', method: 'GET' })
      .reply(200, '[]', { headers: { 'x-consul-index': '9' } });
    expect((await consul.session.info('nope')).session).toBeUndefined();
  });

  it('lists the sessions of a node, escaping the node name; null or [] is no session (§2.4)', async () => {
    pool()
      .intercept({ path: '/v1/session/node/ip-10-0-0-10%20a', method: 'GET' })
      .reply(
        200,
        JSON.stringify([
          {
            ID: 's-1',
            Name: 'nat-ha i-1',
            Node: 'ip-10-0-0-10 a',
            LockDelay: 1_500_000_000,
            Behavior: 'release',
            TTL: '10s',
            NodeChecks: ['serfHealth'],
            ServiceChecks: [{ ID: 'nat-ha:live', Namespace: '' }],
            CreateIndex: 12,
          },
        ]),
        { headers: { 'x-consul-index': '12' } },
      );
    const { sessions, meta } = await consul.session.node('ip-10-0-0-10 a');
    expect(sessions.map((s) => [s.id, s.name, s.node, s.lockDelayMs])).toEqual([
      ['s-1', 'nat-ha i-1', 'ip-10-0-0-10 a', 1_500],
    ]);
    expect(meta.index).toBe(12);
    pool()
      .intercept({ path: '/v1/session/node/empty', method: 'GET' })
      .reply(200, 'null', { headers: { 'x-consul-index': '3' } });
    expect((await consul.session.node('empty')).sessions).toEqual([]);
    await expect(consul.session.node('')).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });

  it('reads agent self (§6.4)', async () => {
    pool()
      .intercept({ path: '/v1/agent/self', method: 'GET' })
      .reply(200, '{"Config":{"NodeName":"node-a","Datacenter":"dc1"},"Member":{}}');
    expect(await consul.agent.self()).toEqual({ nodeName: 'node-a', datacenter: 'dc1' });
  });

  it('answers CONSUL_PROTOCOL to a body it cannot parse', async () => {
    pool().intercept({ path: '/v1/kv/k', method: 'GET' }).reply(200, '<html>');
    expect((await errorOf(consul.kv.get('k'))).code).toBe('CONSUL_PROTOCOL');
  });
});

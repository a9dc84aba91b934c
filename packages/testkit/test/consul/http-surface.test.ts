// The HTTP details around the numbered rules: ServeMux redirects and 404 texts, OPTIONS, ?pretty,
// gzip, query parse errors, chunked bodies, ACL filtering headers and decode errors (spec §1).
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startConsul, type ConsulEmulator } from '../../src/consul/emulator';

let emulator: ConsulEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** A raw request (no fetch normalisation), optionally chunked. */
function raw(
  base: string,
  method: string,
  path: string,
  opts: { body?: Buffer | string; chunked?: boolean; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const req = http.request(url, { method, headers: opts.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    if (opts.body != null) {
      if (opts.chunked === true) {
        const b = Buffer.from(opts.body);
        req.write(b.subarray(0, 1));
        req.write(b.subarray(1));
      } else {
        req.setHeader('Content-Length', Buffer.byteLength(opts.body));
        req.write(opts.body);
      }
    }
    req.end();
  });
}

describe('HTTP surface', () => {
  it('redirects non-canonical paths like Go’s ServeMux and answers unknown paths like HTTPHandlers.Index', async () => {
    emulator = await startConsul();
    const base = emulator.agentUrl('node1');
    expect(await raw(base, 'GET', '/v1/kv/a//b?raw')).toMatchObject({
      status: 301,
      headers: { location: '/v1/kv/a/b?raw' },
    });
    expect(await raw(base, 'GET', '/v1/kv')).toMatchObject({ status: 301, headers: { location: '/v1/kv/' } });
    const v1 = await raw(base, 'GET', '/v1/unknown');
    expect([v1.status, v1.body.toString()]).toEqual([
      404,
      'Invalid URL path: not a recognized HTTP API endpoint\n',
    ]);
    const other = await raw(base, 'GET', '/nope');
    expect(other.body.toString()).toBe(
      "Invalid URL path: if attempting to use the HTTP API, ensure the path starts with '/v1/'\n",
    );
    expect((await raw(base, 'GET', '/')).body.toString()).toContain('UI disabled');
    expect((await raw(base, 'GET', '/v1/kv/%01')).status).toBe(400);
  });

  it('answers OPTIONS with Allow, and a bad query with an empty 500', async () => {
    emulator = await startConsul();
    const base = emulator.agentUrl('node1');
    const options = await raw(base, 'OPTIONS', '/v1/kv/a');
    expect(options).toMatchObject({ status: 200, headers: { allow: 'OPTIONS,GET,PUT,DELETE' } });
    expect(options.body.length).toBe(0);
    const bad = await raw(base, 'GET', '/v1/kv/a?x=%zz');
    expect([bad.status, bad.body.length]).toEqual([500, 0]);
    const otherDc = await raw(base, 'GET', '/v1/kv/a?dc=dc2');
    expect([otherDc.status, otherDc.body.toString()]).toEqual([500, 'No path to datacenter']);
    expect((await raw(base, 'GET', '/v1/agent/self?dc=dc2')).status).toBe(200);
  });

  it('indents with ?pretty and gzips large bodies for clients that accept it', async () => {
    emulator = await startConsul();
    const base = emulator.agentUrl('node1');
    await fetch(`${base}/v1/kv/big`, { method: 'PUT', body: 'x'.repeat(4000) });
    const pretty = await raw(base, 'GET', '/v1/kv/big?pretty');
    expect(pretty.body.toString()).toMatch(/^\[\n {4}\{\n {8}"LockIndex": 0,/);
    expect(pretty.body.toString().endsWith('}\n]\n')).toBe(true);
    const gz = await raw(base, 'GET', '/v1/kv/big', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toBe('Accept-Encoding');
    const small = await raw(base, 'GET', '/v1/status/leader', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(small.headers['content-encoding']).toBeUndefined();
  });

  it('ignores a chunked session body but limits a chunked KV body', async () => {
    emulator = await startConsul();
    const base = emulator.agentUrl('node1');
    const created = await raw(base, 'PUT', '/v1/session/create', {
      body: '{"Behavior":"bogus"}',
      chunked: true,
    });
    expect(created.status).toBe(200);
    const big = await raw(base, 'PUT', '/v1/kv/big', { body: Buffer.alloc(600_000, 1), chunked: true });
    expect(big.status).toBe(413);
    expect(big.body.toString()).toContain('Request body(600000 bytes) too large');
  });

  it('reports decode and parse errors with Consul’s texts', async () => {
    emulator = await startConsul();
    const base = emulator.agentUrl('node1');
    const decode = await raw(base, 'PUT', '/v1/session/create', { body: '{"Bogus":1}' });
    expect([decode.status, decode.body.toString()]).toEqual([
      400,
      'Request decode failed: json: unknown field "Bogus"',
    ]);
    const flags = await raw(base, 'PUT', '/v1/kv/a?flags=-1', { body: 'x' });
    expect([flags.status, flags.body.toString()]).toEqual([
      500,
      'strconv.ParseUint: parsing "-1": invalid syntax',
    ]);
    const update = await raw(base, 'PUT', '/v1/agent/check/update/x', { body: '' });
    expect([update.status, update.body.toString()]).toEqual([400, 'Request decode failed: EOF']);
  });

  it('filters lists by ACL and says so when the request carried a token', async () => {
    emulator = await startConsul({
      acl: {
        defaultPolicy: 'deny',
        tokens: {
          root: { management: true },
          app: { rules: { keyPrefix: { 'app/': 'read' } } },
        },
      },
    });
    const base = emulator.agentUrl('node1');
    for (const k of ['app/a', 'other/b']) {
      await raw(base, 'PUT', `/v1/kv/${k}`, { body: 'v', headers: { 'X-Consul-Token': 'root' } });
    }
    const list = await raw(base, 'GET', '/v1/kv/?recurse', { headers: { 'X-Consul-Token': 'app' } });
    expect(JSON.parse(list.body.toString()).map((e: { Key: string }) => e.Key)).toEqual(['app/a']);
    expect(list.headers['x-consul-results-filtered-by-acls']).toBe('true');
    const single = await raw(base, 'GET', '/v1/kv/other/b', { headers: { 'X-Consul-Token': 'app' } });
    expect(single.status).toBe(403);
    expect(single.body.toString()).toMatch(
      /^Permission denied: token with AccessorID '[0-9a-f-]{36}' lacks permission 'key:read' on "other\/b"$/,
    );
    const self = await raw(base, 'GET', '/v1/agent/self');
    expect(self.status).toBe(403);
    expect(self.body.toString()).toBe(
      `Permission denied: anonymous token lacks permission 'agent:read' on "node1"`,
    );
  });

  it('prefixes RPC errors for a client agent, but not the agent’s own ACL denials', async () => {
    emulator = await startConsul({ agentErrorStyle: 'client', acl: { defaultPolicy: 'deny', tokens: {} } });
    const base = emulator.agentUrl('node1');
    const write = await raw(base, 'PUT', '/v1/kv/a', { body: 'x' });
    expect([write.status, write.body.toString()]).toEqual([
      403,
      `rpc error making call: Permission denied: anonymous token lacks permission 'key:write' on "a"`,
    ]);
    const self = await raw(base, 'GET', '/v1/agent/self');
    expect([self.status, self.body.toString()]).toEqual([
      403,
      `Permission denied: anonymous token lacks permission 'agent:read' on "node1"`,
    ]);
  });
});

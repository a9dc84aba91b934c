import { describe, expect, it } from 'vitest';
import { GOSSIP_KEY } from '../test/fixtures';
import type { ConfigObject } from './config-value';
import { durationMs, gossipKeyProblem, mergeFragments, validateConsulConfig } from './consul-validate';

const valid: ConfigObject = {
  datacenter: 'us-east-1',
  node_name: 'i-0a1b2c3d4e5f60001',
  data_dir: '/opt/consul/data',
  server: true,
  bootstrap_expect: 3,
  bind_addr: '10.0.1.10',
  advertise_addr: '10.0.1.10',
  client_addr: '127.0.0.1',
  retry_join: ['10.0.2.10'],
  performance: { raft_multiplier: 1 },
};

function check(document: ConfigObject, role: 'server' | 'client' = 'server', extra: ConfigObject[] = []) {
  return validateConsulConfig(
    [{ file: 'consul.hcl', document }, ...extra.map((d, i) => ({ file: `extra-${i}.hcl`, document: d }))],
    role,
  );
}
const messages = (document: ConfigObject, role: 'server' | 'client' = 'server', extra: ConfigObject[] = []) =>
  check(document, role, extra).errors.map((e) => `${e.key}: ${e.message}`);

describe('validateConsulConfig (consul-http-api.md §8)', () => {
  it('accepts a complete server config', () => {
    expect(check(valid)).toEqual({ errors: [], warnings: [] });
  });

  it('§8.1 data_dir is required: "data_dir cannot be empty"', () => {
    expect(messages({ ...valid, data_dir: undefined })).toEqual(['data_dir: data_dir cannot be empty']);
    expect(messages({ ...valid, data_dir: '' })).toEqual(['data_dir: data_dir cannot be empty']);
    expect(messages({ ...valid, data_dir: 'relative' })).toEqual([
      'data_dir: data_dir must be an absolute path (got "relative")',
    ]);
  });

  it("§8.1 datacenter must match [a-z0-9_-]+, with Consul's message", () => {
    expect(messages({ ...valid, datacenter: 'US East' })).toEqual([
      'datacenter: datacenter cannot be "US East". Please use only [a-z0-9-_].',
    ]);
    expect(messages({ ...valid, datacenter: 'dc-1_a' })).toEqual([]);
  });

  it('§8.1 node_name: not empty, no whitespace or quotes', () => {
    expect(messages({ ...valid, node_name: '' })).toEqual(['node_name: node_name cannot be empty']);
    for (const bad of ['a b', 'a\tb', 'a"b', "a'b", 'a\nb']) {
      expect(messages({ ...valid, node_name: bad })).toEqual([
        `node_name: node_name ${JSON.stringify(bad)} must not contain whitespace or quotes`,
      ]);
    }
  });

  it("§8.1 bootstrap_expect requires server = true: \"'bootstrap_expect > 0' requires 'server = true'\"", () => {
    expect(messages({ ...valid, server: false }, 'client')).toEqual([
      "bootstrap_expect: 'bootstrap_expect > 0' requires 'server = true'",
    ]);
    expect(messages({ ...valid, bootstrap: true })).toEqual([
      "bootstrap_expect: 'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive",
    ]);
    expect(messages({ ...valid, bootstrap_expect: 0 })).toEqual([
      'bootstrap_expect: bootstrap_expect must be a positive integer',
    ]);
  });

  it('§8.1 bootstrap_expect of 2 or an even number only warns', () => {
    expect(check({ ...valid, bootstrap_expect: 2 }).warnings.map((w) => w.message)).toEqual([
      'bootstrap_expect = 2: A cluster with 2 servers will provide no failure tolerance.',
    ]);
    const four = check({ ...valid, bootstrap_expect: 4 });
    expect(four.errors).toEqual([]);
    expect(four.warnings[0]?.message).toMatch(/^bootstrap_expect is even number/);
  });

  it('§8.5 bootstrap = true requires server = true', () => {
    const { bootstrap_expect: _, ...rest } = valid;
    expect(messages({ ...rest, server: false, bootstrap: true }, 'client')).toEqual([
      "bootstrap: 'bootstrap = true' requires 'server = true'",
    ]);
  });

  it('§8.1 advertise_addr cannot be 0.0.0.0, :: or [::]; addresses must be IPs', () => {
    for (const bad of ['0.0.0.0', '::', '[::]']) {
      expect(messages({ ...valid, advertise_addr: bad })).toEqual([
        bad === '[::]'
          ? 'advertise_addr: advertise_addr must be an IP address (got "[::]")'
          : 'advertise_addr: Advertise address cannot be 0.0.0.0, :: or [::]',
      ]);
    }
    expect(messages({ ...valid, bind_addr: '{{ GetPrivateIP }}' })).toEqual([
      'bind_addr: bind_addr must be an IP address (got "{{ GetPrivateIP }}")',
    ]);
    expect(messages({ ...valid, bind_addr: undefined })).toEqual([
      "bind_addr: bind_addr must be set to this instance's private IP",
    ]);
  });

  it('§8.1 encrypt must be base64 of 32 bytes, and the key is never echoed', () => {
    expect(messages({ ...valid, encrypt: GOSSIP_KEY })).toEqual([]);
    const short = Buffer.alloc(16, 1).toString('base64');
    const [error] = messages({ ...valid, encrypt: short });
    expect(error).toBe(
      "encrypt: encrypt has invalid key: decodes to 16 bytes, expected 32 (use 'consul keygen')",
    );
    expect(error).not.toContain(short);
    expect(messages({ ...valid, encrypt: 'not base64!' })).toEqual([
      'encrypt: encrypt has invalid key: not base64',
    ]);
    expect(gossipKeyProblem('')).toBe('empty');
  });

  it('§8.1 an unknown top-level key is "invalid config key <k>"', () => {
    expect(check({ ...valid, retry_joins: ['x'] }).errors).toEqual([
      { key: 'retry_joins', message: 'invalid config key retry_joins', file: 'consul.hcl' },
    ]);
  });

  it("§8.1 raft_multiplier must be 1–10, with Consul's message", () => {
    expect(messages({ ...valid, performance: { raft_multiplier: 0 } })).toEqual([
      'performance.raft_multiplier: performance.raft_multiplier cannot be 0. Must be between 1 and 10',
    ]);
    expect(messages({ ...valid, performance: { raft_multiplier: 11 } })).toHaveLength(1);
  });

  it('retry_join: a client must have an entry, a server only gets a warning; no duplicates; provider=aws only', () => {
    expect(
      messages({ ...valid, server: false, bootstrap_expect: undefined, retry_join: [] }, 'client'),
    ).toEqual(['retry_join: retry_join is empty: a client must know at least one server to join']);
    expect(check({ ...valid, retry_join: [] }).warnings.map((w) => w.key)).toEqual(['retry_join']);
    expect(messages({ ...valid, retry_join: ['10.0.2.10', '10.0.2.10'] })).toEqual([
      'retry_join[1]: retry_join lists "10.0.2.10" twice',
    ]);
    expect(messages({ ...valid, retry_join: ['provider=gce tag_value=x'] })).toEqual([
      'retry_join[0]: retry_join cloud auto-join string must use provider=aws',
    ]);
  });

  it('the role must match `server`', () => {
    expect(messages({ ...valid, server: false, bootstrap_expect: undefined })).toEqual([
      "server: role 'server' requires 'server = true'",
    ]);
  });

  it('§8.1 acl: policies from their sets, tokens need acl.enabled and are never printed', () => {
    const acl = { enabled: true, default_policy: 'deny', down_policy: 'extend-cache' };
    expect(messages({ ...valid, acl })).toEqual([]);
    expect(messages({ ...valid, acl: { ...acl, default_policy: 'block' } })).toEqual([
      'acl.default_policy: acl.default_policy must be "allow" or "deny" (got "block")',
    ]);
    expect(messages({ ...valid, acl: { ...acl, down_policy: 'panic' } })).toHaveLength(1);
    const errors = messages({ ...valid }, 'server', [{ acl: { tokens: { agent: 'se cret', bogus: 'x' } } }]);
    expect(errors).toEqual([
      'acl.tokens: acl.tokens are set but acl.enabled is not true',
      'acl.tokens.agent: acl.tokens.agent contains whitespace, quotes or control characters',
      'acl.tokens.bogus: invalid config key acl.tokens.bogus',
    ]);
    expect(errors.join('\n')).not.toContain('se cret');
  });

  it('names the fragment a bad key came from, the deepest one that sets it', () => {
    const result = check({ ...valid, acl: { enabled: true } }, 'server', [
      { acl: { tokens: { agent: '' } } },
    ]);
    expect(result.errors).toEqual([
      { key: 'acl.tokens.agent', message: 'acl.tokens.agent is empty', file: 'extra-0.hcl' },
    ]);
  });

  it('§8.1 tls: cert and key together, CA needed to verify, absolute paths', () => {
    const defaults = {
      ca_file: '/ca.pem',
      cert_file: '/c.pem',
      key_file: '/k.pem',
      verify_incoming: true,
      verify_outgoing: true,
    };
    expect(messages({ ...valid, tls: { defaults } })).toEqual([]);
    expect(messages({ ...valid, tls: { defaults: { ...defaults, key_file: undefined } } })).toEqual([
      'tls.defaults.key_file: tls.defaults needs both cert_file and key_file, or neither',
    ]);
    expect(messages({ ...valid, tls: { defaults: { ...defaults, ca_file: undefined } } })).toEqual([
      'tls.defaults.ca_file: tls.defaults.verify_incoming/verify_outgoing need tls.defaults.ca_file',
    ]);
    expect(messages({ ...valid, tls: { defaults: { ca_file: 'ca.pem', verify_outgoing: true } } })).toEqual([
      'tls.defaults.ca_file: tls.defaults.ca_file must be an absolute path',
    ]);
  });

  it('§8.4/§8.5 services: name required, HTTP checks need an interval ≥ 1 s and a shorter timeout; errors prefixed service "<name>":', () => {
    const check = {
      id: 'nat-ha:live',
      http: 'http://127.0.0.1:9721/health/live',
      interval: '1s',
      timeout: '500ms',
    };
    const service = (checks: ConfigObject[]) => ({ service: { name: 'nat-ha', port: 9721, checks } });
    expect(messages(valid, 'server', [service([check])])).toEqual([]);
    expect(messages(valid, 'server', [service([{ ...check, interval: '500ms', timeout: '100ms' }])])).toEqual(
      [
        'service[0].checks[0].interval: service "nat-ha": check "nat-ha:live": interval must be at least 1s (Consul raises shorter intervals to 1s)',
      ],
    );
    expect(messages(valid, 'server', [service([{ ...check, timeout: '1s' }])])).toEqual([
      'service[0].checks[0].timeout: service "nat-ha": check "nat-ha:live": timeout must be shorter than interval, or checks overlap',
    ]);
    expect(messages(valid, 'server', [service([{ ...check, interval: undefined }])])).toEqual([
      'service[0].checks[0].interval: service "nat-ha": check "nat-ha:live": Interval must be > 0 for Script, HTTP, H2PING, TCP or UDP checks',
    ]);
    expect(messages(valid, 'server', [service([check, check])])).toEqual([
      'service[0].checks[1].id: service "nat-ha": check "nat-ha:live": duplicate check id',
    ]);
    expect(messages(valid, 'server', [service([{ ...check, http: 'ftp://x' }])])).toHaveLength(1);
    expect(messages(valid, 'server', [{ service: { port: 1 } }])).toEqual([
      'service[0].name: service: Missing service name',
    ]);
  });

  it('other keys: booleans are booleans, log_level from its set, session_ttl_min a positive duration', () => {
    expect(messages({ ...valid, leave_on_terminate: 'yes' })).toEqual([
      'leave_on_terminate: leave_on_terminate must be true or false',
    ]);
    expect(messages({ ...valid, log_level: 'loud' })).toEqual([
      'log_level: log_level must be one of trace, debug, info, warn, error',
    ]);
    expect(messages({ ...valid, session_ttl_min: '0s' })).toHaveLength(1);
    expect(messages({ ...valid, session_ttl_min: '5s' })).toEqual([]);
  });
});

describe('mergeFragments', () => {
  it('merges like Consul: objects key by key, lists appended, scalars replaced', () => {
    expect(
      mergeFragments([
        { acl: { enabled: true }, retry_join: ['a'], log_level: 'info' },
        { acl: { tokens: { agent: 't' } }, retry_join: ['b'], log_level: 'debug' },
      ]),
    ).toEqual({ acl: { enabled: true, tokens: { agent: 't' } }, retry_join: ['a', 'b'], log_level: 'debug' });
  });
});

describe('durationMs', () => {
  it('reads Go durations', () => {
    expect(durationMs('1s')).toBe(1_000);
    expect(durationMs('500ms')).toBe(500);
    expect(durationMs('1m30s')).toBe(90_000);
    expect(durationMs('1.5s')).toBe(1_500);
    expect(durationMs('0')).toBe(0);
    expect(durationMs('10')).toBeUndefined();
    expect(durationMs('s')).toBeUndefined();
  });
});

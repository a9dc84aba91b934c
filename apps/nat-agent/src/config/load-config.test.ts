import { describe, expect, it } from 'vitest';
import { formatIssues, loadConfig, type LoadConfigInput } from './load-config';
import { redactConfig } from './redact';
import { resolveGroups } from './resolve-groups';

const MINIMAL = `
groups:
  - name: az-a
    routeTables: { azPrivate: us-east-1a }
`;

function load(files: Record<string, string>, rest: Partial<LoadConfigInput> = {}) {
  return loadConfig({
    env: {},
    readFile: (p) => files[p],
    ...rest,
  });
}

function ok(files: Record<string, string>, rest: Partial<LoadConfigInput> = {}) {
  const r = load(files, rest);
  if (!r.ok) throw new Error(formatIssues(r.issues, r.file));
  return r;
}

describe('config loading', () => {
  it('reads /etc/nat-ha/agent.yaml by default and fills every default', () => {
    const r = ok({ '/etc/nat-ha/agent.yaml': MINIMAL });
    expect(r.file).toBe('/etc/nat-ha/agent.yaml');
    expect(r.config.consul).toMatchObject({
      address: 'http://127.0.0.1:8500',
      serviceName: 'nat-ha',
      keyPrefix: 'nat-ha/groups',
      lockProfile: 'nat-ha',
      checkIntervalMs: 1_000,
      checkTimeoutMs: 500,
    });
    // Lock-delay and TTL come from the profile unless set (config/lock-timing.ts).
    expect(r.config.consul.lockDelayMs).toBeUndefined();
    expect(r.config.http).toEqual({ host: '127.0.0.1', port: 9_721 });
    expect(r.config.reconcile.intervalMs).toBe(30_000);
    expect(r.config.interruptions).toMatchObject({ pollIntervalMs: 5_000, drainOnRebalance: false });
    expect(r.config.groups[0]).toMatchObject({
      name: 'az-a',
      role: 'auto',
      destinations: ['0.0.0.0/0'],
      rescueAfterMs: 10_000,
      handBackAfterMs: 30_000,
    });
  });

  it('reports every problem at once, each with its path', () => {
    const r = load({
      '/etc/nat-ha/agent.yaml': `
consul:
  adress: http://x:8500
  lockDelayMs: -5
http:
  port: "abc"
health:
  intervalMs: 500
  timeoutMs: 800
groups:
  - name: AZ_A
    routeTables: { ids: [rtb-1], tags: { a: b } }
    destinations: [0.0.0.0/33]
    fallback: { natGatewayId: nat-0123456789abcdef0, networkInterfaceId: eni-0123456789abcdef0 }
  - name: b
    routeTables: {}
    eipAllocationId: eip-123
  - name: b
    routeTables: { subnets: [subnet-0123456789abcdef0] }
`,
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byPath = Object.fromEntries(r.issues.map((i) => [i.path, i.message]));
    expect(Object.keys(byPath).sort()).toEqual(
      [
        'consul',
        'consul.lockDelayMs',
        'http.port',
        'health.timeoutMs',
        'groups[0].name',
        'groups[0].routeTables',
        'groups[0].routeTables.ids[0]',
        'groups[0].destinations[0]',
        'groups[0].fallback',
        'groups[1].routeTables',
        'groups[1].eipAllocationId',
        'groups[2].name',
      ].sort(),
    );
    expect(byPath.consul).toBe('unknown key "adress"');
    expect(byPath['groups[0].routeTables']).toBe('choose exactly one selector, not ids and tags');
    expect(byPath['groups[2].name']).toBe('"b" is already used by groups[1]');
    expect(byPath['health.timeoutMs']).toBe(
      'must be at most 450 (health.intervalMs 500 minus its 50 ms jitter): a round must end before the next starts',
    );
    const text = formatIssues(r.issues, r.file);
    expect(text).toMatch(/^invalid configuration \(\/etc\/nat-ha\/agent.yaml\): 12 problems/);
  });

  it('a missing explicit --config is an error; a missing default file is not', () => {
    const r = load({}, { configPath: '/nope.yaml' });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues[0]).toEqual({ path: '(file)', message: 'config file /nope.yaml does not exist' });
    const viaEnv = ok(
      {},
      { env: { NAT_HA_GROUPS: '[{name: g, routeTables: {ids: [rtb-0123456789abcdef0]}}]' } },
    );
    expect(viaEnv.file).toBeUndefined();
    expect(viaEnv.config.groups[0]!.name).toBe('g');
  });

  it('YAML syntax errors name the line', () => {
    const r = load({ '/etc/nat-ha/agent.yaml': 'groups:\n  - name: a\n   bad: [\n' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]!.message).toMatch(/not valid YAML \(line \d+, column \d+\)/);
  });

  it('without groups anywhere, says so', () => {
    const r = load({});
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues).toEqual([
        { path: 'groups', message: 'is required: define at least one election group' },
      ]);
  });

  it('applies standard variables, then NAT_HA_* variables, then flags', () => {
    const files = {
      '/etc/nat-ha/agent.yaml': `${MINIMAL}\nconsul: { address: http://file:8500 }\nhttp: { port: 1000 }\n`,
    };
    const env = {
      CONSUL_HTTP_ADDR: '10.0.0.5:8500',
      CONSUL_HTTP_TOKEN: 'secret-token',
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:4000',
      AWS_ENDPOINT_URL_AUTO_SCALING: 'http://127.0.0.1:4001',
      AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:4002',
      NAT_HA_HTTP_PORT: '2000',
      NAT_HA_DATAPLANE_MANAGE_NAT: 'true',
      NAT_HA_DATAPLANE_VPC_CIDRS: '10.0.0.0/16, 10.1.0.0/16',
    };
    const r = ok(files, { env, flags: { 'http-port': '3000', 'log-level': 'debug' } });
    expect(r.config.consul.address).toBe('http://10.0.0.5:8500');
    expect(r.config.consul.token).toBe('secret-token');
    expect(r.config.aws).toMatchObject({
      region: 'eu-west-1',
      ec2Endpoint: 'http://127.0.0.1:4000',
      autoScalingEndpoint: 'http://127.0.0.1:4001',
      imdsEndpoint: 'http://127.0.0.1:4002',
    });
    expect(r.config.http.port).toBe(3000);
    expect(r.config.log.level).toBe('debug');
    expect(r.config.dataplane).toMatchObject({ manageNat: true, vpcCidrs: ['10.0.0.0/16', '10.1.0.0/16'] });
    expect(r.sources).toMatchObject({ 'consul.address': 'CONSUL_HTTP_ADDR', 'http.port': '--http-port' });
    // NAT_HA_* beats the standard variable.
    const r2 = ok(files, { env: { ...env, NAT_HA_CONSUL_ADDRESS: 'http://nat-ha:8500' } });
    expect(r2.config.consul.address).toBe('http://nat-ha:8500');
  });

  it('CONSUL_HTTP_SSL turns a scheme-less address into https', () => {
    const r = ok(
      { '/etc/nat-ha/agent.yaml': MINIMAL },
      { env: { CONSUL_HTTP_ADDR: 'c:8501', CONSUL_HTTP_SSL: 'true' } },
    );
    expect(r.config.consul.address).toBe('https://c:8501');
  });

  it('says which variable or flag a bad value came from', () => {
    const r = load(
      { '/etc/nat-ha/agent.yaml': MINIMAL },
      {
        env: { NAT_HA_HTTP_PORT: 'eighty', NAT_HA_DATAPLANE_MANAGE_NAT: 'maybe' },
        flags: { 'dataplane-mode': 'ebpf' },
      },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual(
      expect.arrayContaining([
        {
          path: 'dataplane.manageNat',
          message: 'must be true or false, not "maybe"',
          source: 'NAT_HA_DATAPLANE_MANAGE_NAT',
        },
        expect.objectContaining({ path: 'http.port', source: 'NAT_HA_HTTP_PORT' }),
        expect.objectContaining({ path: 'dataplane.mode', source: '--dataplane-mode' }),
      ]),
    );
    expect(formatIssues(r.issues, r.file)).toContain('(from NAT_HA_HTTP_PORT)');
  });

  it('redacts the Consul token and anything named like a secret', () => {
    const r = ok({ '/etc/nat-ha/agent.yaml': MINIMAL }, { env: { CONSUL_HTTP_TOKEN: 'abc-123' } });
    const red = redactConfig(r.config);
    expect(red.consul.token).toBe('<redacted>');
    expect(JSON.stringify(red)).not.toContain('abc-123');
    expect(r.config.consul.token).toBe('abc-123');
  });

  it('derives lock keys and roles: auto is primary in its own AZ, rescue elsewhere', () => {
    const r = ok({
      '/etc/nat-ha/agent.yaml': `
consul: { keyPrefix: corp/nat }
groups:
  - { name: a, routeTables: { azPrivate: us-east-1a } }
  - { name: b, routeTables: { azPrivate: us-east-1b } }
  - { name: vpc, routeTables: { tags: { nat-ha: "true" } } }
  - { name: c, key: custom/key, role: primary, az: us-east-1c, routeTables: { ids: [rtb-0123456789abcdef0] } }
`,
    });
    const groups = resolveGroups(r.config, 'us-east-1a');
    expect(groups.map((g) => [g.name, g.key, g.role, g.az])).toEqual([
      ['a', 'corp/nat/a/leader', 'primary', 'us-east-1a'],
      ['b', 'corp/nat/b/leader', 'rescue', 'us-east-1b'],
      ['vpc', 'corp/nat/vpc/leader', 'primary', undefined],
      ['c', 'custom/key', 'primary', 'us-east-1c'],
    ]);
  });

  it('rejects two groups sharing one lock key', () => {
    const r = load({
      '/etc/nat-ha/agent.yaml': `
groups:
  - { name: a, routeTables: { ids: [rtb-0123456789abcdef0] } }
  - { name: b, key: nat-ha/groups/a/leader, routeTables: { ids: [rtb-0123456789abcdef0] } }
`,
    });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues).toEqual([
        { path: 'groups[1].key', message: '"nat-ha/groups/a/leader" is already the lock key of groups[0]' },
      ]);
  });

  it('accepts IPv6 destinations and rejects malformed ones', () => {
    const good = ok({
      '/etc/nat-ha/agent.yaml': `groups: [{ name: a, routeTables: { ids: [rtb-0123456789abcdef0] }, destinations: ["0.0.0.0/0", "::/0", "2600:1f18::/36"] }]`,
    });
    expect(good.config.groups[0]!.destinations).toHaveLength(3);
    const bad = load({
      '/etc/nat-ha/agent.yaml': `groups: [{ name: a, routeTables: { ids: [rtb-0123456789abcdef0] }, destinations: ["::/200", "10.0.0.0"] }]`,
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.issues.map((i) => i.path)).toEqual([
        'groups[0].destinations[0]',
        'groups[0].destinations[1]',
      ]);
  });

  it('rejects duplicate health targets at validation, naming both (they would otherwise stop `run` at start-up)', () => {
    const r = load({
      '/etc/nat-ha/agent.yaml':
        MINIMAL +
        'health:\n  targets:\n    - { type: tcp, host: 127.0.0.1, port: 80 }\n    - { type: tcp, host: 127.0.0.1, port: 80 }\n',
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toContainEqual(
      expect.objectContaining({
        path: 'health.targets[1]',
        message: expect.stringContaining('duplicates targets[0]'),
      }),
    );
  });

  it('says what is wrong with a number: its type, or the range it misses', () => {
    const r = load({
      '/etc/nat-ha/agent.yaml': MINIMAL + 'health:\n  fall: 0\n  rise: "three"\n  intervalMs: -1\n',
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'health.fall', message: 'fall must be at least 1' }),
        expect.objectContaining({ path: 'health.rise', message: 'rise must be a number' }),
        expect.objectContaining({ path: 'health.intervalMs', message: 'intervalMs must not be negative' }),
      ]),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { fakeContext, FILES, GOSSIP_KEY } from '../test/fixtures';
import { BootstrapError } from './errors';
import { parseRenderArgs } from './render-args';
import { FLAGS, envName, renderHelp } from './render-flags';

const BASE = ['--out', '/etc/nat-ha', '--peer-tag', 'nat-ha:consul=prod'];
const parse = (argv: string[], env: Record<string, string> = {}, files = FILES) =>
  parseRenderArgs(argv, fakeContext(env, files));
const problem = (argv: string[], env: Record<string, string> = {}): string => {
  try {
    parse(argv, env);
  } catch (error) {
    if (BootstrapError.isInstance(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('expected an error');
};

describe('parseRenderArgs', () => {
  it('applies every default', () => {
    const { options, dryRun, waitForPeers, waitTimeoutMs, waitIntervalMs, endpoints } = parse(BASE);
    expect(options).toEqual({
      outDir: '/etc/nat-ha',
      role: 'client',
      format: 'hcl',
      dataDir: '/opt/consul/data',
      join: 'both',
      bootstrapExpect: 3,
      logLevel: 'info',
      serviceDefinition: true,
      consulOnly: false,
      discovery: { tag: { key: 'nat-ha:consul', value: 'prod' } },
      natHa: {
        serviceName: 'nat-ha',
        sessionTtlMs: 10_000,
        checkIntervalMs: 1_000,
        checkTimeoutMs: 500,
        httpHost: '127.0.0.1',
        httpPort: 9_721,
        manageNat: false,
      },
      groups: { mode: 'per-az', singleName: 'vpc', routeTables: { kind: 'az-private' }, rescueAzs: [] },
      consulBinary: '/usr/bin/consul',
      consulUser: 'consul',
      nodeBinary: '/usr/bin/node',
      natAgentBinary: '/usr/lib/nat-ha/nat-agent.js',
      natAgentUser: 'nat-ha',
    });
    expect({ dryRun, waitForPeers, waitTimeoutMs, waitIntervalMs, endpoints }).toEqual({
      dryRun: false,
      waitForPeers: 0,
      waitTimeoutMs: 300_000,
      waitIntervalMs: 5_000,
      endpoints: {},
    });
  });

  it('resolves a relative --out against the working directory', () => {
    expect(parse(['--out', 'rendered/', '--peer-asg', 'nat']).options.outDir).toBe('/home/ops/rendered');
  });

  it('maps every flag to NAT_HA_BOOTSTRAP_*; flags win over the environment', () => {
    const env = {
      NAT_HA_BOOTSTRAP_OUT: '/srv/out',
      NAT_HA_BOOTSTRAP_PEER_ASG: 'consul-servers',
      NAT_HA_BOOTSTRAP_ROLE: 'server',
      NAT_HA_BOOTSTRAP_DRY_RUN: 'true',
      NAT_HA_BOOTSTRAP_RESCUE_AZ: 'us-east-1b, us-east-1c',
      NAT_HA_BOOTSTRAP_FORMAT: 'json',
      AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:4566',
    };
    const fromEnv = parse([], env);
    expect(fromEnv.options).toMatchObject({
      outDir: '/srv/out',
      role: 'server',
      format: 'json',
      discovery: { autoScalingGroupName: 'consul-servers' },
      groups: { rescueAzs: ['us-east-1b', 'us-east-1c'] },
    });
    expect(fromEnv.dryRun).toBe(true);
    expect(fromEnv.endpoints).toEqual({ ec2: 'http://127.0.0.1:4566' });
    expect(parse(['--format', 'hcl'], env).options.format).toBe('hcl');
    expect(envName('acl-agent-token-file')).toBe('NAT_HA_BOOTSTRAP_ACL_AGENT_TOKEN_FILE');
  });

  it('reads secrets from files (trimmed) or the gossip key from NAT_HA_BOOTSTRAP_ENCRYPT, never from a flag', () => {
    expect(parse([...BASE, '--encrypt-file', '/run/secrets/gossip']).options.encryptKey).toBe(GOSSIP_KEY);
    expect(parse(BASE, { NAT_HA_BOOTSTRAP_ENCRYPT: ` ${GOSSIP_KEY} ` }).options.encryptKey).toBe(GOSSIP_KEY);
    expect(problem([...BASE, '--encrypt', GOSSIP_KEY])).toMatch(
      /^INVALID_OPTION: Unknown option '--encrypt'/,
    );
    expect(
      problem([...BASE, '--encrypt-file', '/run/secrets/gossip'], { NAT_HA_BOOTSTRAP_ENCRYPT: GOSSIP_KEY }),
    ).toBe('INVALID_OPTION: give --encrypt-file or NAT_HA_BOOTSTRAP_ENCRYPT, not both');
    const acl = parse([
      ...BASE,
      '--role',
      'server',
      '--acl-agent-token-file',
      '/run/secrets/agent-token',
      '--acl-initial-management-token-file',
      '/run/secrets/mgmt-token',
    ]).options.acl;
    expect(acl).toEqual({
      defaultPolicy: 'deny',
      downPolicy: 'extend-cache',
      tokens: {
        agent: '6a1253d2-1785-24fd-91c2-f8e78c745511',
        initial_management: 'b1gs33cr3t-0000-0000-0000-000000000001',
      },
    });
  });

  it('names the bad secret file and never prints a secret', () => {
    const short = Buffer.alloc(16, 9).toString('base64');
    const message = problem([...BASE, '--encrypt-file', '/run/secrets/short'], {});
    expect(message).toMatch(/--encrypt-file: cannot read \/run\/secrets\/short: ENOENT/);
    const files = {
      ...FILES,
      '/run/secrets/short': short,
      '/run/secrets/empty': '\n',
      '/run/secrets/two': 'a\nb\n',
    };
    const run = (argv: string[]) => {
      try {
        parse([...BASE, ...argv], {}, files);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    const invalid = run(['--encrypt-file', '/run/secrets/short']);
    expect(invalid).toBe(
      "--encrypt-file: encrypt has invalid key: decodes to 16 bytes, expected 32 (use 'consul keygen')",
    );
    expect(invalid).not.toContain(short);
    expect(run(['--acl-agent-token-file', '/run/secrets/empty'])).toBe(
      '--acl-agent-token-file: /run/secrets/empty is empty',
    );
    expect(run(['--acl-agent-token-file', '/run/secrets/two'])).toBe(
      '--acl-agent-token-file: /run/secrets/two must hold one line',
    );
  });

  it('reports every problem at once, each naming its flag or variable', () => {
    const message = problem(
      [
        '--role',
        'primary',
        '--format',
        'yaml',
        '--check-interval',
        '500ms',
        '--agent-port',
        '70000',
        '--datacenter',
        'US',
      ],
      { NAT_HA_BOOTSTRAP_JOIN: 'all' },
    );
    expect(message).toBe(
      [
        'INVALID_OPTION: invalid options:',
        '  - --out DIR is required',
        '  - --role must be one of server, client (got "primary")',
        '  - --format must be one of hcl, json (got "yaml")',
        '  - --peer-tag KEY=VALUE or --peer-asg NAME is required: it selects the instances Consul joins',
        '  - --join (from NAT_HA_BOOTSTRAP_JOIN) must be one of peers, cloud, both (got "all")',
        '  - --datacenter cannot be "US": use only [a-z0-9-_]',
        '  - --check-interval must be at least 1s (Consul raises shorter intervals to 1s)',
        '  - --check-timeout must be greater than 0 and shorter than --check-interval',
        '  - --agent-port must be a whole number from 1 to 65535 (got "70000")',
      ].join('\n'),
    );
  });

  it('rejects flags that do not fit the role or mode', () => {
    expect(problem([...BASE, '--bootstrap-expect', '3'])).toBe(
      "INVALID_OPTION: --bootstrap-expect is only valid with --role server ('bootstrap_expect > 0' requires 'server = true')",
    );
    expect(problem([...BASE, '--acl-initial-management-token-file', '/run/secrets/mgmt-token'])).toBe(
      'INVALID_OPTION: --acl-initial-management-token-file is only valid with --role server',
    );
    expect(problem([...BASE, '--route-table', 'rtb-0123456789abcdef0'])).toMatch(
      /--route-table needs --group-mode single/,
    );
    expect(problem([...BASE, '--route-table-tag', 'k=v'])).toMatch(/takes only KEY with --group-mode per-az/);
    expect(problem([...BASE, '--group-mode', 'single'])).toMatch(
      /--group-mode single needs --route-table-tag KEY=VALUE or --route-table rtb-ID/,
    );
    expect(problem([...BASE, '--group-mode', 'single', '--route-table-tag', 'k'])).toMatch(
      /must be KEY=VALUE with --group-mode single/,
    );
    expect(problem([...BASE, '--lifecycle-hook', 'drain'])).toMatch(
      /--lifecycle-hook needs --lifecycle-asg NAME/,
    );
    expect(problem([...BASE, '--timeout', '1m'])).toBe(
      'INVALID_OPTION: --timeout only applies with --wait-for-peers',
    );
    expect(problem([...BASE, '--peer-asg', 'x'])).toBe(
      'INVALID_OPTION: give --peer-tag or --peer-asg, not both',
    );
    expect(problem(['--out', '/x', '--peer-tag', 'novalue'])).toBe(
      'INVALID_OPTION: --peer-tag must be KEY=VALUE (got "novalue")',
    );
  });

  it('validates ids, paths and TLS files', () => {
    expect(problem([...BASE, '--eip', 'eip-1'])).toMatch(/--eip must be an allocation id/);
    expect(problem([...BASE, '--data-dir', 'relative/dir'])).toMatch(/--data-dir must be an absolute path/);
    expect(problem([...BASE, '--data-dir', '/opt/my data'])).toMatch(
      /--data-dir must be an absolute path of letters/,
    );
    expect(problem(['--out', '/etc/nat ha', '--peer-asg', 'x'])).toMatch(/--out must be a path of letters/);
    expect(problem([...BASE, '--tls-ca-file', '/etc/missing.pem'])).toBe(
      'INVALID_OPTION: --tls-ca-file: /etc/missing.pem does not exist',
    );
    expect(
      problem([
        ...BASE,
        '--tls-ca-file',
        '/etc/consul.d/tls/ca.pem',
        '--tls-cert-file',
        '/etc/consul.d/tls/server.pem',
      ]),
    ).toBe('INVALID_OPTION: --tls-cert-file and --tls-key-file go together');
    expect(problem([...BASE, '--consul-user', 'Root!'])).toMatch(/--consul-user must be a user name/);
    expect(problem([...BASE, '--wait-for-peers', 'three'])).toMatch(
      /--wait-for-peers must be a whole number/,
    );
    expect(problem([...BASE, '--ec2-endpoint', 'ftp://x'])).toMatch(/--ec2-endpoint must be an http/);
  });

  it('rejects positional arguments and unknown flags', () => {
    expect(problem([...BASE, 'extra'])).toMatch(/^INVALID_OPTION: Unexpected argument 'extra'/);
    expect(problem([...BASE, '--bogus'])).toMatch(/^INVALID_OPTION: Unknown option '--bogus'/);
  });
});

describe('renderHelp', () => {
  it('documents every flag, the exit codes and the environment mapping', () => {
    const help = renderHelp();
    for (const flag of FLAGS) expect(help).toContain(`--${flag.name}`);
    expect(help).toContain('0 nothing changed, 10 something changed');
    expect(help).toContain('NAT_HA_BOOTSTRAP_DRY_RUN');
    expect(help).toContain('NAT_HA_BOOTSTRAP_ENCRYPT');
  });
});

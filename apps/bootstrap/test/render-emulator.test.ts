import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseHcl2 } from '@cdktn/hcl2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBundle } from '../src/bundle';
import { buildConsulConfig } from '../src/consul-config';
import { systemClock } from '../src/clock';
import { BootstrapError } from '../src/errors';
import { EXIT } from '../src/exit-codes';
import { parseRenderArgs } from '../src/render-args';
import { collectFacts, runRender } from '../src/render-command';
import { AZ_TAG, CLUSTER_TAG, factsFor, startWorld, type AwsEmulator } from './emulator';
import { fakeContext } from './fixtures';
import { expectGolden } from './golden';

let aws: AwsEmulator;
let nat: { a: string; b: string; c: string };

beforeAll(async () => {
  aws = await startWorld();
  const [a, b, c] = aws.instanceIds as [string, string, string];
  nat = { a, b, c };
});
afterAll(async () => {
  await aws.close();
});

const quiet = { stdout: () => undefined, stderr: () => undefined };

/** The flags of one golden variant; secrets and certificates come from the in-memory test files. */
const VARIANTS = {
  server: [
    '--role',
    'server',
    '--peer-tag',
    CLUSTER_TAG,
    '--route-table-tag',
    AZ_TAG,
    '--rescue-az',
    'us-east-1b',
    '--rescue-az',
    'us-east-1c',
    '--eip',
    'eipalloc-0123456789abcdef0',
    '--encrypt-file',
    '/run/secrets/gossip',
    '--acl-agent-token-file',
    '/run/secrets/agent-token',
    '--acl-initial-management-token-file',
    '/run/secrets/mgmt-token',
    '--manage-nat',
  ],
  client: [
    '--role',
    'client',
    '--peer-tag',
    CLUSTER_TAG,
    '--encrypt-file',
    '/run/secrets/gossip',
    '--acl-agent-token-file',
    '/run/secrets/agent-token',
    '--tls-ca-file',
    '/etc/consul.d/tls/ca.pem',
    '--tls-cert-file',
    '/etc/consul.d/tls/server.pem',
    '--tls-key-file',
    '/etc/consul.d/tls/server-key.pem',
    '--nat-agent-token-file',
    '/etc/nat-ha/secrets/nat-agent-token',
    '--lifecycle-hook',
    'nat-ha-drain',
    '--lifecycle-asg',
    'nat-ha-us-east-1b',
  ],
} as const;

function parse(
  variant: keyof typeof VARIANTS,
  format: 'hcl' | 'json',
  extra: string[] = [],
  out = '/etc/nat-ha',
) {
  return parseRenderArgs(['--out', out, '--format', format, ...VARIANTS[variant], ...extra], fakeContext());
}

async function bundleFor(variant: keyof typeof VARIANTS, format: 'hcl' | 'json', instanceId: string) {
  const command = parse(variant, format);
  const facts = await collectFacts(command, {
    facts: factsFor(aws, instanceId, command.options.discovery),
    clock: systemClock,
    ...quiet,
  });
  return { facts, bundle: renderBundle(facts, command.options) };
}

describe('render against the testkit world (IMDS per instance + EC2 emulator)', () => {
  it('collects the facts of the world: identity from IMDS, the three tagged peers from EC2', async () => {
    const { facts } = await bundleFor('server', 'hcl', nat.a);
    expect(facts.self).toMatchObject({
      instanceId: nat.a,
      region: 'us-east-1',
      availabilityZone: 'us-east-1a',
    });
    expect(facts.peers.map((p) => p.instanceId)).toEqual([nat.a, nat.b, nat.c]);
    expect(facts.cloudAutoJoin).toBe('provider=aws tag_key=nat-ha:cluster tag_value=lab region=us-east-1');
  });

  for (const [variant, instance] of [
    ['server', 'a'],
    ['client', 'b'],
  ] as const) {
    for (const format of ['hcl', 'json'] as const) {
      it(`matches the ${variant} ${format} golden files`, async () => {
        const { bundle } = await bundleFor(variant, format, nat[instance]);
        expect(bundle.warnings).toEqual([]);
        expectGolden(`${variant}-${format}`, bundle.files);
      });
    }

    it(`${variant}: the HCL, parsed by an independent HCL 2 parser, equals the JSON rendering`, async () => {
      const hcl = (await bundleFor(variant, 'hcl', nat[instance])).bundle.files;
      const json = (await bundleFor(variant, 'json', nat[instance])).bundle.files;
      const consulFiles = hcl.filter((f) => f.path.endsWith('.hcl'));
      expect(consulFiles.length).toBe(3);
      for (const file of consulFiles) {
        const twin = json.find((f) => f.path === file.path.replace(/\.hcl$/, '.json'));
        expect(await parseHcl2(file.path, file.content), file.path).toEqual(
          JSON.parse(twin?.content ?? 'null'),
        );
      }
    });
  }

  it('discovers peers by Auto Scaling group and joins them through the group-name tag', async () => {
    const command = parseRenderArgs(
      ['--out', '/etc/nat-ha', '--peer-asg', 'nat-ha-us-east-1b'],
      fakeContext(),
    );
    const facts = await collectFacts(command, {
      facts: factsFor(aws, nat.a, command.options.discovery),
      clock: systemClock,
      ...quiet,
    });
    expect(facts.peers.map((p) => p.instanceId)).toEqual([nat.b]);
    expect(buildConsulConfig(facts, command.options).main.retry_join).toEqual([
      '10.0.1.10',
      'provider=aws tag_key=aws:autoscaling:groupName tag_value=nat-ha-us-east-1b region=us-east-1',
    ]);
  });
});

describe('runRender end to end against the emulator', () => {
  let out: string;
  beforeAll(async () => {
    out = await fs.mkdtemp(join(tmpdir(), 'nat-bootstrap-e2e-'));
  });
  afterAll(async () => {
    await fs.rm(out, { recursive: true, force: true });
  });

  const run = async (extra: string[] = [], instanceId = nat.a) => {
    const command = parse('server', 'hcl', extra, out);
    return runRender(command, {
      facts: factsFor(aws, instanceId, command.options.discovery),
      clock: systemClock,
      ...quiet,
    });
  };

  it('writes once (exit 10), then reports nothing changed (exit 0); a peer that stops changes retry_join', async () => {
    expect(await run()).toBe(EXIT.changed);
    expect(await run()).toBe(EXIT.unchanged);
    aws.control.stopInstance(nat.c);
    try {
      expect(await run(['--dry-run'])).toBe(EXIT.changed);
      expect(await run()).toBe(EXIT.changed);
      const config = await fs.readFile(join(out, 'consul.d/consul.hcl'), 'utf8');
      expect(config).toContain('retry_join = ["10.0.1.10", "provider=aws');
    } finally {
      aws.control.startInstance(nat.c);
    }
    expect(await run()).toBe(EXIT.changed);
    expect(await run()).toBe(EXIT.unchanged);
  });

  it('--wait-for-peers waits for the third server to start, then renders it into retry_join', async () => {
    aws.control.stopInstance(nat.c);
    const command = parse(
      'server',
      'hcl',
      ['--wait-for-peers', '3', '--timeout', '60s', '--wait-interval', '100ms'],
      out,
    );
    const rounds: string[] = [];
    const done = collectFacts(command, {
      facts: factsFor(aws, nat.a, command.options.discovery),
      clock: systemClock,
      stdout: () => undefined,
      stderr: (text) => {
        rounds.push(text);
        if (text.includes('2 of 3')) aws.control.startInstance(nat.c);
      },
    });
    const facts = await done;
    expect(facts.peers.map((p) => p.instanceId)).toEqual([nat.a, nat.b, nat.c]);
    expect(rounds).toEqual([
      'nat-bootstrap: waiting for peers: 2 of 3 visible\n',
      'nat-bootstrap: waiting for peers: 3 of 3 visible\n',
    ]);
  });

  it('--wait-for-peers gives up at --timeout with a clear error naming what it saw', async () => {
    const command = parse(
      'server',
      'hcl',
      ['--wait-for-peers', '4', '--timeout', '300ms', '--wait-interval', '100ms'],
      out,
    );
    const error = await collectFacts(command, {
      facts: factsFor(aws, nat.a, command.options.discovery),
      clock: systemClock,
      ...quiet,
    }).catch((e: unknown) => e);
    expect(BootstrapError.isInstance(error) && error.code).toBe('PEERS_TIMEOUT');
    expect((error as Error).message).toMatch(
      new RegExp(
        `^--wait-for-peers 4: saw 3 of 4 instances after 300 ms \\(${nat.a} \\(10\\.0\\.0\\.10\\), ${nat.b}`,
      ),
    );
  });

  it('an instance whose IMDS is disabled fails with DISCOVERY_FAILED and writes nothing', async () => {
    const empty = await fs.mkdtemp(join(tmpdir(), 'nat-bootstrap-imds-'));
    aws.control.setImdsOptions(nat.b, { httpEndpoint: 'disabled' });
    try {
      const command = parse('server', 'hcl', [], empty);
      const error = await runRender(command, {
        facts: factsFor(aws, nat.b, command.options.discovery),
        clock: systemClock,
        ...quiet,
      }).catch((e: unknown) => e);
      expect(BootstrapError.isInstance(error) && error.code).toBe('DISCOVERY_FAILED');
      expect((error as Error).message).toMatch(/^reading this instance's identity from IMDS failed: /);
      expect(await fs.readdir(empty)).toEqual([]);
    } finally {
      aws.control.setImdsOptions(nat.b, { httpEndpoint: 'enabled' });
      await fs.rm(empty, { recursive: true, force: true });
    }
  });
});

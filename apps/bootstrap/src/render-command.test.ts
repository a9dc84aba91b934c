import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVirtualClock } from '@nat-ha/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeContext, sampleFacts } from '../test/fixtures';
import type { FactsSource } from './aws-facts';
import { BootstrapError } from './errors';
import { EXIT } from './exit-codes';
import type { PeerFacts } from './facts';
import { parseRenderArgs } from './render-args';
import { runRender } from './render-command';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(join(tmpdir(), 'nat-bootstrap-run-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

function source(peers: () => PeerFacts[] = () => [...sampleFacts().peers]): FactsSource & { rounds: number } {
  const facts = sampleFacts();
  const result = {
    rounds: 0,
    identity: async () => facts.self,
    peers: async () => {
      result.rounds++;
      return peers();
    },
    cloudAutoJoin: () => facts.cloudAutoJoin,
  };
  return result;
}

async function run(argv: string[], facts = source(), clock = createVirtualClock(0)) {
  const out: string[] = [];
  const err: string[] = [];
  const command = parseRenderArgs(
    ['--out', root, '--peer-tag', 'nat-ha:consul=prod', ...argv],
    fakeContext(),
  );
  const code = await runRender(command, {
    facts,
    clock,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('runRender', () => {
  it('exit 10 when it wrote something, then 0 on an identical re-run', async () => {
    const first = await run(['--role', 'server']);
    expect(first.code).toBe(EXIT.changed);
    expect(first.stdout).toContain('created   consul.d/consul.hcl\n');
    const second = await run(['--role', 'server']);
    expect(second.code).toBe(EXIT.unchanged);
    expect(second.stdout).toContain('unchanged consul.d/consul.hcl\n');
    expect(second.stdout).not.toMatch(/created|updated/);
  });

  it('--dry-run prints the diff, writes nothing, and still says "would change" by exit 10', async () => {
    const dry = await run(['--dry-run']);
    expect(dry.code).toBe(EXIT.changed);
    expect(dry.stdout).toContain('--- /dev/null\n+++ b/consul.d/consul.hcl\n');
    expect(await fs.readdir(root)).toEqual([]);
    await run([]);
    const changedPeers = source(() => sampleFacts().peers.slice(0, 2));
    const diff = await run(['--dry-run'], changedPeers);
    expect(diff.code).toBe(EXIT.changed);
    expect(diff.stdout).toContain('-retry_join = ["10.0.2.10", "10.0.3.10", "provider=aws');
    expect(diff.stdout).toContain('+retry_join = ["10.0.2.10", "provider=aws');
    expect((await run(['--dry-run'])).code).toBe(EXIT.unchanged);
  });

  it("switching format removes the other format's files, so Consul never loads both", async () => {
    await run(['--encrypt-file', '/run/secrets/gossip']);
    const switched = await run(['--format', 'json']);
    expect(switched.code).toBe(EXIT.changed);
    expect(switched.stdout).toContain('deleted   consul.d/consul.hcl\n');
    expect(switched.stdout).toContain('deleted   secrets/consul-secrets.hcl\n');
    expect((await fs.readdir(join(root, 'consul.d'))).sort()).toEqual(['consul.json', 'nat-ha-service.json']);
    expect(await fs.readdir(join(root, 'secrets'))).toEqual([]);
  });

  it('writes nothing when validation fails', async () => {
    const facts = source();
    const broken: FactsSource = {
      ...facts,
      identity: async () => ({ ...sampleFacts().self, privateIp: '0.0.0.0' }),
    };
    const error = await run([], broken as typeof facts).catch((e: unknown) => e);
    expect(BootstrapError.isInstance(error) && error.code).toBe('INVALID_CONFIG');
    expect(await fs.readdir(root)).toEqual([]);
  });

  it('--wait-for-peers polls until N instances are visible, logging progress on stderr', async () => {
    let visible = 1;
    const facts = source(() => sampleFacts().peers.slice(0, visible));
    const clock = createVirtualClock(0);
    const done = run(['--wait-for-peers', '3', '--timeout', '1m', '--wait-interval', '5s'], facts, clock);
    await clock.advance(5_000);
    visible = 2;
    await clock.advance(5_000);
    visible = 3;
    await clock.advance(5_000);
    const result = await done;
    expect(result.code).toBe(EXIT.changed);
    expect(result.stderr).toBe(
      'nat-bootstrap: waiting for peers: 1 of 3 visible\n' +
        'nat-bootstrap: waiting for peers: 2 of 3 visible\n' +
        'nat-bootstrap: waiting for peers: 3 of 3 visible\n',
    );
    const config = await fs.readFile(join(root, 'consul.d/consul.hcl'), 'utf8');
    expect(config).toContain('retry_join = ["10.0.2.10", "10.0.3.10", "provider=aws');
  });

  it("prints Consul's warnings on stderr", async () => {
    const result = await run(['--role', 'server', '--bootstrap-expect', '2']);
    expect(result.stderr).toContain(
      'nat-bootstrap: warning: bootstrap_expect: bootstrap_expect = 2: A cluster with 2 servers will provide no failure tolerance.',
    );
  });
});

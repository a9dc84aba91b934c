import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build, type Options } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import tsupConfig from '../tsup.config';
import { GOSSIP_KEY } from './fixtures';
import { CLUSTER_TAG, startWorld, type AwsEmulator } from './emulator';

/**
 * The shipped single-file program, built with the package's own tsup config into a temporary
 * directory, run as a child process: flags, environment, stdout/stderr and exit statuses. The child
 * talks only to the loopback emulator: IMDS from AWS_EC2_METADATA_SERVICE_ENDPOINT, EC2 from
 * --ec2-endpoint, credentials from the environment.
 */
let aws: AwsEmulator;
let out: string;
let bin: string;
let instance: string;

beforeAll(async () => {
  const dist = await fs.mkdtemp(join(tmpdir(), 'nat-bootstrap-dist-'));
  await build({ ...(tsupConfig as Options), outDir: dist, silent: true, config: false, sourcemap: false });
  bin = join(dist, 'nat-bootstrap.js');
  expect(await fs.readdir(dist)).toEqual(['nat-bootstrap.js']);
  aws = await startWorld();
  instance = aws.instanceIds[0] as string;
  out = await fs.mkdtemp(join(tmpdir(), 'nat-bootstrap-cli-'));
}, 120_000);
afterAll(async () => {
  await aws.close();
  await fs.rm(out, { recursive: true, force: true });
  await fs.rm(dirname(bin), { recursive: true, force: true });
});

function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const credentials = aws.credentials(instance);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: process.env.HOME ?? '/tmp',
          AWS_EC2_METADATA_SERVICE_ENDPOINT: aws.imdsUrl(instance),
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          ...(credentials.sessionToken != null ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          ...env,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error == null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const render = (extra: string[] = []) => [
  'render',
  '--out',
  out,
  '--role',
  'server',
  '--peer-tag',
  CLUSTER_TAG,
  '--ec2-endpoint',
  aws.endpoint,
  ...extra,
];

describe('nat-bootstrap as a process', () => {
  it('--dry-run prints the diff and exits 10, writing nothing', async () => {
    const result = await cli(render(['--dry-run']), { NAT_HA_BOOTSTRAP_ENCRYPT: GOSSIP_KEY });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(10);
    expect(result.stdout).toContain('+++ b/consul.d/consul.hcl\n');
    expect(result.stdout).toContain(`+node_name = "${instance}"`);
    expect(result.stdout).toContain(
      'secrets/consul-secrets.hcl: would be created (secret: content not shown)',
    );
    expect(result.stdout).not.toContain(GOSSIP_KEY);
    expect(await fs.readdir(out)).toEqual([]);
  }, 90_000);

  it('writes (exit 10), then finds nothing to change (exit 0)', async () => {
    const first = await cli(render(), { NAT_HA_BOOTSTRAP_ENCRYPT: GOSSIP_KEY });
    expect(first.code).toBe(10);
    expect(first.stdout).toContain('created   secrets/consul-secrets.hcl\n');
    const second = await cli(render(), { NAT_HA_BOOTSTRAP_ENCRYPT: GOSSIP_KEY });
    expect(second.code).toBe(0);
    expect(second.stdout).not.toMatch(/^(created|updated|deleted)/m);
    expect((await fs.stat(join(out, 'secrets/consul-secrets.hcl'))).mode & 0o777).toBe(0o600);
  }, 90_000);

  it('exits 2 on bad flags, naming each, and on a bad gossip key without printing it', async () => {
    const bad = await cli(render(['--role', 'leader', '--check-interval', '100ms']));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--role must be one of server, client (got "leader")');
    expect(bad.stderr).toContain('--check-interval must be at least 1s');
    const key = Buffer.alloc(16, 3).toString('base64');
    const badKey = await cli(render(), { NAT_HA_BOOTSTRAP_ENCRYPT: key });
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toBe(
      "nat-bootstrap: NAT_HA_BOOTSTRAP_ENCRYPT: encrypt has invalid key: decodes to 16 bytes, expected 32 (use 'consul keygen')\n",
    );
  }, 90_000);

  it('exits 1 with a clear message when peers do not show up in time', async () => {
    const result = await cli(
      render(['--wait-for-peers', '5', '--timeout', '1s', '--wait-interval', '200ms']),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/nat-bootstrap: --wait-for-peers 5: saw 3 of 5 instances after 1000 ms/);
  }, 90_000);

  it('prints the render help', async () => {
    const help = await cli(['render', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: nat-bootstrap render --out DIR');
  }, 90_000);
});

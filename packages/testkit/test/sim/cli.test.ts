// nat-ha-sim as a process: one JSON line when ready, exit 0 on SIGTERM/SIGINT, clear usage errors.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { validateWorld } from '../../src/world/parse-world';
import { freePortBase } from '../free-port-base';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
// The source through tsx: a package's own tests run before (or without) its build.
const CLI = ['--import', 'tsx', 'src/cli.ts'];
const scratch = mkdtempSync(join(tmpdir(), 'nat-ha-sim-cli-'));

function start(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [...CLI, ...args], {
    cwd: packageDir,
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
}

function finish(
  child: ChildProcessWithoutNullStreams,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

const run = (args: string[]) => finish(start(args));

/** Resolves the first stdout line. */
function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        child.stdout.off('data', onData);
        resolve(buf.slice(0, nl));
      }
    };
    child.stdout.on('data', onData);
    child.once('close', (code) => reject(new Error(`exited ${String(code)} before the ready line`)));
  });
}

describe('nat-ha-sim', () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('serve prints exactly one JSON line when ready, serves it, and exits 0 on SIGTERM', async () => {
    // 3 instances: EC2, 3 IMDS, the Consul control listener, 3 Consul agents.
    const base = await freePortBase(8);
    const child = start(['serve', '--port-base', String(base)]);
    const done = finish(child);
    const line = await firstLine(child);
    const ready = JSON.parse(line) as { ec2: string; control: string; imds: Record<string, string> } & Record<
      string,
      unknown
    >;
    expect(Object.keys(ready)).toEqual([
      'region',
      'ec2',
      'autoscaling',
      'consul',
      'consulAgents',
      'imds',
      'control',
    ]);
    expect(ready.ec2).toBe(`http://127.0.0.1:${base}/`);
    expect(Object.values(ready.imds)).toEqual([1, 2, 3].map((k) => `http://127.0.0.1:${base + k}`));
    expect(ready['consul']).toBe(`http://127.0.0.1:${base + 4}`);
    expect(Object.values(ready['consulAgents'] as Record<string, string>)).toEqual(
      [5, 6, 7].map((k) => `http://127.0.0.1:${base + k}`),
    );
    const leader = await fetch(`http://127.0.0.1:${base + 5}/v1/status/leader`);
    expect(leader.status).toBe(200);
    const token = await fetch(`${ready.imds['i-00000000000000100'] ?? ''}/latest/api/token`, {
      method: 'PUT',
      headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
    });
    expect(token.status).toBe(200);
    const control = await fetch(`${ready.control}aws/routeTables`);
    expect(control.status).toBe(200);
    child.kill('SIGTERM');
    const { code, stdout } = await done;
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toEqual([line]);
  });

  it('serve exits 0 on SIGINT too', async () => {
    const child = start(['serve']);
    const done = finish(child);
    await firstLine(child);
    child.kill('SIGINT');
    expect((await done).code).toBe(0);
  });

  it('serve --world with an invalid file exits 2 and names every problem with its JSON path', async () => {
    const file = join(scratch, 'bad-world.json');
    writeFileSync(
      file,
      JSON.stringify({
        region: 'nowhere',
        accountId: '123',
        vpcs: [],
        subnets: [],
        routeTables: [],
        instances: [{}],
      }),
    );
    const { code, stdout, stderr } = await run(['serve', '--world', file]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`world file '${file}' is invalid`);
    for (const path of [
      '$.region',
      '$.accountId',
      '$.vpcs',
      '$.instances[0].instanceId',
      '$.instances[0].networkInterfaces',
    ]) {
      expect(stderr).toContain(`  ${path}: `);
    }
    const notJson = join(scratch, 'not-json.json');
    writeFileSync(notJson, '{ nope');
    const second = await run(['serve', '--world', notJson]);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain('is not valid JSON');
  });

  it('world prints the default world as valid JSON; options shape it', async () => {
    const { code, stdout } = await run(['world', '--route-tables', '5', '--nat-gateways']);
    expect(code).toBe(0);
    const spec = JSON.parse(stdout) as unknown;
    expect(validateWorld(spec).problems).toEqual([]);
    expect((spec as { natGateways: unknown[] }).natGateways).toHaveLength(3);
  });

  it('--help documents the commands and the ready line; bad usage exits 2 naming the problem', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const text of [
      'serve',
      'world',
      '--port-base',
      '--world FILE',
      '"consulAgents"',
      'AWS_EC2_METADATA_SERVICE_ENDPOINT',
    ]) {
      expect(help.stdout).toContain(text);
    }
    const [unknownCommand, unknownFlag, badPort] = await Promise.all([
      run(['launch']),
      run(['serve', '--colour', 'blue']),
      run(['serve', '--port-base', 'abc']),
    ]);
    expect([unknownCommand.code, unknownCommand.stderr]).toEqual([
      2,
      expect.stringContaining("unknown command 'launch'"),
    ]);
    expect([unknownFlag.code, unknownFlag.stderr]).toEqual([2, expect.stringContaining('--colour')]);
    expect([badPort.code, badPort.stderr]).toEqual([
      2,
      expect.stringContaining("--port-base must be an integer from 1 to 65535, got 'abc'"),
    ]);
  });
});

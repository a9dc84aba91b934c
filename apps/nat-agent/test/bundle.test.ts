/**
 * `dist/nat-agent.js` is the whole program: copied alone into an empty directory (no node_modules
 * anywhere above it), it must run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const bundle = fileURLToPath(new URL('../dist/nat-agent.js', import.meta.url));
let dir: string;
let copy: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nat-agent-bundle-'));
  copy = join(dir, 'nat-agent.js');
  copyFileSync(bundle, copy);
});

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [copy, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 20_000,
  });

describe('the single-file bundle', () => {
  it('is one executable file with a node shebang', () => {
    expect(statSync(bundle).mode & 0o111).not.toBe(0);
    expect(execFileSync('head', ['-c', '19', bundle], { encoding: 'utf8' })).toBe('#!/usr/bin/env node');
  });

  it('runs --help and --version from an empty directory', () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: nat-agent <command>');
    expect(run(['run', '--help']).stdout).toContain('Usage: nat-agent run');
    expect(run(['--version']).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('runs check-config: valid (exit 0, redacted) and invalid (exit 2, every problem)', () => {
    writeFileSync(
      join(dir, 'agent.yaml'),
      'groups:\n  - name: az-a\n    routeTables: { azPrivate: us-east-1a }\n',
    );
    const good = run(['check-config', '-c', join(dir, 'agent.yaml')], { CONSUL_HTTP_TOKEN: 'very-secret' });
    expect(good.status).toBe(0);
    expect(good.stdout).toContain('token: <redacted>');
    expect(good.stdout).not.toContain('very-secret');
    writeFileSync(
      join(dir, 'bad.yaml'),
      'consul: { lockDelayMs: x }\ngroups: [{ name: "A B", routeTables: {} }]\n',
    );
    const bad = run(['check-config', '-c', join(dir, 'bad.yaml')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('consul.lockDelayMs');
    expect(bad.stderr).toContain('groups[0].name');
    expect(bad.stderr).toContain('groups[0].routeTables');
  });
});

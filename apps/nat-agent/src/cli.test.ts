import { describe, expect, it } from 'vitest';
import { COMMAND_HELP, HELP, parseCli } from './cli';
import { main } from './dispatch';

function io() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    ctx: (files: Record<string, string> = {}, env: Record<string, string> = {}) => ({
      env,
      readFile: (p: string) => files[p],
      io: { stdout: (t: string) => (out.stdout += t), stderr: (t: string) => (out.stderr += t) },
    }),
  };
}

describe('nat-agent command line', () => {
  it('prints help when no command is given or --help is passed, and per-command help', async () => {
    expect(parseCli([])).toEqual({ kind: 'help' });
    expect(parseCli(['--help'])).toEqual({ kind: 'help' });
    expect(parseCli(['run', '--help'])).toEqual({ kind: 'help', command: 'run' });
    expect(HELP).toContain('Usage: nat-agent');
    for (const command of ['run', 'check-config', 'status', 'plan'] as const) {
      const t = io();
      expect(await main([command, '-h'], t.ctx())).toBe(0);
      expect(t.out.stdout).toBe(COMMAND_HELP[command]);
    }
  });

  it('reports the version', async () => {
    expect(parseCli(['-v'])).toEqual({ kind: 'version' });
    const t = io();
    expect(await main(['--version'], t.ctx())).toBe(0);
    expect(t.out.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('rejects an unknown command or flag with a message naming it (exit 2)', async () => {
    expect(parseCli(['frobnicate'])).toMatchObject({
      kind: 'usage-error',
      message: expect.stringContaining("'frobnicate'"),
    });
    const t = io();
    expect(await main(['check-config', '--bogus'], t.ctx())).toBe(2);
    expect(t.out.stderr).toMatch(/^nat-agent: unknown option '--bogus'\n/);
    expect(parseCli(['run', 'extra'])).toMatchObject({
      kind: 'usage-error',
      message: "unexpected argument 'extra'",
    });
  });

  it('maps config flags and command options', () => {
    expect(
      parseCli(['status', '--json', '--url', 'http://127.0.0.1:1', '-c', '/x.yaml', '--http-port', '9']),
    ).toEqual({
      kind: 'command',
      command: 'status',
      configPath: '/x.yaml',
      flags: { 'http-port': '9' },
      json: true,
      url: 'http://127.0.0.1:1',
    });
    expect(parseCli(['run', '--json'])).toMatchObject({ kind: 'usage-error' });
  });

  it('check-config prints the effective config with the token redacted', async () => {
    const t = io();
    const code = await main(
      ['check-config', '--config', '/a.yaml'],
      t.ctx(
        { '/a.yaml': 'groups: [{ name: a, routeTables: { azPrivate: us-east-1a } }]\n' },
        { CONSUL_HTTP_TOKEN: 'tok-123' },
      ),
    );
    expect(code).toBe(0);
    expect(t.out.stdout).toContain('# nat-agent: configuration is valid');
    expect(t.out.stdout).toContain('token: <redacted>');
    expect(t.out.stdout).toContain('key: nat-ha/groups/a/leader');
    expect(t.out.stdout).not.toContain('tok-123');
  });

  it('check-config --json is machine readable', async () => {
    const t = io();
    await main(
      ['check-config', '--json'],
      t.ctx({}, { NAT_HA_GROUPS: '[{name: a, routeTables: {ids: [rtb-0123456789abcdef0]}}]' }),
    );
    const parsed = JSON.parse(t.out.stdout);
    expect(parsed.file).toBeNull();
    expect(parsed.sources).toEqual({ groups: 'NAT_HA_GROUPS' });
    expect(parsed.config.groups[0].key).toBe('nat-ha/groups/a/leader');
  });

  it('check-config on an invalid config exits 2 and lists every problem', async () => {
    const t = io();
    const code = await main(
      ['check-config'],
      t.ctx({ '/etc/nat-ha/agent.yaml': 'http: { port: 70000 }\nlog: { level: loud }\n' }),
    );
    expect(code).toBe(2);
    expect(t.out.stderr).toMatch(/3 problems/);
    expect(t.out.stderr).toContain('  - http.port:');
    expect(t.out.stderr).toContain('  - log.level:');
    expect(t.out.stderr).toContain('  - groups: is required: define at least one election group');
    expect(t.out.stdout).toBe('');
  });
});

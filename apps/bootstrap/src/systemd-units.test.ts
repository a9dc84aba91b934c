import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { command } from '../test/fixtures';
import { NAT_AGENT_MALLOC_ENVIRONMENT, renderConsulUnit, renderNatAgentUnit } from './systemd-units';

const paths = {
  consulConfigDir: '/etc/nat-ha/consul.d',
  agentConfigFile: '/etc/nat-ha/agent.yaml',
  agentEnvironmentFile: '/etc/nat-ha/agent.env',
};

describe('renderConsulUnit', () => {
  it('runs consul as its own user on the rendered config dir, data dir the only writable path', () => {
    const unit = renderConsulUnit(command(['--role', 'server']).options, paths);
    expect(unit).toContain('\nExecStart=/usr/bin/consul agent -config-dir=/etc/nat-ha/consul.d\n');
    expect(unit).toContain('\nUser=consul\n');
    expect(unit).toContain('\nType=notify\n');
    expect(unit).toContain('\nReadWritePaths=/opt/consul/data\n');
    expect(unit).toContain('\nProtectSystem=strict\n');
    expect(unit).toContain('\nCapabilityBoundingSet=\n');
    expect(unit).toContain('\nKillSignal=SIGTERM\n');
    expect(unit).not.toContain('LoadCredential');
  });

  it('hands the secrets fragment over as a systemd credential, never from the config dir', () => {
    const unit = renderConsulUnit(command(['--format', 'json']).options, {
      ...paths,
      consulSecretsFile: '/etc/nat-ha/secrets/consul-secrets.json',
    });
    expect(unit).toContain('\nLoadCredential=consul-secrets.json:/etc/nat-ha/secrets/consul-secrets.json\n');
    expect(unit).toContain(
      '\nExecStart=/usr/bin/consul agent -config-dir=/etc/nat-ha/consul.d -config-file=${CREDENTIALS_DIRECTORY}/consul-secrets.json\n',
    );
  });

  it('refuses a path that would need quoting in a unit file', () => {
    const options = { ...command().options, dataDir: '/opt/my data' };
    expect(() => renderConsulUnit(options, paths)).toThrow(
      /--data-dir "\/opt\/my data" cannot be written into a systemd unit/,
    );
    expect(() => renderConsulUnit(command().options, { ...paths, consulConfigDir: '/etc/%n' })).toThrow(
      /cannot be written/,
    );
  });
});

describe('renderNatAgentUnit', () => {
  it('runs nat-agent as its own user with only NET_ADMIN and NET_RAW, checking the config first', () => {
    const unit = renderNatAgentUnit(command().options, paths);
    expect(unit).toContain('\nUser=nat-ha\n');
    expect(unit).toContain(
      '\nExecStartPre=/usr/bin/node /usr/lib/nat-ha/nat-agent.js check-config --config /etc/nat-ha/agent.yaml\n',
    );
    expect(unit).toContain(
      '\nExecStart=/usr/bin/node /usr/lib/nat-ha/nat-agent.js run --config /etc/nat-ha/agent.yaml\n',
    );
    expect(unit).toContain('\nEnvironmentFile=-/etc/nat-ha/agent.env\n');
    expect(unit).toContain('\nCapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW\n');
    expect(unit).toContain('\nAmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW\n');
    expect(unit).toContain('\nAfter=network-online.target consul.service\n');
    expect(unit).toContain('\nProtectKernelTunables=yes\n');
    expect(unit).not.toContain('MemoryDenyWriteExecute');
  });

  it("sets the shipped unit's allocator environment (apps/nat-agent/packaging/nat-agent.service)", () => {
    const shipped = readFileSync(
      new URL('../../nat-agent/packaging/nat-agent.service', import.meta.url),
      'utf8',
    );
    expect(shipped).toContain(`\nEnvironment=${NAT_AGENT_MALLOC_ENVIRONMENT}\n`);
    expect(renderNatAgentUnit(command().options, paths)).toContain(
      `\nEnvironment=${NAT_AGENT_MALLOC_ENVIRONMENT}\n`,
    );
  });

  it('stays down after a clean drain (Restart=on-failure) and never restarts on a bad config (exit 2)', () => {
    const unit = renderNatAgentUnit(command().options, paths);
    expect(unit).toContain('\nRestart=on-failure\n');
    expect(unit).toContain('\nRestartPreventExitStatus=2\n');
    expect(unit).toContain('\nKillSignal=SIGTERM\n');
  });

  it('follows --node-bin, --nat-agent-bin and --nat-agent-user', () => {
    const unit = renderNatAgentUnit(
      command([
        '--node-bin',
        '/usr/local/bin/node',
        '--nat-agent-bin',
        '/opt/nat-ha/nat-agent.js',
        '--nat-agent-user',
        'nat',
      ]).options,
      paths,
    );
    expect(unit).toContain(
      '\nExecStart=/usr/local/bin/node /opt/nat-ha/nat-agent.js run --config /etc/nat-ha/agent.yaml\n',
    );
    expect(unit).toContain('\nUser=nat\nGroup=nat\n');
  });

  it('keeps /proc/sys writable when nat-agent manages ip_forward itself', () => {
    expect(renderNatAgentUnit(command(['--manage-nat']).options, paths)).not.toContain(
      'ProtectKernelTunables',
    );
  });
});

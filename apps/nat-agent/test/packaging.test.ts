/**
 * The systemd unit's promises: the capabilities it grants are enough for the data plane, and the
 * hardening does not take them away (root-only parts run in a namespace this test creates).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCommandRunner } from '../src/dataplane/command-runner';
import { createNatDataplane } from '../src/dataplane/nat-dataplane';
import { createCommandSysctl } from '../src/dataplane/sysctl';

const unitPath = new URL('../packaging/nat-agent.service', import.meta.url);
const unit = readFileSync(unitPath, 'utf8');
const directives = (name: string) =>
  unit
    .split('\n')
    .filter((l) => l.startsWith(`${name}=`))
    .map((l) => l.slice(name.length + 1));

const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

describe('systemd unit', () => {
  it('grants exactly CAP_NET_ADMIN and CAP_NET_RAW, ambient so nft, sysctl and ping inherit them', () => {
    expect(directives('AmbientCapabilities')).toEqual(['CAP_NET_ADMIN CAP_NET_RAW']);
    expect(directives('CapabilityBoundingSet')).toEqual(['CAP_NET_ADMIN CAP_NET_RAW']);
  });

  it('does not use hardening that breaks manageNat (read-only /proc/sys) or node (W^X)', () => {
    expect(directives('ProtectKernelTunables')).toEqual([]);
    expect(directives('MemoryDenyWriteExecute')).toEqual([]);
    expect(directives('ProtectSystem')).toEqual(['strict']);
    expect(directives('NoNewPrivileges')).toEqual(['yes']);
    expect(directives('RestrictAddressFamilies')[0]).toContain('AF_NETLINK');
  });

  it('drains on SIGTERM within its stop timeout and never restarts on an invalid config', () => {
    expect(directives('KillSignal')).toEqual(['SIGTERM']);
    expect(Number(directives('TimeoutStopSec')[0])).toBeGreaterThan(10 + 5); // successorWaitMs default + margin
    expect(directives('RestartPreventExitStatus')).toEqual(['2']);
    expect(directives('ExecStartPre')[0]).toMatch(/nat-agent\.js check-config$/);
  });

  it.skipIf(!has('systemd-analyze', ['--version']))('passes systemd-analyze verify', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nat-agent-unit-'));
    copyFileSync(unitPath, join(dir, 'nat-agent.service'));
    const r = spawnSync('systemd-analyze', ['verify', join(dir, 'nat-agent.service')], { encoding: 'utf8' });
    // Missing /usr/bin/node or the nat-ha user on a build host is not a unit error.
    const problems = `${r.stdout}${r.stderr}`
      .split('\n')
      .filter(
        (l) => l.trim() !== '' && !/not executable|No such file|Failed to resolve user|ignoring/i.test(l),
      );
    expect(problems).toEqual([]);
  });
});

const isRoot = process.getuid?.() === 0;
const canRun = isRoot && has('setpriv', ['--version']) && has('nft', ['--version']);
if (!canRun) console.warn('[nat-agent packaging] capability test skipped: needs root, setpriv and nft');

describe.skipIf(!canRun)('the unit privilege model against the real kernel (root, namespace)', () => {
  const ns = `nagt-caps-${process.pid}`;
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', ns]);
  });

  it('a non-root user with only the ambient capabilities can prepare the data plane; without them it cannot', async () => {
    execFileSync('ip', ['netns', 'add', ns]);
    const ip = (...a: string[]) => execFileSync('ip', ['-n', ns, ...a]);
    ip('link', 'add', 'egress0', 'type', 'veth', 'peer', 'name', 'peer0');
    ip('link', 'set', 'egress0', 'up');
    ip('addr', 'add', '192.0.2.2/24', 'dev', 'egress0');
    ip('route', 'add', 'default', 'via', '192.0.2.1');
    const asUser = (caps: boolean) => {
      const prefix = [
        'ip',
        'netns',
        'exec',
        ns,
        'setpriv',
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        '--no-new-privs',
      ];
      if (caps)
        prefix.push(
          '--inh-caps=+net_admin,+net_raw',
          '--ambient-caps=+net_admin,+net_raw',
          '--bounding-set=-all,+net_admin,+net_raw',
        );
      else prefix.push('--bounding-set=-all');
      const run = createCommandRunner({ prefix });
      return createNatDataplane({
        mode: 'nftables',
        manageNat: true,
        vpcCidrs: ['10.0.0.0/16'],
        nftTable: 'nat_ha',
        run,
        sysctl: createCommandSysctl(run),
        clock: { now: () => Date.now() },
      });
    };
    const denied = await asUser(false).check();
    expect(denied.ok).toBe(false);
    expect(denied.reason).toMatch(/could not prepare the data plane/);
    expect(await asUser(true).check()).toMatchObject({ ok: true, ipForward: true, masquerade: true });
  });
});

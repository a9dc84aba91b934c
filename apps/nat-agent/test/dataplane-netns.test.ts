/**
 * The data plane against the real kernel, inside network namespaces this test creates (root only;
 * CONTRIBUTING "Root-only tests skip loudly"). No packet leaves the namespaces.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { createCommandRunner } from '../src/dataplane/command-runner';
import { createNatDataplane } from '../src/dataplane/nat-dataplane';
import { createCommandSysctl } from '../src/dataplane/sysctl';

const isRoot = process.getuid?.() === 0;
const hasTools = (() => {
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    execFileSync('nft', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const skipReason = !isRoot ? 'needs root (network namespaces)' : !hasTools ? 'needs ip and nft' : undefined;
if (skipReason !== undefined) console.warn(`[nat-agent dataplane-netns] skipped: ${skipReason}`);

const created: string[] = [];
function makeNamespace(tag: string): string {
  const name = `nagt-${tag}-${process.pid}-${created.length}`;
  execFileSync('ip', ['netns', 'add', name]);
  created.push(name);
  const ip = (...args: string[]) => execFileSync('ip', ['-n', name, ...args]);
  ip('link', 'set', 'lo', 'up');
  ip('link', 'add', 'egress0', 'type', 'veth', 'peer', 'name', 'peer0');
  ip('link', 'set', 'peer0', 'up');
  ip('link', 'set', 'egress0', 'up');
  ip('addr', 'add', '192.0.2.2/24', 'dev', 'egress0');
  ip('route', 'add', 'default', 'via', '192.0.2.1');
  return name;
}
const inNs = (ns: string, ...cmd: string[]) =>
  execFileSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8' });

function dataplane(ns: string, manageNat: boolean, mode: 'nftables' | 'iptables' | 'auto' = 'auto') {
  const run = createCommandRunner({ prefix: ['ip', 'netns', 'exec', ns] });
  return createNatDataplane({
    mode,
    manageNat,
    vpcCidrs: ['10.0.0.0/16'],
    nftTable: 'nat_ha',
    run,
    sysctl: createCommandSysctl(run),
    clock: { now: () => Date.now() },
  });
}

describe.skipIf(skipReason !== undefined)('data plane in a network namespace (root)', () => {
  afterAll(() => {
    for (const ns of created) {
      try {
        execFileSync('ip', ['netns', 'del', ns]);
      } catch {
        // already gone
      }
    }
  });

  it('verify-only on a fresh namespace refuses, naming ip_forward and the missing masquerade rule', async () => {
    const ns = makeNamespace('verify');
    const report = await dataplane(ns, false).check();
    expect(report).toMatchObject({
      ok: false,
      ipForward: false,
      masquerade: false,
      egressInterface: 'egress0',
    });
    expect(report.reason).toBe('net.ipv4.ip_forward is 0; no MASQUERADE rule in any nat postrouting chain');
  });

  it('manageNat with nftables installs forwarding and masquerade, atomically and idempotently', async () => {
    const ns = makeNamespace('nft');
    const dp = dataplane(ns, true, 'nftables');
    expect(await dp.check()).toMatchObject({ mode: 'nftables', ok: true, ipForward: true, masquerade: true });
    expect(await dp.check()).toMatchObject({ ok: true });
    expect(inNs(ns, 'sysctl', '-n', 'net.ipv4.ip_forward').trim()).toBe('1');
    const table = inNs(ns, 'nft', 'list', 'table', 'ip', 'nat_ha');
    expect(table.match(/masquerade/g)).toHaveLength(1);
    expect(table).toMatch(/oifname "egress0" ip saddr 10\.0\.0\.0\/16 masquerade/);
    // A rule someone else flushed comes back on the next check.
    inNs(ns, 'nft', 'delete', 'table', 'ip', 'nat_ha');
    expect((await dataplane(ns, false, 'nftables').check()).ok).toBe(false);
    expect(await dp.check()).toMatchObject({ ok: true });
  });

  it('manageNat with iptables adds the rule once (-C before -A)', async () => {
    const ns = makeNamespace('ipt');
    const dp = dataplane(ns, true, 'iptables');
    expect(await dp.check()).toMatchObject({ mode: 'iptables', ok: true });
    await dp.check();
    const rules = inNs(ns, 'iptables', '-w', '-t', 'nat', '-S', 'POSTROUTING');
    expect(rules.match(/-j MASQUERADE/g)).toHaveLength(1);
    // The verifier accepts it.
    expect(await dataplane(ns, false).check()).toMatchObject({ ok: true });
  });

  it('a namespace with ip_forward on but no rule is still refused', async () => {
    const ns = makeNamespace('half');
    inNs(ns, 'sysctl', '-w', 'net.ipv4.ip_forward=1');
    const report = await dataplane(ns, false).check();
    expect(report).toMatchObject({ ok: false, ipForward: true, masquerade: false });
  });
});

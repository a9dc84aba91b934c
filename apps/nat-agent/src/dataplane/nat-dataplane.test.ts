import { describe, expect, it } from 'vitest';
import type { CommandResult, CommandRunner } from './command-runner';
import { createNatDataplane, nftScript } from './nat-dataplane';
import type { Sysctl } from './sysctl';

/** A scripted host: answers commands from a small model of ip_forward, nft and iptables state. */
function fakeHost(init: {
  ipForward?: string;
  nft?: boolean;
  nftRuleset?: string;
  iptablesRules?: string[];
  defaultDev?: string | null;
}) {
  const state = {
    ipForward: init.ipForward ?? '0',
    nftRuleset: init.nftRuleset ?? '',
    iptables: [...(init.iptablesRules ?? [])],
    calls: [] as string[],
  };
  const ok = (stdout = ''): CommandResult => ({ code: 0, stdout, stderr: '' });
  const run: CommandRunner = async (cmd, args, opts) => {
    state.calls.push([cmd, ...args].join(' '));
    if (cmd === 'ip') {
      return ok(
        init.defaultDev === null
          ? '[]'
          : JSON.stringify([{ dst: 'default', dev: init.defaultDev ?? 'ens5' }]),
      );
    }
    if (cmd === 'nft') {
      if (init.nft === false) throw Object.assign(new Error('spawn nft ENOENT'), { code: 'ENOENT' });
      if (args[0] === '--version') return ok('nftables v1.0.6');
      if (args[0] === '-f') {
        state.nftRuleset = opts?.input ?? '';
        return ok();
      }
      return ok(state.nftRuleset);
    }
    if (cmd === 'iptables') {
      const op = args[3];
      const rule = args.slice(4).join(' ');
      if (op === '-C') return { code: state.iptables.includes(rule) ? 0 : 1, stdout: '', stderr: '' };
      if (op === '-A') {
        state.iptables.push(rule);
        return ok();
      }
      if (op === '-S')
        return ok(['-P POSTROUTING ACCEPT', ...state.iptables.map((r) => `-A ${r}`)].join('\n'));
    }
    return { code: 127, stdout: '', stderr: 'unknown' };
  };
  const sysctl: Sysctl = {
    get: async () => state.ipForward,
    set: async (_n, v) => {
      state.calls.push(`sysctl ${v}`);
      state.ipForward = v;
    },
  };
  return { state, run, sysctl };
}

const clock = { now: () => 1_000 };
const base = { vpcCidrs: ['10.0.0.0/16'], nftTable: 'nat_ha', clock };

describe('NAT data plane', () => {
  it('manageNat with nftables: enables ip_forward and replaces its own table in one nft -f', async () => {
    const host = fakeHost({});
    const dp = createNatDataplane({
      ...base,
      mode: 'auto',
      manageNat: true,
      run: host.run,
      sysctl: host.sysctl,
    });
    const report = await dp.check();
    expect(report).toMatchObject({
      mode: 'nftables',
      ok: true,
      managed: true,
      ipForward: true,
      masquerade: true,
      egressInterface: 'ens5',
    });
    expect(host.state.nftRuleset).toBe(nftScript('nat_ha', 'ens5', ['10.0.0.0/16']));
    expect(host.state.calls.filter((c) => c.startsWith('nft -f'))).toHaveLength(1);
    // Idempotent: ip_forward is not rewritten when already 1.
    await dp.check();
    expect(host.state.calls.filter((c) => c.startsWith('sysctl'))).toEqual(['sysctl 1']);
  });

  it('the nft script creates, empties and redefines the table so a rerun never duplicates rules', () => {
    const script = nftScript('nat_ha', 'eth0', ['10.0.0.0/16', '10.1.0.0/16']);
    expect(script.split('\n').slice(0, 3)).toEqual([
      'table ip nat_ha',
      'delete table ip nat_ha',
      'table ip nat_ha {',
    ]);
    expect(script).toContain('oifname "eth0" ip saddr { 10.0.0.0/16, 10.1.0.0/16 } masquerade');
  });

  it('falls back to iptables when nft is missing, and checks (-C) before appending (-A)', async () => {
    const host = fakeHost({ nft: false });
    const dp = createNatDataplane({
      ...base,
      mode: 'auto',
      manageNat: true,
      run: host.run,
      sysctl: host.sysctl,
    });
    expect(await dp.check()).toMatchObject({ mode: 'iptables', ok: true });
    await dp.check();
    expect(host.state.iptables).toEqual(['POSTROUTING -s 10.0.0.0/16 -o ens5 -j MASQUERADE']);
    expect(host.state.calls.filter((c) => c.includes(' -A '))).toHaveLength(1);
    expect(host.state.calls.filter((c) => c.includes(' -C '))).toHaveLength(2);
  });

  it('verify-only: a host without ip_forward or a masquerade rule is refused with both reasons', async () => {
    const host = fakeHost({});
    const dp = createNatDataplane({
      ...base,
      mode: 'nftables',
      manageNat: false,
      run: host.run,
      sysctl: host.sysctl,
    });
    const report = await dp.check();
    expect(report).toMatchObject({ ok: false, managed: false, ipForward: false, masquerade: false });
    expect(report.reason).toBe('net.ipv4.ip_forward is 0; no MASQUERADE rule in any nat postrouting chain');
    expect(host.state.calls.some((c) => c.startsWith('nft -f') || c.startsWith('sysctl'))).toBe(false);
  });

  it('verify-only accepts a masquerade rule the operator installed with iptables', async () => {
    const host = fakeHost({ ipForward: '1', iptablesRules: ['POSTROUTING -o eth0 -j MASQUERADE'] });
    const dp = createNatDataplane({
      ...base,
      mode: 'nftables',
      manageNat: false,
      run: host.run,
      sysctl: host.sysctl,
    });
    expect(await dp.check()).toMatchObject({ ok: true });
  });

  it('without a default route or configured interface, says which setting to give', async () => {
    const host = fakeHost({ defaultDev: null });
    const dp = createNatDataplane({
      ...base,
      mode: 'nftables',
      manageNat: true,
      run: host.run,
      sysctl: host.sysctl,
    });
    expect((await dp.check()).reason).toMatch(/set dataplane.egressInterface/);
  });

  it('mode off is reported as such and never runs a command', async () => {
    const host = fakeHost({});
    const dp = createNatDataplane({
      ...base,
      mode: 'off',
      manageNat: false,
      run: host.run,
      sysctl: host.sysctl,
    });
    expect(await dp.check()).toMatchObject({
      mode: 'off',
      ok: true,
      reason: 'data plane not managed or verified (mode off)',
    });
    expect(host.state.calls).toEqual([]);
  });

  it('a failing command becomes a reason, not an exception', async () => {
    const host = fakeHost({});
    const failing: CommandRunner = async (cmd, args, o) =>
      cmd === 'nft' && args[0] === '-f'
        ? { code: 1, stdout: '', stderr: 'Error: Could not process rule: Operation not permitted' }
        : host.run(cmd, args, o);
    const dp = createNatDataplane({
      ...base,
      mode: 'nftables',
      manageNat: true,
      run: failing,
      sysctl: host.sysctl,
    });
    const report = await dp.check();
    expect(report.ok).toBe(false);
    expect(report.reason).toMatch(
      /could not prepare the data plane: nft -f failed: Error: Could not process rule: Operation not permitted/,
    );
  });
});

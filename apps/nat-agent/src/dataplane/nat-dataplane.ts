import { describeError } from '../errors';
import type { Clock, Dataplane, DataplaneMode, DataplaneReport } from '../ports';
import type { CommandRunner } from './command-runner';
import type { Sysctl } from './sysctl';

export interface NatDataplaneOptions {
  /** `auto` picks nftables when `nft` runs, else iptables. */
  mode: 'auto' | DataplaneMode;
  /** Install ip_forward and the MASQUERADE rule (true), or only verify them (false). */
  manageNat: boolean;
  /** Default: the device of the default route (`ip -j route show default`). */
  egressInterface?: string | undefined;
  /** Source CIDRs to masquerade (the VPC's CIDR blocks). */
  vpcCidrs: readonly string[];
  /** The nftables table this agent owns; it is replaced whole, nothing else is touched. */
  nftTable: string;
  run: CommandRunner;
  sysctl: Sysctl;
  clock: Pick<Clock, 'now'>;
}

const IP_FORWARD = 'net.ipv4.ip_forward';

/**
 * The NAT data plane of this instance. With `manageNat` it makes forwarding and masquerading true
 * (idempotently: an nftables table replaced in one `nft -f` transaction, or iptables `-C` before
 * `-A`), then verifies; without, it only verifies. Peers' most hated failure is a replacement instance
 * that routes traffic into a black hole because ip_forward or the masquerade rule is missing: this
 * check runs at start-up and at every reconcile, and a broken data plane keeps the agent out.
 */
export function createNatDataplane(options: NatDataplaneOptions): Dataplane {
  let backend: 'nftables' | 'iptables' | undefined =
    options.mode === 'auto' || options.mode === 'off' ? undefined : options.mode;

  async function pickBackend(signal?: AbortSignal): Promise<'nftables' | 'iptables'> {
    if (backend !== undefined) return backend;
    try {
      const r = await options.run('nft', ['--version'], signal === undefined ? {} : { signal });
      backend = r.code === 0 ? 'nftables' : 'iptables';
    } catch {
      backend = 'iptables';
    }
    return backend;
  }

  async function egress(signal?: AbortSignal): Promise<string | undefined> {
    if (options.egressInterface !== undefined) return options.egressInterface;
    const r = await options.run(
      'ip',
      ['-j', 'route', 'show', 'default'],
      signal === undefined ? {} : { signal },
    );
    if (r.code !== 0) return undefined;
    try {
      const routes = JSON.parse(r.stdout) as Array<{ dev?: string }>;
      return routes.find((x) => typeof x.dev === 'string')?.dev;
    } catch {
      return undefined;
    }
  }

  async function install(mode: 'nftables' | 'iptables', dev: string, signal?: AbortSignal): Promise<void> {
    if (options.vpcCidrs.length === 0)
      throw new Error('no VPC CIDR known to masquerade (set dataplane.vpcCidrs)');
    if ((await options.sysctl.get(IP_FORWARD, signal)) !== '1')
      await options.sysctl.set(IP_FORWARD, '1', signal);
    const opts = signal === undefined ? {} : { signal };
    if (mode === 'nftables') {
      const r = await options.run('nft', ['-f', '-'], {
        ...opts,
        input: nftScript(options.nftTable, dev, options.vpcCidrs),
      });
      if (r.code !== 0) throw new Error(`nft -f failed: ${r.stderr.trim()}`);
      return;
    }
    for (const cidr of options.vpcCidrs) {
      const rule = ['POSTROUTING', '-s', cidr, '-o', dev, '-j', 'MASQUERADE'];
      const exists = await options.run('iptables', ['-w', '-t', 'nat', '-C', ...rule], opts);
      if (exists.code === 0) continue;
      const added = await options.run('iptables', ['-w', '-t', 'nat', '-A', ...rule], opts);
      if (added.code !== 0) throw new Error(`iptables -A ${rule.join(' ')} failed: ${added.stderr.trim()}`);
    }
  }

  async function hasMasquerade(mode: 'nftables' | 'iptables', signal?: AbortSignal): Promise<boolean> {
    const opts = signal === undefined ? {} : { signal };
    // Rules made by iptables-nft show up in the nft ruleset, and legacy iptables has its own view:
    // a rule found through either counts, so verify-only mode accepts what the operator installed.
    const probes: Array<[string, string[], RegExp]> = [
      ['nft', ['list', 'ruleset'], /\bmasquerade\b/],
      ['iptables', ['-w', '-t', 'nat', '-S', 'POSTROUTING'], /-j MASQUERADE\b/],
    ];
    if (mode === 'iptables') probes.reverse();
    for (const [cmd, args, pattern] of probes) {
      try {
        const r = await options.run(cmd, args, opts);
        if (r.code === 0 && pattern.test(r.stdout)) return true;
      } catch {
        // That tool is not installed; the other one may be.
      }
    }
    return false;
  }

  return {
    async check(signal) {
      const checkedAt = options.clock.now();
      if (options.mode === 'off') {
        return {
          mode: 'off',
          ok: true,
          managed: false,
          reason: 'data plane not managed or verified (mode off)',
          checkedAt,
        };
      }
      let mode: 'nftables' | 'iptables' = 'nftables';
      try {
        mode = await pickBackend(signal);
        const dev = await egress(signal);
        if (dev === undefined) {
          return {
            mode,
            ok: false,
            managed: options.manageNat,
            reason: 'no default route: cannot tell the egress interface (set dataplane.egressInterface)',
            checkedAt,
          };
        }
        if (options.manageNat) await install(mode, dev, signal);
        const ipForward = (await options.sysctl.get(IP_FORWARD, signal)) === '1';
        const masquerade = await hasMasquerade(mode, signal);
        const reasons: string[] = [];
        if (!ipForward) reasons.push(`${IP_FORWARD} is 0`);
        if (!masquerade) reasons.push('no MASQUERADE rule in any nat postrouting chain');
        const report: DataplaneReport = {
          mode,
          ok: reasons.length === 0,
          managed: options.manageNat,
          ipForward,
          masquerade,
          egressInterface: dev,
          checkedAt,
        };
        if (reasons.length > 0) report.reason = reasons.join('; ');
        return report;
      } catch (error) {
        return {
          mode,
          ok: false,
          managed: options.manageNat,
          reason: `${options.manageNat ? 'could not prepare' : 'could not verify'} the data plane: ${describeError(error).message}`,
          checkedAt,
        };
      }
    },
  };
}

/**
 * One transaction: `table` creates the table if missing, `delete` empties it, and the definition
 * recreates it, so re-running never duplicates a rule and no packet ever sees a half-built table.
 */
export function nftScript(table: string, dev: string, cidrs: readonly string[]): string {
  return [
    `table ip ${table}`,
    `delete table ip ${table}`,
    `table ip ${table} {`,
    '  chain postrouting {',
    '    type nat hook postrouting priority 100; policy accept;',
    `    oifname ${JSON.stringify(dev)} ip saddr { ${cidrs.join(', ')} } masquerade`,
    '  }',
    '}',
    '',
  ].join('\n');
}

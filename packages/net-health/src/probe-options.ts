import { systemClock, type Clock } from './clock';
import type { CommonProbeOptions } from './probe';
import { familyOption, invalid, ipOption, msOption, stringOption } from './validate';

/** Default per-probe timeout: leaves 200 ms of a 1 s round for scheduling (README, "Why the defaults"). */
export const DEFAULT_PROBE_TIMEOUT_MS = 800;

export interface ResolvedCommonOptions {
  timeoutMs: number;
  family: 4 | 6;
  localAddress: string | undefined;
  interface: string | undefined;
  clock: Clock;
  name: string | undefined;
}

/** Validates the options every probe shares; `prefix` names the factory in messages. */
export function resolveCommonOptions(
  prefix: string,
  options: CommonProbeOptions,
  family?: 4 | 6,
): ResolvedCommonOptions {
  const fam = family ?? familyOption(`${prefix}.family`, options.family);
  const timeoutMs = msOption(`${prefix}.timeoutMs`, options.timeoutMs, DEFAULT_PROBE_TIMEOUT_MS, 1, 60_000);
  if (options.localAddress != null && options.interface != null) {
    throw invalid(
      `${prefix}.interface`,
      'unset when localAddress is set (choose one source)',
      options.interface,
    );
  }
  const localAddress =
    options.localAddress == null ? undefined : ipOption(`${prefix}.localAddress`, options.localAddress, fam);
  const iface =
    options.interface == null ? undefined : stringOption(`${prefix}.interface`, options.interface);
  if (iface != null && !/^[\w.:@-]{1,15}$/.test(iface)) {
    throw invalid(`${prefix}.interface`, 'a network interface name (at most 15 characters)', iface);
  }
  const name = options.name == null ? undefined : stringOption(`${prefix}.name`, options.name);
  const clock = options.clock ?? systemClock;
  return { timeoutMs, family: fam, localAddress, interface: iface, clock, name };
}

/** `base` plus ` from <source>` when the probe is bound, so the same target on two paths stays distinct. */
export function probeLabel(base: string, common: ResolvedCommonOptions): string {
  if (common.name != null) return common.name;
  const source = common.localAddress ?? common.interface;
  return source == null ? base : `${base} from ${source}`;
}

/** `host:port`, bracketing IPv6 literals. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

import type { Clock } from './clock';
import type { Probe } from './probe';
import { createTcpProbe } from './tcp-probe';
import { booleanOption, invalid } from './validate';

/** One default target: an anycast service run by an independent operator, reachable on TCP 443. */
export interface DefaultTarget {
  operator: string;
  host: string;
  port: number;
  family: 4 | 6;
}

/**
 * The default targets: four operators with their own anycast networks and transit (Cloudflare,
 * Google, Quad9, Cisco OpenDNS), addressed by IP literal so a probe needs no DNS, on TCP 443 (open
 * on all four for DNS-over-HTTPS, and rarely filtered, unlike ICMP). IPv6 addresses are used only
 * when asked for (alterNAT's IPv6 DNS pitfall: a dual-stack answer on an IPv4-only VPC).
 */
export const DEFAULT_TARGETS: readonly DefaultTarget[] = Object.freeze([
  { operator: 'Cloudflare', host: '1.1.1.1', port: 443, family: 4 },
  { operator: 'Google', host: '8.8.8.8', port: 443, family: 4 },
  { operator: 'Quad9', host: '9.9.9.9', port: 443, family: 4 },
  { operator: 'Cisco OpenDNS', host: '208.67.222.222', port: 443, family: 4 },
  { operator: 'Cloudflare', host: '2606:4700:4700::1111', port: 443, family: 6 },
  { operator: 'Google', host: '2001:4860:4860::8888', port: 443, family: 6 },
  { operator: 'Quad9', host: '2620:fe::fe', port: 443, family: 6 },
  { operator: 'Cisco OpenDNS', host: '2620:119:35::35', port: 443, family: 6 },
] as const);

export interface DefaultProbesOptions {
  /** Add the IPv6 targets (the IPv4 ones are always included). Default false. */
  ipv6?: boolean;
  /** Per-probe timeout. Default 800 ms. */
  timeoutMs?: number;
  /** Source address for the IPv4 probes. */
  localAddress?: string;
  /** Source address for the IPv6 probes. */
  localAddress6?: string;
  /** Interface to leave through (its first address of each family is bound). */
  interface?: string;
  clock?: Clock;
}

/** TCP-443 connect probes to `DEFAULT_TARGETS`: 4 probes, or 8 with `ipv6`. */
export function createDefaultProbes(options: DefaultProbesOptions = {}): Probe[] {
  const ipv6 = booleanOption('ipv6', options.ipv6, false);
  if (options.localAddress6 != null && !ipv6) {
    throw invalid('localAddress6', 'unset unless ipv6 is true', options.localAddress6);
  }
  return DEFAULT_TARGETS.filter((t) => t.family === 4 || ipv6).map((t) => {
    const localAddress = t.family === 4 ? options.localAddress : options.localAddress6;
    return createTcpProbe({
      host: t.host,
      port: t.port,
      family: t.family,
      ...(options.timeoutMs == null ? {} : { timeoutMs: options.timeoutMs }),
      ...(localAddress == null ? {} : { localAddress }),
      ...(options.interface == null ? {} : { interface: options.interface }),
      ...(options.clock == null ? {} : { clock: options.clock }),
    });
  });
}

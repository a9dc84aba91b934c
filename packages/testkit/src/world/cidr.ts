/**
 * IPv4/IPv6 address and CIDR syntax, shared by world validation and the EC2 actions (rule 23:
 * a malformed CIDR is 400 InvalidParameterValue).
 */

export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255 || (p.length > 1 && p.startsWith('0'))) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function isIpv4(text: string): boolean {
  return parseIpv4(text) != null;
}

export interface Ipv4Cidr {
  base: number;
  bits: number;
}

export function parseIpv4Cidr(text: string): Ipv4Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const base = parseIpv4(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  if (base == null || !/^\d{1,2}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > 32) return undefined;
  return { base, bits };
}

export function isIpv4Cidr(text: string): boolean {
  return parseIpv4Cidr(text) != null;
}

/** True when `ip` lies inside `cidr` (both IPv4). */
export function ipv4InCidr(ip: string, cidr: string): boolean {
  const addr = parseIpv4(ip);
  const c = parseIpv4Cidr(cidr);
  if (addr == null || c == null) return false;
  if (c.bits === 0) return true;
  const size = 2 ** (32 - c.bits);
  return Math.floor(addr / size) === Math.floor(c.base / size);
}

/** True when CIDR `inner` lies entirely inside CIDR `outer`. */
export function ipv4CidrWithin(inner: string, outer: string): boolean {
  const i = parseIpv4Cidr(inner);
  const o = parseIpv4Cidr(outer);
  if (i == null || o == null || i.bits < o.bits) return false;
  if (o.bits === 0) return true;
  const size = 2 ** (32 - o.bits);
  return Math.floor(i.base / size) === Math.floor(o.base / size);
}

/** Number of addresses in an IPv4 CIDR minus the 5 AWS reserves per subnet. */
export function availableIpv4Count(cidr: string): number {
  const c = parseIpv4Cidr(cidr);
  if (c == null) return 0;
  return Math.max(0, 2 ** (32 - c.bits) - 5);
}

/** Syntactic IPv6 CIDR check (`::/0`, `2600:1f18::/56`): hex groups, at most one `::`, prefix 0–128. */
export function isIpv6Cidr(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const addr = text.slice(0, slash);
  const bitsText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText) || Number(bitsText) > 128) return false;
  if (!/^[0-9a-fA-F:]+$/.test(addr)) return false;
  const doubles = addr.split('::').length - 1;
  if (doubles > 1) return false;
  const groups = addr.split(':').filter((g) => g !== '');
  if (groups.some((g) => g.length > 4)) return false;
  return doubles === 1 ? groups.length <= 7 : groups.length === 8;
}

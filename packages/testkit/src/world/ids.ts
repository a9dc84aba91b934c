/**
 * Deterministic identifiers for generated worlds. AWS ids are a prefix plus 17 hex digits; the
 * emulator keeps that shape so code that validates ids (regexes in agents, the AWS CLI) accepts
 * them, and derives them from a number so a world is reproducible byte for byte.
 */
import { createHash } from 'node:crypto';

/** `awsId('rtb', 1)` → `rtb-00000000000000001`. */
export function awsId(prefix: string, n: number): string {
  return `${prefix}-${n.toString(16).padStart(17, '0')}`;
}

/** A locally administered unicast MAC (first octet 0x0e, like EC2's) derived from `seed`. */
export function macFor(seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  const bytes = [0x0e, ...digest.subarray(0, 5)];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** An opaque base64 string of `length` characters derived from `seed` (for fake secrets/tokens). */
export function opaqueFor(seed: string, length: number): string {
  let out = '';
  let counter = 0;
  while (out.length < length) {
    out += createHash('sha256').update(`${seed}#${counter++}`).digest('base64').replace(/[+/=]/g, '');
  }
  return out.slice(0, length);
}

const DIRECTIONS: Record<string, string> = {
  north: 'n',
  south: 's',
  east: 'e',
  west: 'w',
  central: 'c',
  northeast: 'ne',
  northwest: 'nw',
  southeast: 'se',
  southwest: 'sw',
};

/** `us-east-1a` → `use1-az1` (the zone-id naming scheme; real mappings differ per account). */
export function availabilityZoneIdFor(availabilityZone: string): string {
  const match = /^([a-z]+)-([a-z]+)-(\d+)([a-z])$/.exec(availabilityZone);
  if (match == null) return `${availabilityZone}-az`;
  const [, geo, direction, number, letter] = match as unknown as [string, string, string, string, string];
  const short = DIRECTIONS[direction] ?? direction.slice(0, 2);
  return `${geo}${short}${number}-az${letter.charCodeAt(0) - 96}`;
}

/** `10.0.1.10` → `ip-10-0-1-10.ec2.internal` (us-east-1) or `ip-….<region>.compute.internal`. */
export function privateDnsNameFor(privateIp: string, region: string): string {
  const host = `ip-${privateIp.replace(/\./g, '-')}`;
  return region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}

import { isIPv4, isIPv6 } from 'node:net';

/** A route destination: an IPv4 or IPv6 CIDR block, as EC2 keys routes (§2.3). */
export interface Destination {
  cidr: string;
  family: 4 | 6;
}

/** The default route this package exists to move. */
export const DEFAULT_DESTINATIONS: readonly string[] = ['0.0.0.0/0'];

/**
 * Parses a destination CIDR eagerly, so a typo is an `INVALID_OPTION` at start-up rather than an
 * `InvalidParameterValue` from EC2 in the middle of a failover. Returns `undefined` when invalid.
 * IPv6 blocks are normalised to lower case because EC2 reports them that way.
 */
export function parseDestination(value: string): Destination | undefined {
  const slash = value.indexOf('/');
  if (slash <= 0) return undefined;
  const address = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return undefined;
  const prefix = Number(bits);
  if (isIPv4(address) && prefix <= 32) return { cidr: `${address}/${prefix}`, family: 4 };
  if (isIPv6(address) && prefix <= 128) return { cidr: `${address.toLowerCase()}/${prefix}`, family: 6 };
  return undefined;
}

/** The ReplaceRoute/CreateRoute destination member for a destination (§2.3). */
export function destinationInput(
  d: Destination,
): { DestinationCidrBlock: string } | { DestinationIpv6CidrBlock: string } {
  return d.family === 4 ? { DestinationCidrBlock: d.cidr } : { DestinationIpv6CidrBlock: d.cidr };
}

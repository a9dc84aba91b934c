import { DEFAULT_DESTINATIONS, parseDestination, type Destination } from './destination';
import { checkInteger, checkTarget, invalid } from './options';
import type { RouteTarget } from './route-target';

/** Input of `claim`, `plan`, and (without `expectCurrent`/`callTimeoutMs`) `checkDrift`. */
export interface ClaimInput {
  /** Route table ids, e.g. from `selectTables()`. */
  tables: readonly string[];
  /** Destination CIDRs to point at the target. Default `['0.0.0.0/0']`; IPv6 `::/0` is allowed. */
  destinations?: readonly string[];
  /** The new target: the leader's ENI, or a NAT gateway for a fallback. Never an instance id. */
  target: RouteTarget;
  /**
   * Only replace a route that still points at one of these target ids (ENI, instance, NAT gateway,
   * gateway…) or is `blackhole`; leave any other route alone and report `EXPECT_CURRENT_MISMATCH`.
   * Missing routes are still created. For failback and fallback. See README "Race windows".
   */
  expectCurrent?: readonly string[];
  /** Aborts the claim: no new call starts, in-flight calls are aborted. Pass the lease's signal. */
  signal?: AbortSignal;
  /** Hard bound (ms) on each mutating call of this claim; pass the lease's `maxWriteMs`. */
  callTimeoutMs?: number;
}

export interface NormalizedClaim {
  tables: string[];
  destinations: Destination[];
  target: RouteTarget;
  expectCurrent: ReadonlySet<string> | undefined;
  signal: AbortSignal | undefined;
  callTimeoutMs: number | undefined;
}

const RTB_ID = /^rtb-[0-9a-z]+$/;

export function checkTableIds(name: string, tables: unknown): string[] {
  if (!Array.isArray(tables) || tables.length === 0)
    throw invalid(name, 'must be a non-empty array of route table ids');
  for (const [i, id] of tables.entries()) {
    if (typeof id !== 'string' || !RTB_ID.test(id)) {
      throw invalid(`${name}[${i}]`, `must look like rtb-…, got ${JSON.stringify(id)}`);
    }
  }
  return [...new Set(tables as string[])];
}

export function checkDestinations(name: string, destinations: unknown): Destination[] {
  if (destinations === undefined) return DEFAULT_DESTINATIONS.map((d) => parseDestination(d) as Destination);
  if (!Array.isArray(destinations) || destinations.length === 0) {
    throw invalid(name, 'must be a non-empty array of CIDR blocks');
  }
  const seen = new Map<string, Destination>();
  for (const [i, d] of destinations.entries()) {
    const parsed = typeof d === 'string' ? parseDestination(d) : undefined;
    if (parsed == null)
      throw invalid(`${name}[${i}]`, `must be an IPv4 or IPv6 CIDR block, got ${JSON.stringify(d)}`);
    seen.set(parsed.cidr, parsed);
  }
  return [...seen.values()];
}

export function checkSignal(name: string, signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) throw invalid(name, 'must be an AbortSignal');
  return signal;
}

export function normalizeClaim(input: ClaimInput, what = 'claim'): NormalizedClaim {
  if (input == null || typeof input !== 'object') throw invalid(what, 'input must be an object');
  const tables = checkTableIds(`${what}.tables`, input.tables);
  const destinations = checkDestinations(`${what}.destinations`, input.destinations);
  const target = checkTarget(`${what}.target`, input.target);
  let expectCurrent: Set<string> | undefined;
  if (input.expectCurrent !== undefined) {
    if (!Array.isArray(input.expectCurrent))
      throw invalid(`${what}.expectCurrent`, 'must be an array of target ids');
    for (const [i, id] of input.expectCurrent.entries()) {
      if (typeof id !== 'string' || id === '') {
        throw invalid(`${what}.expectCurrent[${i}]`, `must be a target id, got ${JSON.stringify(id)}`);
      }
    }
    expectCurrent = new Set(input.expectCurrent);
  }
  checkInteger(`${what}.callTimeoutMs`, input.callTimeoutMs, 1, 600_000);
  return {
    tables,
    destinations,
    target,
    expectCurrent,
    signal: checkSignal(`${what}.signal`, input.signal),
    callTimeoutMs: input.callTimeoutMs,
  };
}

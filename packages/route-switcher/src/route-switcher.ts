import { runClaim, type ClaimResult } from './claim';
import { normalizeClaim, type ClaimInput } from './claim-input';
import { systemClock } from './clock';
import type { SwitcherContext } from './context';
import { runDriftCheck, type DriftReport } from './drift';
import { createEc2Caller } from './ec2-caller';
import { followAddress, type FollowAddressInput, type FollowAddressResult } from './follow-address';
import { runSelfTest, type SelfTestInput, type SelfTestReport } from './iam-self-test';
import { silentLogger } from './logger';
import { invalid, resolveOptions, type RouteSwitcherOptions } from './options';
import { runPlan, type ClaimPlan, type PlanOptions } from './plan';
import { selectRouteTables, type RouteTableSelector, type SelectedRouteTables } from './select-route-tables';
import {
  ensureSourceDestCheckDisabled,
  type SourceDestCheckInput,
  type SourceDestCheckResult,
} from './source-dest-check';
import { createTokenBucket, unlimitedBucket, type TokenBucket } from './token-bucket';

/** Input of `checkDrift`: the claim's tables, destinations and target. */
export type DriftInput = Pick<ClaimInput, 'tables' | 'destinations' | 'target' | 'signal'>;

/** Input of `plan`: a claim's input plus plan options. */
export type PlanInput = Omit<ClaimInput, 'callTimeoutMs'> & PlanOptions & { callTimeoutMs?: number };

/** Input of `fallback`: a claim's input without a target (the configured `fallbackTarget` is used). */
export type FallbackInput = Omit<ClaimInput, 'target'>;

export interface RouteSwitcher {
  /** Resolves a selector to route table ids, failing with an error that names unknown tables/subnets. */
  selectTables(
    selector: RouteTableSelector,
    options?: { signal?: AbortSignal },
  ): Promise<SelectedRouteTables>;
  /** Points every destination of every table at the target; see README "Claim". */
  claim(input: ClaimInput): Promise<ClaimResult>;
  /** `claim` with the configured `fallbackTarget` (NAT gateway or another ENI). */
  fallback(input: FallbackInput): Promise<ClaimResult>;
  /** What `claim` would send now, without mutating; optionally DryRun-checks each call. */
  plan(input: PlanInput): Promise<ClaimPlan>;
  /** One DescribeRouteTables (per 100 tables) comparing every route with the target. */
  checkDrift(input: DriftInput): Promise<DriftReport>;
  /** Turns source/dest check off on the ENI and verifies it. */
  ensureSourceDestCheckDisabled(input: SourceDestCheckInput): Promise<SourceDestCheckResult>;
  /** DryRun IAM self-test; throws `IAM_DENIED` naming every denied action and resource. */
  selfTest(input: SelfTestInput): Promise<SelfTestReport>;
  /** Associates an Elastic IP with the ENI (reassociation allowed) and verifies it. */
  followAddress(input: FollowAddressInput): Promise<FollowAddressResult>;
}

const MUTATING = new Set([
  'ReplaceRoute',
  'CreateRoute',
  'AssociateAddress',
  'DisassociateAddress',
  'DeleteRoute',
]);

/**
 * Creates a route switcher. Create one per process and share it between groups: its token buckets
 * stand for the account's buckets, which every caller in the account and Region shares (§3.4).
 */
export function createRouteSwitcher(options: RouteSwitcherOptions): RouteSwitcher {
  const config = resolveOptions(options);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const buckets = new Map<string, TokenBucket>();
  const bucketFor = (action: string): TokenBucket => {
    const limits = config.rateLimits;
    if (limits === false) return unlimitedBucket;
    let bucket = buckets.get(action);
    if (bucket == null) {
      // One bucket per action, as EC2 evaluates "each API individually" (§3.4, rule 11).
      const limit = MUTATING.has(action)
        ? limits.mutating
        : action === 'ModifyNetworkInterfaceAttribute'
          ? limits.modifyNetworkInterfaceAttribute
          : limits.describe;
      bucket = createTokenBucket(limit, clock);
      buckets.set(action, bucket);
    }
    return bucket;
  };
  const caller = createEc2Caller({
    clock,
    logger,
    metrics: options.metrics ?? {},
    random: options.random ?? Math.random,
    bucketFor,
    maxAttempts: config.maxAttempts,
    backoffBaseMs: config.backoffBaseMs,
    throttleBackoffBaseMs: config.throttleBackoffBaseMs,
    backoffMaxMs: config.backoffMaxMs,
  });
  const ctx: SwitcherContext = { ec2: options.ec2, caller, clock, logger, config };

  return {
    selectTables: (selector, opts) => selectRouteTables(ctx, selector, opts),
    claim: async (input) => runClaim(ctx, normalizeClaim(input, 'claim')),
    fallback: async (input) => {
      if (config.fallbackTarget == null)
        throw invalid('fallbackTarget', 'is not configured; pass it to createRouteSwitcher');
      return runClaim(ctx, normalizeClaim({ ...input, target: config.fallbackTarget }, 'fallback'));
    },
    plan: async (input) =>
      runPlan(ctx, normalizeClaim(input, 'plan'), { checkPermissions: input?.checkPermissions ?? false }),
    checkDrift: async (input) =>
      runDriftCheck(
        ctx,
        normalizeClaim({ ...input, expectCurrent: undefined, callTimeoutMs: undefined }, 'checkDrift'),
      ),
    ensureSourceDestCheckDisabled: async (input) => ensureSourceDestCheckDisabled(ctx, input),
    selfTest: async (input) => runSelfTest(ctx, input),
    followAddress: async (input) => followAddress(ctx, input),
  };
}

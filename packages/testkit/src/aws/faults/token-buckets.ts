/**
 * EC2's per-(account, Region, action) token buckets with the published sizes [D-THR] (rule 11):
 * each request takes one token from its action's bucket; an empty bucket is 503
 * RequestLimitExceeded for that action only. Refill is continuous on the emulator clock.
 */
import { TestkitError } from '../../errors';

export interface BucketLimit {
  /** Bucket size (burst). */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

/** The published EC2 limits this emulator applies when throttling is on. */
export const EC2_PUBLISHED_LIMITS = Object.freeze({
  /** Non-mutating actions (Describe*), filtered or paginated. */
  describe: Object.freeze({ capacity: 100, refillPerSecond: 20 }),
  /** DescribeInstances / DescribeNetworkInterfaces with neither filter nor pagination. */
  describeUnfiltered: Object.freeze({ capacity: 50, refillPerSecond: 10 }),
  /** Mutating actions without their own row (ReplaceRoute, CreateRoute, AssociateAddress, …). */
  mutate: Object.freeze({ capacity: 50, refillPerSecond: 5 }),
  /** Actions with their own published row. */
  actions: Object.freeze({
    ModifyNetworkInterfaceAttribute: Object.freeze({ capacity: 100, refillPerSecond: 5 }),
  } as Record<string, BucketLimit>),
});

export interface ThrottlingOptions {
  enabled: boolean;
  /**
   * Per-bucket overrides by action name (`ReplaceRoute`, `DescribeInstances:unfiltered`,
   * Auto Scaling actions, which have no published limits and are not throttled unless listed).
   */
  limits?: Record<string, BucketLimit>;
}

export type ThrottlingSetting = boolean | ThrottlingOptions;

export function resolveThrottling(setting: ThrottlingSetting | undefined): ThrottlingOptions {
  const options = typeof setting === 'boolean' || setting == null ? { enabled: setting === true } : setting;
  if (typeof options.enabled !== 'boolean') {
    throw new TestkitError('INVALID_OPTION', `throttling.enabled must be true or false`);
  }
  for (const [name, limit] of Object.entries(options.limits ?? {})) {
    if (
      limit == null ||
      !(Number.isFinite(limit.capacity) && limit.capacity >= 1) ||
      !(Number.isFinite(limit.refillPerSecond) && limit.refillPerSecond >= 0)
    ) {
      throw new TestkitError(
        'INVALID_OPTION',
        `throttling.limits.${name} must be { capacity >= 1, refillPerSecond >= 0 }, got ${JSON.stringify(limit)}`,
      );
    }
  }
  return { enabled: options.enabled, limits: { ...options.limits } };
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number) {}

  /** Takes one token from `key`'s bucket; false when it is empty. */
  take(key: string, limit: BucketLimit): boolean {
    const t = this.now();
    let bucket = this.buckets.get(key);
    if (bucket == null) {
      bucket = { tokens: limit.capacity, updatedAt: t };
      this.buckets.set(key, bucket);
    }
    const elapsed = Math.max(0, t - bucket.updatedAt);
    bucket.tokens = Math.min(limit.capacity, bucket.tokens + (elapsed * limit.refillPerSecond) / 1000);
    bucket.updatedAt = t;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Tokens left in a bucket (after refill), for tests and the control plane. */
  peek(key: string, limit: BucketLimit): number {
    const bucket = this.buckets.get(key);
    if (bucket == null) return limit.capacity;
    const elapsed = Math.max(0, this.now() - bucket.updatedAt);
    return Math.min(limit.capacity, bucket.tokens + (elapsed * limit.refillPerSecond) / 1000);
  }

  /** Refills every bucket (e.g. when throttling is switched on). */
  reset(): void {
    this.buckets.clear();
  }
}

/**
 * The bucket an EC2 call draws from: the unfiltered-and-unpaginated DescribeInstances /
 * DescribeNetworkInterfaces have their own, smaller bucket [D-THR].
 */
export function ec2BucketKey(action: string, hasFilterOrPaging: boolean): string {
  if ((action === 'DescribeInstances' || action === 'DescribeNetworkInterfaces') && !hasFilterOrPaging) {
    return `${action}:unfiltered`;
  }
  return action;
}

export function ec2LimitFor(
  key: string,
  mutating: boolean,
  overrides: Record<string, BucketLimit> | undefined,
): BucketLimit {
  const override = overrides?.[key];
  if (override != null) return override;
  if (key.endsWith(':unfiltered')) return EC2_PUBLISHED_LIMITS.describeUnfiltered;
  return (
    EC2_PUBLISHED_LIMITS.actions[key] ??
    (mutating ? EC2_PUBLISHED_LIMITS.mutate : EC2_PUBLISHED_LIMITS.describe)
  );
}

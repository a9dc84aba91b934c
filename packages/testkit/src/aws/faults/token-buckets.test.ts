import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../clock';
import {
  EC2_PUBLISHED_LIMITS,
  TokenBuckets,
  ec2BucketKey,
  ec2LimitFor,
  resolveThrottling,
} from './token-buckets';

describe('token buckets', () => {
  it('rule 11: the published sizes', () => {
    expect(ec2LimitFor('ReplaceRoute', true, undefined)).toEqual({ capacity: 50, refillPerSecond: 5 });
    expect(ec2LimitFor('DescribeRouteTables', false, undefined)).toEqual({
      capacity: 100,
      refillPerSecond: 20,
    });
    expect(ec2LimitFor('ModifyNetworkInterfaceAttribute', true, undefined)).toEqual({
      capacity: 100,
      refillPerSecond: 5,
    });
    expect(ec2BucketKey('DescribeInstances', false)).toBe('DescribeInstances:unfiltered');
    expect(ec2BucketKey('DescribeInstances', true)).toBe('DescribeInstances');
    expect(ec2BucketKey('DescribeRouteTables', false)).toBe('DescribeRouteTables');
    expect(ec2LimitFor('DescribeInstances:unfiltered', false, undefined)).toEqual(
      EC2_PUBLISHED_LIMITS.describeUnfiltered,
    );
  });

  it('rule 11: drains the burst, then refills continuously on the clock', async () => {
    const clock = createVirtualClock();
    const buckets = new TokenBuckets(() => clock.now());
    const limit = { capacity: 50, refillPerSecond: 5 };
    let granted = 0;
    while (buckets.take('ReplaceRoute', limit)) granted++;
    expect(granted).toBe(50);
    await clock.advance(199);
    expect(buckets.take('ReplaceRoute', limit)).toBe(false);
    await clock.advance(1);
    expect(buckets.take('ReplaceRoute', limit)).toBe(true);
    expect(buckets.take('ReplaceRoute', limit)).toBe(false);
    await clock.advance(60_000);
    expect(buckets.peek('ReplaceRoute', limit)).toBe(50);
  });

  it('rule 11: one action draining does not affect another', () => {
    const clock = createVirtualClock();
    const buckets = new TokenBuckets(() => clock.now());
    const limit = { capacity: 2, refillPerSecond: 0 };
    expect(buckets.take('ReplaceRoute', limit) && buckets.take('ReplaceRoute', limit)).toBe(true);
    expect(buckets.take('ReplaceRoute', limit)).toBe(false);
    expect(buckets.take('CreateRoute', limit)).toBe(true);
  });

  it('validates overrides', () => {
    expect(resolveThrottling(true)).toEqual({ enabled: true, limits: {} });
    expect(() =>
      resolveThrottling({ enabled: true, limits: { ReplaceRoute: { capacity: 0, refillPerSecond: 1 } } }),
    ).toThrow(/throttling\.limits\.ReplaceRoute/);
  });
});

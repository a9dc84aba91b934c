import { EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, resolveOptions, type RouteSwitcherOptions } from './options';

const ec2 = new EC2Client({
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
});

describe('resolveOptions (validated eagerly, messages name the option)', () => {
  it('applies the documented defaults: EC2 buckets 50/5, 100/20, 100/5; 800 ms writes', () => {
    const c = resolveOptions({ ec2 });
    expect(c.rateLimits).toEqual({
      mutating: { burst: 50, perSecond: 5 },
      describe: { burst: 100, perSecond: 20 },
      modifyNetworkInterfaceAttribute: { burst: 100, perSecond: 5 },
    });
    expect(c.callTimeoutMs).toBe(800);
    expect(c).toMatchObject({ ...DEFAULTS, rateLimits: c.rateLimits });
  });

  it('accepts a lower mutating bucket for accounts shared with other automation, and false to disable', () => {
    expect(
      resolveOptions({ ec2, rateLimits: { mutating: { burst: 10, perSecond: 1 } } }).rateLimits,
    ).toMatchObject({
      mutating: { burst: 10, perSecond: 1 },
      describe: { burst: 100, perSecond: 20 },
    });
    expect(resolveOptions({ ec2, rateLimits: false }).rateLimits).toBe(false);
  });

  it.each([
    [{ ec2: undefined }, 'ec2 must be an EC2 client'],
    [{ concurrency: 0 }, 'concurrency must be an integer from 1 to 1000, got 0'],
    [{ callTimeoutMs: 1.5 }, 'callTimeoutMs must be an integer'],
    [{ readTimeoutMs: -1 }, 'readTimeoutMs must be an integer'],
    [{ maxAttempts: 0 }, 'maxAttempts must be an integer from 1'],
    [{ pageSize: 101 }, 'pageSize must be an integer from 5 to 100'],
    [
      { rateLimits: { mutating: { burst: 0, perSecond: 5 } } },
      'rateLimits.mutating.burst must be a number >= 1',
    ],
    [
      { rateLimits: { describe: { burst: 5, perSecond: 0 } } },
      'rateLimits.describe.perSecond must be a number > 0',
    ],
    [{ verifyIntervalMs: 500, verifyMaxIntervalMs: 100 }, 'verifyMaxIntervalMs must be >= verifyIntervalMs'],
    [{ clock: { now: () => 0 } }, 'clock must have now() and sleep(ms, signal)'],
    [{ fallbackTarget: { instanceId: 'i-1' } }, 'fallbackTarget.instanceId is not supported'],
    [{ fallbackTarget: { natGatewayId: 'igw-1' } }, 'fallbackTarget.natGatewayId must look like nat-'],
    [
      { fallbackTarget: { natGatewayId: 'nat-1', networkInterfaceId: 'eni-1' } },
      'fallbackTarget must have exactly one of',
    ],
  ])('%o → INVALID_OPTION "%s"', (patch, message) => {
    expect(() => resolveOptions({ ec2, ...patch } as unknown as RouteSwitcherOptions)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringContaining(message) }),
    );
  });
});

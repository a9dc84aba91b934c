import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Clock } from './clock';
import { RouteSwitcherError } from './errors';
import type { Logger } from './logger';
import type { RouteSwitcherMetrics } from './metrics';
import type { RouteTarget } from './route-target';
import type { RateLimit } from './token-bucket';

/** Client-side token buckets, one per EC2 action, sized by category (ec2-query-and-imds.md §3.4). */
export interface RateLimits {
  /** ReplaceRoute, CreateRoute, AssociateAddress: EC2's mutating bucket. Default 50 burst, 5/s. */
  mutating?: RateLimit;
  /** DescribeRouteTables, DescribeNetworkInterfaces, DescribeAddresses, DescribeSubnets. Default 100, 20/s. */
  describe?: RateLimit;
  /** ModifyNetworkInterfaceAttribute has its own, uncategorised bucket. Default 100, 5/s. */
  modifyNetworkInterfaceAttribute?: RateLimit;
}

/** Options of `createRouteSwitcher`. Units are in the names; defaults are in `DEFAULTS`. */
export interface RouteSwitcherOptions {
  /**
   * The EC2 client. Build it with `maxAttempts: 1` (this package retries itself, re-checking the
   * lease signal and the token bucket before every attempt) and with `requestHandler: {
   * connectionTimeout, requestTimeout, throwOnRequestTimeout: true }` (README, "EC2 client").
   */
  ec2: Pick<EC2Client, 'send'>;
  /** Time source for timeouts, backoff, token buckets and verification. Default: the real clock. */
  clock?: Clock;
  /** Structured logger (pino-compatible). Default: silent. */
  logger?: Logger;
  /** Metrics hooks (calls by action and outcome, throttles, latency). Default: none. */
  metrics?: RouteSwitcherMetrics;
  /** Random source in [0, 1) for backoff jitter. Default `Math.random`. */
  random?: () => number;
  /**
   * Client-side token buckets, or `false` to disable them. The defaults match EC2's published
   * buckets; lower them when other automation in the account shares the same buckets.
   */
  rateLimits?: RateLimits | false;
  /** Route writes in flight at once within one claim. Default 16. */
  concurrency?: number;
  /**
   * Hard bound (ms) on one mutating `send()`, SDK-internal retries included. Set it to the lease's
   * `maxWriteMs` (consul-lock); `claim` can override it per call. Default 800.
   */
  callTimeoutMs?: number;
  /** Hard bound (ms) on one Describe `send()`. Default 2000. */
  readTimeoutMs?: number;
  /** Attempts per EC2 call for throttles, 5xx, socket errors and timeouts (4xx: once). Default 5. */
  maxAttempts?: number;
  /** Full-jitter backoff base (ms) after 5xx, socket errors and timeouts. Default 50. */
  backoffBaseMs?: number;
  /** Full-jitter backoff base (ms) after `RequestLimitExceeded`. Default 250. */
  throttleBackoffBaseMs?: number;
  /** Backoff ceiling (ms). Default 5000. */
  backoffMaxMs?: number;
  /** How long (ms) to re-read until a written route shows the target (eventual consistency). Default 10000. */
  verifyTimeoutMs?: number;
  /** First re-read delay (ms) after a stale verification read; doubles up to `verifyMaxIntervalMs`. Default 100. */
  verifyIntervalMs?: number;
  /** Longest delay (ms) between verification re-reads. Default 1000. */
  verifyMaxIntervalMs?: number;
  /** `MaxResults` for DescribeRouteTables pages (5–100). Default 100. */
  pageSize?: number;
  /** Target for `fallback()`: a NAT gateway or another group's ENI, used when no healthy leader exists. */
  fallbackTarget?: RouteTarget;
}

export interface ResolvedConfig {
  rateLimits: Required<RateLimits> | false;
  concurrency: number;
  callTimeoutMs: number;
  readTimeoutMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  throttleBackoffBaseMs: number;
  backoffMaxMs: number;
  verifyTimeoutMs: number;
  verifyIntervalMs: number;
  verifyMaxIntervalMs: number;
  pageSize: number;
  fallbackTarget: RouteTarget | undefined;
}

/** Every default in one place (house style 11). */
export const DEFAULTS = {
  rateLimits: {
    mutating: { burst: 50, perSecond: 5 },
    describe: { burst: 100, perSecond: 20 },
    modifyNetworkInterfaceAttribute: { burst: 100, perSecond: 5 },
  },
  concurrency: 16,
  callTimeoutMs: 800,
  readTimeoutMs: 2000,
  maxAttempts: 5,
  backoffBaseMs: 50,
  throttleBackoffBaseMs: 250,
  backoffMaxMs: 5000,
  verifyTimeoutMs: 10_000,
  verifyIntervalMs: 100,
  verifyMaxIntervalMs: 1000,
  pageSize: 100,
} as const satisfies Omit<ResolvedConfig, 'fallbackTarget'>;

export function invalid(name: string, problem: string): RouteSwitcherError {
  return new RouteSwitcherError('INVALID_OPTION', `${name} ${problem}`);
}

export function checkInteger(name: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(name, `must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

function checkRate(name: string, value: RateLimit | undefined): void {
  if (value === undefined) return;
  if (value == null || typeof value !== 'object') throw invalid(name, 'must be { burst, perSecond }');
  if (typeof value.burst !== 'number' || !Number.isFinite(value.burst) || value.burst < 1) {
    throw invalid(`${name}.burst`, `must be a number >= 1, got ${String(value.burst)}`);
  }
  if (typeof value.perSecond !== 'number' || !Number.isFinite(value.perSecond) || value.perSecond <= 0) {
    throw invalid(`${name}.perSecond`, `must be a number > 0, got ${String(value.perSecond)}`);
  }
}

const ENI_ID = /^eni-[0-9a-z]+$/;
const NAT_ID = /^nat-[0-9a-z]+$/;

/**
 * Validates a route target: exactly one of `networkInterfaceId` / `natGatewayId`. An `instanceId`
 * is refused with a reason, since it breaks on multi-ENI instances (rule 26, AWSnycast#28).
 */
export function checkTarget(name: string, target: unknown): RouteTarget {
  if (target == null || typeof target !== 'object') {
    throw invalid(name, 'must be { networkInterfaceId } or { natGatewayId }');
  }
  const t = target as Record<string, unknown>;
  if ('instanceId' in t) {
    throw invalid(
      `${name}.instanceId`,
      'is not supported: routes always target the ENI (an instance id fails with InvalidInstanceID on multi-ENI instances); pass networkInterfaceId',
    );
  }
  const keys = ['networkInterfaceId', 'natGatewayId'].filter((k) => t[k] !== undefined);
  if (keys.length !== 1) throw invalid(name, 'must have exactly one of networkInterfaceId, natGatewayId');
  if (keys[0] === 'networkInterfaceId') {
    if (typeof t.networkInterfaceId !== 'string' || !ENI_ID.test(t.networkInterfaceId)) {
      throw invalid(
        `${name}.networkInterfaceId`,
        `must look like eni-…, got ${JSON.stringify(t.networkInterfaceId)}`,
      );
    }
    return { networkInterfaceId: t.networkInterfaceId };
  }
  if (typeof t.natGatewayId !== 'string' || !NAT_ID.test(t.natGatewayId)) {
    throw invalid(`${name}.natGatewayId`, `must look like nat-…, got ${JSON.stringify(t.natGatewayId)}`);
  }
  return { natGatewayId: t.natGatewayId };
}

/** Validates every option eagerly, naming the option in the message (house style 11). */
export function resolveOptions(options: RouteSwitcherOptions): ResolvedConfig {
  if (options == null || typeof options !== 'object') throw invalid('options', 'must be an object');
  const ec2 = options.ec2 as unknown;
  if (ec2 == null || typeof (ec2 as { send?: unknown }).send !== 'function') {
    throw invalid('ec2', 'must be an EC2 client (an object with send())');
  }
  if (options.clock !== undefined) {
    if (typeof options.clock?.now !== 'function' || typeof options.clock.sleep !== 'function') {
      throw invalid('clock', 'must have now() and sleep(ms, signal)');
    }
  }
  if (options.random !== undefined && typeof options.random !== 'function') {
    throw invalid('random', 'must be a function returning a number in [0, 1)');
  }
  let rateLimits: ResolvedConfig['rateLimits'];
  if (options.rateLimits === false) {
    rateLimits = false;
  } else {
    const r = options.rateLimits ?? {};
    checkRate('rateLimits.mutating', r.mutating);
    checkRate('rateLimits.describe', r.describe);
    checkRate('rateLimits.modifyNetworkInterfaceAttribute', r.modifyNetworkInterfaceAttribute);
    rateLimits = {
      mutating: r.mutating ?? DEFAULTS.rateLimits.mutating,
      describe: r.describe ?? DEFAULTS.rateLimits.describe,
      modifyNetworkInterfaceAttribute:
        r.modifyNetworkInterfaceAttribute ?? DEFAULTS.rateLimits.modifyNetworkInterfaceAttribute,
    };
  }
  checkInteger('concurrency', options.concurrency, 1, 1000);
  checkInteger('callTimeoutMs', options.callTimeoutMs, 1, 600_000);
  checkInteger('readTimeoutMs', options.readTimeoutMs, 1, 600_000);
  checkInteger('maxAttempts', options.maxAttempts, 1, 100);
  checkInteger('backoffBaseMs', options.backoffBaseMs, 0, 600_000);
  checkInteger('throttleBackoffBaseMs', options.throttleBackoffBaseMs, 0, 600_000);
  checkInteger('backoffMaxMs', options.backoffMaxMs, 0, 600_000);
  checkInteger('verifyTimeoutMs', options.verifyTimeoutMs, 0, 3_600_000);
  checkInteger('verifyIntervalMs', options.verifyIntervalMs, 1, 600_000);
  checkInteger('verifyMaxIntervalMs', options.verifyMaxIntervalMs, 1, 600_000);
  checkInteger('pageSize', options.pageSize, 5, 100);
  const verifyIntervalMs = options.verifyIntervalMs ?? DEFAULTS.verifyIntervalMs;
  const verifyMaxIntervalMs = options.verifyMaxIntervalMs ?? DEFAULTS.verifyMaxIntervalMs;
  if (verifyMaxIntervalMs < verifyIntervalMs) {
    throw invalid(
      'verifyMaxIntervalMs',
      `must be >= verifyIntervalMs (${verifyIntervalMs}), got ${verifyMaxIntervalMs}`,
    );
  }
  return {
    rateLimits,
    concurrency: options.concurrency ?? DEFAULTS.concurrency,
    callTimeoutMs: options.callTimeoutMs ?? DEFAULTS.callTimeoutMs,
    readTimeoutMs: options.readTimeoutMs ?? DEFAULTS.readTimeoutMs,
    maxAttempts: options.maxAttempts ?? DEFAULTS.maxAttempts,
    backoffBaseMs: options.backoffBaseMs ?? DEFAULTS.backoffBaseMs,
    throttleBackoffBaseMs: options.throttleBackoffBaseMs ?? DEFAULTS.throttleBackoffBaseMs,
    backoffMaxMs: options.backoffMaxMs ?? DEFAULTS.backoffMaxMs,
    verifyTimeoutMs: options.verifyTimeoutMs ?? DEFAULTS.verifyTimeoutMs,
    verifyIntervalMs,
    verifyMaxIntervalMs,
    pageSize: options.pageSize ?? DEFAULTS.pageSize,
    fallbackTarget:
      options.fallbackTarget === undefined
        ? undefined
        : checkTarget('fallbackTarget', options.fallbackTarget),
  };
}

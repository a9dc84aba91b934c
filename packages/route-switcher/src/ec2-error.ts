import { RouteSwitcherError, type RouteSwitcherErrorCode } from './errors';

/**
 * How a failed EC2 call should be treated. The classification follows the SDK's own retry rules
 * (ec2-query-and-imds.md §1.4) so our retry loop, which replaces the SDK's, retries exactly what the
 * SDK would: throttling codes and transient (5xx / network / timeout) failures, never 4xx.
 */
export type Ec2FailureKind =
  | 'aborted'
  | 'timeout'
  | 'throttled'
  | 'server'
  | 'network'
  | 'dry-run-ok'
  | 'unauthorized'
  | 'auth-failed'
  | 'client';

export interface Ec2Failure {
  kind: Ec2FailureKind;
  /** EC2 error code (`err.name` of an `EC2ServiceException`), when the failure came from EC2. */
  ec2Code: string | undefined;
  httpStatus: number | undefined;
  message: string;
}

/** Throttling codes the SDK retries regardless of HTTP status (§1.4, [SMITHY-RETRY]). */
const THROTTLING_CODES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);

const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

/** Node socket errors the SDK treats as transient (§1.4); house style 10 names the same set. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);

/** EC2 `*.NotFound` codes that name a resource this package works with. */
const NOT_FOUND_CODES: Readonly<Record<string, RouteSwitcherErrorCode>> = {
  'InvalidRouteTableID.NotFound': 'ROUTE_TABLE_NOT_FOUND',
  'InvalidSubnetID.NotFound': 'SUBNET_NOT_FOUND',
  'InvalidNetworkInterfaceID.NotFound': 'NETWORK_INTERFACE_NOT_FOUND',
  'InvalidNatGatewayID.NotFound': 'NAT_GATEWAY_NOT_FOUND',
  'InvalidAllocationID.NotFound': 'ADDRESS_NOT_FOUND',
};

function prop(value: unknown, key: string): unknown {
  return value != null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}

/** Classifies anything an `ec2.send()` can reject with: `EC2ServiceException`, socket errors, aborts. */
export function classifyEc2Error(value: unknown): Ec2Failure {
  const name = typeof prop(value, 'name') === 'string' ? (prop(value, 'name') as string) : undefined;
  const message =
    typeof prop(value, 'message') === 'string' ? (prop(value, 'message') as string) : String(value);
  const metadata = prop(value, '$metadata');
  const status = prop(metadata, 'httpStatusCode');
  const httpStatus = typeof status === 'number' ? status : undefined;
  const sysCode = prop(value, 'code');
  const fault = prop(value, '$fault');
  // An EC2ServiceException carries `$fault`; only then is `name` an EC2 error code (§1.3).
  const ec2Code = fault === 'client' || fault === 'server' ? name : undefined;
  const failure = (kind: Ec2FailureKind): Ec2Failure => ({ kind, ec2Code, httpStatus, message });

  if (RouteSwitcherError.isInstance(value) && value.code === 'ABORTED') return failure('aborted');
  if (name === 'AbortError') return failure('aborted');
  if (name === 'DryRunOperation') return failure('dry-run-ok');
  if (name === 'UnauthorizedOperation') return failure('unauthorized');
  if (name === 'AuthFailure') return failure('auth-failed');
  if (name != null && THROTTLING_CODES.has(name)) return failure('throttled');
  if (httpStatus === 429) return failure('throttled');
  if (name != null && TIMEOUT_NAMES.has(name)) return failure('timeout');
  if (typeof sysCode === 'string' && NETWORK_CODES.has(sysCode)) return failure('network');
  if (httpStatus != null && TRANSIENT_STATUS.has(httpStatus)) return failure('server');
  // A 5xx with a non-XML body surfaces as a plain Error with $metadata (§1.3) — still transient.
  if (fault === 'server') return failure('server');
  return failure('client');
}

/**
 * The `from(unknown)` normalizer at the EC2 boundary (house style 10): aborts stay aborts, throttles,
 * timeouts, 5xx and socket errors become retryable codes, known `*.NotFound` codes map to ours, and
 * everything else is `EC2_REQUEST_FAILED` with the EC2 code kept in `ec2Code`.
 */
export function fromEc2Error(value: unknown, context = 'EC2 call'): RouteSwitcherError {
  if (RouteSwitcherError.isInstance(value)) return value;
  const f = classifyEc2Error(value);
  const opts = { cause: value, ec2Code: f.ec2Code };
  const what = `${context} failed${f.ec2Code == null ? '' : ` with ${f.ec2Code}`}: ${f.message}`;
  switch (f.kind) {
    case 'aborted':
      return new RouteSwitcherError('ABORTED', `${context} aborted`, opts);
    case 'timeout':
      return new RouteSwitcherError('EC2_TIMEOUT', what, { ...opts, retryable: true });
    case 'throttled':
      return new RouteSwitcherError('EC2_THROTTLED', what, { ...opts, retryable: true });
    case 'server':
    case 'network':
      return new RouteSwitcherError('EC2_UNAVAILABLE', what, { ...opts, retryable: true });
    case 'unauthorized':
      return new RouteSwitcherError('IAM_DENIED', what, opts);
    case 'auth-failed':
      return new RouteSwitcherError('EC2_AUTH_FAILED', what, opts);
    case 'dry-run-ok':
    case 'client': {
      const mapped = f.ec2Code == null ? undefined : NOT_FOUND_CODES[f.ec2Code];
      return new RouteSwitcherError(mapped ?? 'EC2_REQUEST_FAILED', what, opts);
    }
  }
}

/** The abort error every API of this package rejects with; the signal's reason is kept as `cause`. */
export function abortError(signal: AbortSignal | undefined, context: string): RouteSwitcherError {
  return new RouteSwitcherError('ABORTED', `${context} aborted`, { cause: signal?.reason });
}

export function throwIfAborted(signal: AbortSignal | undefined, context: string): void {
  if (signal?.aborted === true) throw abortError(signal, context);
}

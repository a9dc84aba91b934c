import { DiscoveryError } from './errors';

/**
 * The `from(unknown)` normalizer for EC2 and Auto Scaling SDK failures (house style 10). It runs
 * after the SDK's own retries, so "retryable" here means "worth trying again later", not "retry
 * now in a tight loop".
 */

// ec2-query-and-imds.md §1.4: the SDK's THROTTLING names; classification is by code, not status.
const THROTTLING = new Set([
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

// §1.4 TRANSIENT names and Node error codes.
const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'Unavailable',
]);
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

// Credentials missing/invalid/expired, or the IAM policy lacks the action.
const ACCESS_DENIED = new Set([
  'UnauthorizedOperation',
  'AuthFailure',
  'AccessDenied',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'CredentialsProviderError',
]);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown; attempts?: unknown };
}

export function fromAwsError(err: unknown, operation: string, signal?: AbortSignal): DiscoveryError {
  if (DiscoveryError.isInstance(err)) return err;
  const e = (err != null && typeof err === 'object' ? err : {}) as SdkErrorShape;
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : '';
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const detail = `${name !== '' ? name : 'Error'}${typeof e.message === 'string' && e.message !== '' ? `: ${e.message}` : ''}`;
  const attempts =
    typeof e.$metadata?.attempts === 'number' ? ` after ${e.$metadata.attempts} attempt(s)` : '';
  const message = `${operation} failed${attempts} (${detail})`;

  // §1.4: a per-call abortSignal surfaces as AbortError; aborts stay aborts, never retried.
  if (signal?.aborted === true || name === 'AbortError') {
    return new DiscoveryError('ABORTED', `${operation} was aborted`, { cause: err });
  }
  if (THROTTLING.has(name) || status === 429) {
    return new DiscoveryError('AWS_THROTTLED', message, { retryable: true, cause: err });
  }
  if (ACCESS_DENIED.has(name) || status === 401 || status === 403) {
    return new DiscoveryError('AWS_ACCESS_DENIED', message, { cause: err });
  }
  if (
    TRANSIENT_NAMES.has(name) ||
    NETWORK_CODES.has(code) ||
    e.$fault === 'server' ||
    (status != null && status >= 500)
  ) {
    return new DiscoveryError('AWS_UNAVAILABLE', message, { retryable: true, cause: err });
  }
  if (e.$fault === 'client' || (status != null && status >= 400)) {
    return new DiscoveryError('AWS_REQUEST_FAILED', message, { cause: err });
  }
  // No AWS shape: a Node system error (`code: 'E…'`) is a transport failure before any response;
  // anything else (a configuration or programming error) will not heal by retrying.
  if (/^E[A-Z]+$/.test(code)) {
    return new DiscoveryError('AWS_UNAVAILABLE', message, { retryable: true, cause: err });
  }
  return new DiscoveryError('AWS_REQUEST_FAILED', message, { cause: err });
}

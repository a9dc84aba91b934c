/**
 * Every error this package throws is a DiscoveryError with a stable string `code`. Callers branch on
 * `code` (and `retryable`), never on `message`.
 *
 * Each nat-ha library carries this same small base (the dependency rule forbids libraries from
 * importing each other). The `Symbol.for` brands make `isInstance` work across duplicated copies
 * of the package, and let an app recognise any nat-ha error by its shape.
 */
export type DiscoveryErrorCode =
  /** An option is missing or out of range; the message names it. */
  | 'INVALID_OPTION'
  /** The caller's signal aborted the operation. */
  | 'ABORTED'
  /** IMDS could not be reached, timed out on a GET, or answered 5xx, after the bounded retries. */
  | 'IMDS_UNAVAILABLE'
  /** IMDS answered 403: the endpoint is disabled (HttpEndpoint=disabled) or refuses this request. */
  | 'IMDS_DISABLED'
  /** The token PUT got no response in time: the symptom of a too-low PUT response hop limit. */
  | 'IMDS_TOKEN_TIMEOUT'
  /** IMDS answered 404: the path is not present on this instance. */
  | 'IMDS_NOT_FOUND'
  /** IMDS answered 401 again right after a fresh token was fetched. */
  | 'IMDS_UNAUTHORIZED'
  /** IMDS answered 429 on every attempt. */
  | 'IMDS_THROTTLED'
  /** IMDS answered something this client cannot use (unexpected status, malformed body). */
  | 'IMDS_BAD_RESPONSE'
  /** EC2 or Auto Scaling throttled the call after the SDK's own retries. */
  | 'AWS_THROTTLED'
  /** EC2 or Auto Scaling was unreachable, timed out or answered 5xx after the SDK's own retries. */
  | 'AWS_UNAVAILABLE'
  /** The credentials are missing, invalid or lack the IAM permission for the call. */
  | 'AWS_ACCESS_DENIED'
  /** EC2 or Auto Scaling rejected the request (a 4xx client error other than throttling or auth). */
  | 'AWS_REQUEST_FAILED'
  /** EC2 or Auto Scaling answered something this client cannot use (e.g. a repeating page token). */
  | 'AWS_BAD_RESPONSE'
  /** A named Auto Scaling group does not exist, or the instance is not in any group. */
  | 'ASG_NOT_FOUND';

const NAT_HA_ERROR = Symbol.for('nat-ha.error');
const BRAND = Symbol.for('@nat-ha/aws-discovery.error');

export interface DiscoveryErrorOptions {
  retryable?: boolean;
  cause?: unknown;
}

export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
  readonly code: DiscoveryErrorCode;
  readonly retryable: boolean;

  constructor(code: DiscoveryErrorCode, message: string, options: DiscoveryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    Object.defineProperty(this, BRAND, { value: true });
    Object.defineProperty(this, NAT_HA_ERROR, { value: true });
  }

  static isInstance(value: unknown): value is DiscoveryError {
    return value != null && typeof value === 'object' && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** Throws an `INVALID_OPTION` error that names the option (house style 11). */
export function invalidOption(name: string, requirement: string, value?: unknown): never {
  const shown = value === undefined ? '' : ` (got ${describeValue(value)})`;
  throw new DiscoveryError('INVALID_OPTION', `option \`${name}\` ${requirement}${shown}`);
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return typeof value;
}

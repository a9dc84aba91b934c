/**
 * Every error this package throws is a RouteSwitcherError with a stable string `code`. Callers branch on
 * `code` (and `retryable`), never on `message`.
 *
 * Each nat-ha library carries this same small base (the dependency rule forbids libraries from
 * importing each other). The `Symbol.for` brands make `isInstance` work across duplicated copies
 * of the package, and let an app recognise any nat-ha error by its shape.
 */
export type RouteSwitcherErrorCode =
  /** An option or call input is missing or out of range; the message names it. */
  | 'INVALID_OPTION'
  /** The caller's signal aborted (for `claim`: the lease could no longer be trusted). */
  | 'ABORTED'
  /** EC2 answered `RequestLimitExceeded` on every attempt (§1.4, §3.4). */
  | 'EC2_THROTTLED'
  /** EC2 answered 5xx, or the connection failed (ECONNREFUSED, ECONNRESET, …) on every attempt. */
  | 'EC2_UNAVAILABLE'
  /** A call did not finish within its hard per-call bound (`callTimeoutMs` / `readTimeoutMs`). */
  | 'EC2_TIMEOUT'
  /** EC2 rejected the credentials (`AuthFailure`, 401). */
  | 'EC2_AUTH_FAILED'
  /** IAM denies an action this package needs (`UnauthorizedOperation`, 403): a fatal config error. */
  | 'IAM_DENIED'
  /** EC2 rejected the request for another reason (the EC2 code is in `ec2Code`). */
  | 'EC2_REQUEST_FAILED'
  /** A route table id is unknown (selection, claim, drift check). */
  | 'ROUTE_TABLE_NOT_FOUND'
  /** A subnet id given to the selector is unknown. */
  | 'SUBNET_NOT_FOUND'
  /** A network interface (ENI) id is unknown. */
  | 'NETWORK_INTERFACE_NOT_FOUND'
  /** A NAT gateway id given as a route target is unknown. */
  | 'NAT_GATEWAY_NOT_FOUND'
  /** An Elastic IP allocation id is unknown. */
  | 'ADDRESS_NOT_FOUND'
  /** A selector matched no route table. */
  | 'NO_ROUTE_TABLES'
  /** `expectCurrent` was given and the route points somewhere else (not blackholed): left alone. */
  | 'EXPECT_CURRENT_MISMATCH'
  /** After a successful write, re-reads never showed the new target within `verifyTimeoutMs`. */
  | 'VERIFY_TIMEOUT'
  /** Source/destination check is still enabled on the target ENI after disabling it. */
  | 'SOURCE_DEST_CHECK_ENABLED';

const NAT_HA_ERROR = Symbol.for('nat-ha.error');
const BRAND = Symbol.for('@nat-ha/route-switcher.error');

export interface RouteSwitcherErrorOptions {
  retryable?: boolean;
  cause?: unknown;
  /** The EC2 error code (`name` of the SDK's `EC2ServiceException`) this error stems from, if any. */
  ec2Code?: string;
  /** Structured facts for programs (e.g. the denied actions of an IAM self-test). */
  details?: Readonly<Record<string, unknown>>;
}

export class RouteSwitcherError extends Error {
  override readonly name = 'RouteSwitcherError';
  readonly code: RouteSwitcherErrorCode;
  readonly retryable: boolean;
  readonly ec2Code: string | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: RouteSwitcherErrorCode, message: string, options: RouteSwitcherErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.ec2Code = options.ec2Code;
    this.details = options.details;
    Object.defineProperty(this, BRAND, { value: true });
    Object.defineProperty(this, NAT_HA_ERROR, { value: true });
  }

  static isInstance(value: unknown): value is RouteSwitcherError {
    return value != null && typeof value === 'object' && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/**
 * Every error this package throws is a RouteSwitcherError with a stable string `code`. Callers branch on
 * `code` (and `retryable`), never on `message`.
 *
 * Each nat-ha library carries this same small base (the dependency rule forbids libraries from
 * importing each other). The `Symbol.for` brands make `isInstance` work across duplicated copies
 * of the package, and let an app recognise any nat-ha error by its shape.
 */
export type RouteSwitcherErrorCode = 'INVALID_OPTION' | 'EC2_THROTTLED' | 'ABORTED';

const NAT_HA_ERROR = Symbol.for('nat-ha.error');
const BRAND = Symbol.for('@nat-ha/route-switcher.error');

export interface RouteSwitcherErrorOptions {
  retryable?: boolean;
  cause?: unknown;
}

export class RouteSwitcherError extends Error {
  override readonly name = 'RouteSwitcherError';
  readonly code: RouteSwitcherErrorCode;
  readonly retryable: boolean;

  constructor(code: RouteSwitcherErrorCode, message: string, options: RouteSwitcherErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    Object.defineProperty(this, BRAND, { value: true });
    Object.defineProperty(this, NAT_HA_ERROR, { value: true });
  }

  static isInstance(value: unknown): value is RouteSwitcherError {
    return value != null && typeof value === 'object' && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/**
 * Every error this package throws is a DiscoveryError with a stable string `code`. Callers branch on
 * `code` (and `retryable`), never on `message`.
 *
 * Each nat-ha library carries this same small base (the dependency rule forbids libraries from
 * importing each other). The `Symbol.for` brands make `isInstance` work across duplicated copies
 * of the package, and let an app recognise any nat-ha error by its shape.
 */
export type DiscoveryErrorCode = 'INVALID_OPTION' | 'IMDS_UNAVAILABLE' | 'ABORTED';

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

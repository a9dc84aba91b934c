/**
 * Every error this package throws is a ConsulLockError with a stable string `code`. Callers branch on
 * `code` (and `retryable`), never on `message`.
 *
 * Each nat-ha library carries this same small base (the dependency rule forbids libraries from
 * importing each other). The `Symbol.for` brands make `isInstance` work across duplicated copies
 * of the package, and let an app recognise any nat-ha error by its shape.
 */
export type ConsulLockErrorCode = 'INVALID_OPTION' | 'CONSUL_UNAVAILABLE' | 'CONSUL_LOCK_LOST' | 'ABORTED';

const NAT_HA_ERROR = Symbol.for('nat-ha.error');
const BRAND = Symbol.for('@nat-ha/consul-lock.error');

export interface ConsulLockErrorOptions {
  retryable?: boolean;
  cause?: unknown;
}

export class ConsulLockError extends Error {
  override readonly name = 'ConsulLockError';
  readonly code: ConsulLockErrorCode;
  readonly retryable: boolean;

  constructor(code: ConsulLockErrorCode, message: string, options: ConsulLockErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    Object.defineProperty(this, BRAND, { value: true });
    Object.defineProperty(this, NAT_HA_ERROR, { value: true });
  }

  static isInstance(value: unknown): value is ConsulLockError {
    return value != null && typeof value === 'object' && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/**
 * Every error this package throws is a NetHealthError with a stable string `code`. Callers branch on
 * `code` (and `retryable`), never on `message`.
 *
 * Each nat-ha library carries this same small base (the dependency rule forbids libraries from
 * importing each other). The `Symbol.for` brands make `isInstance` work across duplicated copies
 * of the package, and let an app recognise any nat-ha error by its shape.
 */
export type NetHealthErrorCode = 'INVALID_OPTION' | 'PROBE_TIMEOUT' | 'PROBE_FAILED' | 'ABORTED';

const NAT_HA_ERROR = Symbol.for('nat-ha.error');
const BRAND = Symbol.for('@nat-ha/net-health.error');

export interface NetHealthErrorOptions {
  retryable?: boolean;
  cause?: unknown;
}

export class NetHealthError extends Error {
  override readonly name = 'NetHealthError';
  readonly code: NetHealthErrorCode;
  readonly retryable: boolean;

  constructor(code: NetHealthErrorCode, message: string, options: NetHealthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    Object.defineProperty(this, BRAND, { value: true });
    Object.defineProperty(this, NAT_HA_ERROR, { value: true });
  }

  static isInstance(value: unknown): value is NetHealthError {
    return value != null && typeof value === 'object' && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

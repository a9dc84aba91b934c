/**
 * Every error nat-bootstrap raises is a BootstrapError with a stable string `code`; the CLI maps
 * codes to exit statuses (`exit-codes.ts`) and never matches on `message`.
 *
 * Same shape as the libraries' error bases (code, retryable, cause, `Symbol.for` brands), so any
 * nat-ha error can be recognised alike through `Symbol.for('nat-ha.error')`.
 */
export type BootstrapErrorCode =
  /**
   * A flag or environment variable is missing, malformed or out of range, or a secret or certificate
   * file it names cannot be read.
   */
  | 'INVALID_OPTION'
  /** A rendered file breaks a rule of consul-http-api.md §8 (or of another target's schema). */
  | 'INVALID_CONFIG'
  /** IMDS, EC2 or Auto Scaling could not tell us who we are or who the peers are. */
  | 'DISCOVERY_FAILED'
  /** `--wait-for-peers N` did not see N peers before `--timeout`. */
  | 'PEERS_TIMEOUT'
  /** Writing the output directory failed (nothing was renamed into place). */
  | 'WRITE_FAILED'
  | 'ABORTED'
  /** A bug or an environment nat-bootstrap did not anticipate; the message carries the cause. */
  | 'UNEXPECTED';

const NAT_HA_ERROR = Symbol.for('nat-ha.error');
const BRAND = Symbol.for('@nat-ha/bootstrap.error');

export interface BootstrapErrorOptions {
  retryable?: boolean;
  cause?: unknown;
}

export class BootstrapError extends Error {
  override readonly name = 'BootstrapError';
  readonly code: BootstrapErrorCode;
  readonly retryable: boolean;

  constructor(code: BootstrapErrorCode, message: string, options: BootstrapErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    Object.defineProperty(this, BRAND, { value: true });
    Object.defineProperty(this, NAT_HA_ERROR, { value: true });
  }

  static isInstance(value: unknown): value is BootstrapError {
    return value != null && typeof value === 'object' && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /**
   * Normalises anything thrown at an I/O boundary (house style 10): our own errors pass through,
   * aborts stay aborts, anything else becomes `fallback` with the original as `cause`.
   */
  static from(value: unknown, fallback: BootstrapErrorCode, context: string): BootstrapError {
    if (BootstrapError.isInstance(value)) return value;
    if (isAbort(value)) return new BootstrapError('ABORTED', `${context}: aborted`, { cause: value });
    const detail = value instanceof Error ? value.message : String(value);
    const retryable =
      value != null && typeof value === 'object' && (value as { retryable?: unknown }).retryable === true;
    return new BootstrapError(fallback, `${context}: ${detail}`, { cause: value, retryable });
  }
}

function isAbort(value: unknown): boolean {
  if (value == null || typeof value !== 'object') return false;
  const { name, code } = value as { name?: unknown; code?: unknown };
  return name === 'AbortError' || code === 'ABORTED' || code === 'ABORT_ERR';
}

/** Throws INVALID_OPTION naming the option (house style 11). */
export function invalidOption(name: string, problem: string, value?: unknown): never {
  const shown = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
  throw new BootstrapError('INVALID_OPTION', `${name} ${problem}${shown}`);
}

/**
 * Every error the lab raises itself is a LabError with a stable string `code`; callers branch on
 * `code`, never on `message`. Same shape as the libraries' error bases (a `Symbol.for` brand), so
 * anything that recognises a nat-ha error recognises this one.
 */
export type LabErrorCode =
  /** A command-line option or a lab option is invalid; the message names it. */
  | 'INVALID_OPTION'
  /** The nat-agent bundle could not be found or copied. */
  | 'AGENT_BUNDLE_MISSING'
  /** An agent process could not be started or exited during start-up. */
  | 'AGENT_START_FAILED'
  /** The lab did not reach the state it waited for in time (steady state, convergence). */
  | 'TIMEOUT'
  /** A host command (`ip`, `nft`) failed in dataplane mode. */
  | 'COMMAND_FAILED'
  /** Dataplane mode needs root and the `ip` tool. */
  | 'NETNS_UNAVAILABLE'
  /** The caller aborted. */
  | 'ABORTED';

const NAT_HA_ERROR = Symbol.for('nat-ha.error');
const BRAND = Symbol.for('@nat-ha/lab.error');

export interface LabErrorOptions {
  retryable?: boolean;
  cause?: unknown;
}

export class LabError extends Error {
  override readonly name = 'LabError';
  readonly code: LabErrorCode;
  readonly retryable: boolean;

  constructor(code: LabErrorCode, message: string, options: LabErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    Object.defineProperty(this, BRAND, { value: true });
    Object.defineProperty(this, NAT_HA_ERROR, { value: true });
  }

  static isInstance(value: unknown): value is LabError {
    return value != null && typeof value === 'object' && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** Normalizer at the lab's boundaries: our errors pass through, aborts stay aborts. */
  static from(value: unknown, fallback: LabErrorCode = 'COMMAND_FAILED'): LabError {
    if (LabError.isInstance(value)) return value;
    const name = (value as { name?: unknown } | null)?.name;
    if (name === 'AbortError') return new LabError('ABORTED', 'aborted', { cause: value });
    const message = value instanceof Error ? value.message : String(value);
    return new LabError(fallback, message, { cause: value });
  }
}

/** One line for a human: the code and the message. */
export function describeError(error: unknown): string {
  if (LabError.isInstance(error)) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

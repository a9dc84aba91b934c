/**
 * Every error nat-agent raises itself is a NatAgentError with a stable string `code`; callers branch
 * on `code` (and `retryable`), never on `message`. Errors from the libraries keep their own classes
 * (each carries the shared `Symbol.for('nat-ha.error')` brand, so `describeError` treats them alike).
 */
export type NatAgentErrorCode =
  /** The configuration (file, environment or flags) is invalid; the message lists every problem. */
  | 'INVALID_CONFIG'
  /** A command-line argument is unknown or malformed. */
  | 'USAGE'
  /** The data plane (ip_forward, masquerade rule) is not ready and could not be prepared. */
  | 'DATAPLANE_BROKEN'
  /** A command the data plane needs (`nft`, `iptables`, `ip`) failed. */
  | 'COMMAND_FAILED'
  /** A local agent or Consul answered in a way `status` cannot use. */
  | 'UNAVAILABLE'
  /** A claim ended with routes not (verifiably) pointing at the target; the message lists them. */
  | 'CLAIM_INCOMPLETE'
  /** This instance does not hold the lease any more; the work was stopped. */
  | 'LEASE_LOST'
  /** The caller aborted the operation. */
  | 'ABORTED';

const NAT_HA_ERROR = Symbol.for('nat-ha.error');
const BRAND = Symbol.for('@nat-ha/nat-agent.error');

export interface NatAgentErrorOptions {
  retryable?: boolean;
  cause?: unknown;
}

export class NatAgentError extends Error {
  override readonly name = 'NatAgentError';
  readonly code: NatAgentErrorCode;
  readonly retryable: boolean;

  constructor(code: NatAgentErrorCode, message: string, options: NatAgentErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    Object.defineProperty(this, BRAND, { value: true });
    Object.defineProperty(this, NAT_HA_ERROR, { value: true });
  }

  static isInstance(value: unknown): value is NatAgentError {
    return value != null && typeof value === 'object' && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** What a log line or a status field says about any error: a stable code when there is one. */
export interface ErrorSummary {
  code: string;
  message: string;
  retryable: boolean;
}

/** Normalises anything thrown into a summary; nat-ha errors of every package keep their `code`. */
export function describeError(error: unknown): ErrorSummary {
  if (error != null && typeof error === 'object') {
    const e = error as { code?: unknown; message?: unknown; retryable?: unknown; name?: unknown };
    const branded = (error as Record<symbol, unknown>)[NAT_HA_ERROR] === true;
    const message = typeof e.message === 'string' ? e.message : JSON.stringify(error);
    if (isAbortError(error)) return { code: 'ABORTED', message, retryable: false };
    if (branded && typeof e.code === 'string') {
      return { code: e.code, message, retryable: e.retryable === true };
    }
    if (typeof e.code === 'string') return { code: e.code, message, retryable: false };
    if (typeof e.name === 'string' && e.name !== 'Error') return { code: e.name, message, retryable: false };
    return { code: 'ERROR', message, retryable: false };
  }
  return { code: 'ERROR', message: String(error), retryable: false };
}

/** True for DOM `AbortError`s and for any nat-ha error whose code says the caller aborted. */
export function isAbortError(error: unknown): boolean {
  if (error == null || typeof error !== 'object') return false;
  const e = error as { name?: unknown; code?: unknown };
  return e.name === 'AbortError' || e.code === 'ABORTED' || e.code === 'ABORT_ERR';
}

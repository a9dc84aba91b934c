/**
 * Every error this package throws is a ConsulLockError with a stable string `code`. Callers branch on
 * `code` (and `retryable`), never on `message`.
 *
 * Each nat-ha library carries this same small base (the dependency rule forbids libraries from
 * importing each other). The `Symbol.for` brands make `isInstance` work across duplicated copies
 * of the package, and let an app recognise any nat-ha error by its shape.
 */
export type ConsulLockErrorCode =
  /** An option is missing or out of range; the message names it. */
  | 'INVALID_OPTION'
  /** The caller's signal aborted the operation. Never retried. */
  | 'ABORTED'
  /** The agent could not be reached (refused, reset, DNS), answered 502/503/504, or has no servers. */
  | 'CONSUL_UNAVAILABLE'
  /** A request did not finish within its per-request timeout (measured on the injected clock). */
  | 'CONSUL_TIMEOUT'
  /** The TLS handshake failed (unknown CA, bad certificate, host name mismatch). A configuration error. */
  | 'CONSUL_TLS'
  /** 403 `Permission denied` (or `Access is restricted` / `Endpoint is blocked`): the token lacks a rule (§7.1). */
  | 'CONSUL_PERMISSION_DENIED'
  /** 403 `ACL not found`: the token is unknown to the cluster (§7.1). */
  | 'CONSUL_ACL_NOT_FOUND'
  /** 404 on an endpoint where absence is an error (for example an unknown check id, §6.2). */
  | 'CONSUL_NOT_FOUND'
  /** 400, 405 or 413, or a 500 that Consul uses for invalid input (`Invalid Session TTL`, §2.2). */
  | 'CONSUL_BAD_REQUEST'
  /** 429: the agent's RPC rate limit (§1.3). */
  | 'CONSUL_RATE_LIMITED'
  /** 500 `No cluster leader`, `leadership lost`, `node is not the leader`, `Not ready to serve consistent reads` (§7.2, §7.3). */
  | 'CONSUL_NO_LEADER'
  /** 500 `rpc error making call` that is not one of the cases above: the agent could not complete a server RPC (§7.2). */
  | 'CONSUL_RPC_ERROR'
  /** Any other 5xx. Retryable, as the Go client's `IsRetryableError` treats every 500 (§5.4). */
  | 'CONSUL_SERVER_ERROR'
  /** 500 `invalid session`: the session used to acquire no longer exists (§3.3). */
  | 'CONSUL_INVALID_SESSION'
  /** 500 `Missing node registration`: the agent's node has not synced into the catalog yet (§2.2). */
  | 'CONSUL_NODE_NOT_REGISTERED'
  /** 500 `Missing check '…' registration` or `Check '…' is in critical state` at session create (§2.2 step 6). */
  | 'CONSUL_CHECK_UNHEALTHY'
  /** The session is gone (renew answered 404) or could not be renewed within its TTL (§2.5, §5.6). */
  | 'CONSUL_SESSION_EXPIRED'
  /** The lock is not (or no longer) held by this election: never elected, deposed, lease expired. */
  | 'CONSUL_LOCK_LOST'
  /** The lock key exists with `Flags` other than the lock flag value: something else uses it (§5.3, rule 79). */
  | 'CONSUL_LOCK_CONFLICT'
  /** Consul answered something this client cannot parse. */
  | 'CONSUL_PROTOCOL';

const NAT_HA_ERROR = Symbol.for('nat-ha.error');
const BRAND = Symbol.for('@nat-ha/consul-lock.error');

export interface ConsulLockErrorOptions {
  retryable?: boolean;
  cause?: unknown;
  /** HTTP status of the response that caused the error, when there was one. */
  status?: number;
  /** The response body (Consul error bodies are plain text, §1.3), truncated to 1 KiB. */
  body?: string;
}

const ABORT_CODES = new Set(['ABORT_ERR', 'UND_ERR_ABORTED']);

/** Network error codes that mean "try again later" (house style 10). */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_REQ_RETRY',
]);

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

function codeOf(value: unknown): string | undefined {
  if (value == null || typeof value !== 'object') return undefined;
  const code = (value as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

export class ConsulLockError extends Error {
  override readonly name = 'ConsulLockError';
  readonly code: ConsulLockErrorCode;
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly body: string | undefined;

  constructor(code: ConsulLockErrorCode, message: string, options: ConsulLockErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.status = options.status;
    this.body = options.body;
    Object.defineProperty(this, BRAND, { value: true });
    Object.defineProperty(this, NAT_HA_ERROR, { value: true });
  }

  static isInstance(value: unknown): value is ConsulLockError {
    return value != null && typeof value === 'object' && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /**
   * The normalizer at every I/O boundary (house style 10): our own errors pass through, aborts stay
   * aborts (never retried), network failures become retryable `CONSUL_UNAVAILABLE`, TLS failures a
   * non-retryable `CONSUL_TLS`. Anything else is wrapped as `fallback`.
   */
  static from(value: unknown, fallback: ConsulLockErrorCode = 'CONSUL_UNAVAILABLE'): ConsulLockError {
    if (ConsulLockError.isInstance(value)) return value;
    const name = value instanceof Error ? value.name : undefined;
    const message = value instanceof Error ? value.message : String(value);
    // undici wraps connect failures: the errno code sits on the error or on its cause.
    const code = codeOf(value) ?? codeOf((value as { cause?: unknown } | null)?.cause);
    if (name === 'AbortError' || (code != null && ABORT_CODES.has(code))) {
      return new ConsulLockError('ABORTED', 'the operation was aborted', { cause: value });
    }
    if (code != null && TLS_CODES.has(code)) {
      return new ConsulLockError(
        'CONSUL_TLS',
        `TLS handshake with the Consul agent failed (${code}): ${message}`,
        {
          cause: value,
        },
      );
    }
    if (code != null && UNAVAILABLE_CODES.has(code)) {
      return new ConsulLockError('CONSUL_UNAVAILABLE', `Consul agent unreachable (${code}): ${message}`, {
        retryable: true,
        cause: value,
      });
    }
    return new ConsulLockError(fallback, message, {
      retryable: fallback === 'CONSUL_UNAVAILABLE',
      cause: value,
    });
  }
}

/**
 * Every error this package throws is a NetHealthError with a stable string `code`, and every failed
 * probe result carries one of the same codes. Callers branch on `code` (and `retryable`), never on
 * `message`.
 *
 * Each nat-ha library carries this same small base (the dependency rule forbids libraries from
 * importing each other). The `Symbol.for` brands make `isInstance` work across duplicated copies
 * of the package, and let an app recognise any nat-ha error by its shape.
 */
export type NetHealthErrorCode =
  /** An option is missing or out of range; the message names it. Thrown at construction. */
  | 'INVALID_OPTION'
  /** The caller's signal aborted the operation. Never retried, never recorded as a failed probe. */
  | 'ABORTED'
  /** The probe did not complete within its timeout (measured on the injected clock). */
  | 'PROBE_TIMEOUT'
  /** The target refused the connection (TCP RST to the SYN, ICMP port unreachable for DNS). */
  | 'PROBE_REFUSED'
  /** The connection was reset or closed by the other side before a response. */
  | 'PROBE_RESET'
  /** No route: network or host unreachable, network down, or the packet was refused locally. */
  | 'PROBE_UNREACHABLE'
  /** The source address or interface to probe from does not exist or cannot be bound. */
  | 'PROBE_SOURCE_UNAVAILABLE'
  /** An HTTP response arrived with a status outside the expected set. */
  | 'PROBE_WRONG_STATUS'
  /** The name does not exist (DNS NXDOMAIN, or `getaddrinfo` ENOTFOUND for a target host name). */
  | 'PROBE_NXDOMAIN'
  /** The resolver answered with an error or an empty answer (SERVFAIL, REFUSED, NODATA, bad reply). */
  | 'PROBE_DNS_FAILED'
  /** The TLS handshake failed (unknown CA, bad or expired certificate, name mismatch). */
  | 'PROBE_TLS'
  /** The `ping` command is missing or not permitted to send ICMP. A set-up error, not a path error. */
  | 'PROBE_PING_UNAVAILABLE'
  /** Any other probe failure; the message says what happened. */
  | 'PROBE_FAILED'
  /** The health server could not listen on its address (port in use, address not local). */
  | 'HEALTH_LISTEN_FAILED';

const NAT_HA_ERROR = Symbol.for('nat-ha.error');
const BRAND = Symbol.for('@nat-ha/net-health.error');

export interface NetHealthErrorOptions {
  retryable?: boolean;
  cause?: unknown;
}

/** Codes whose failure can clear on the next round: a path or a peer problem, not a set-up error. */
const NOT_RETRYABLE = new Set<NetHealthErrorCode>([
  'INVALID_OPTION',
  'ABORTED',
  'PROBE_PING_UNAVAILABLE',
  'HEALTH_LISTEN_FAILED',
]);

/** errno / undici / c-ares codes, by the probe code they mean (house style 10). */
const CODE_MAP: ReadonlyArray<readonly [NetHealthErrorCode, readonly string[]]> = [
  ['ABORTED', ['ABORT_ERR', 'UND_ERR_ABORTED', 'ECANCELLED']],
  [
    'PROBE_TIMEOUT',
    ['ETIMEDOUT', 'ETIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'],
  ],
  ['PROBE_REFUSED', ['ECONNREFUSED']],
  [
    'PROBE_RESET',
    [
      'ECONNRESET',
      'ECONNABORTED',
      'EPIPE',
      'UND_ERR_SOCKET',
      'UND_ERR_CLOSED',
      'UND_ERR_DESTROYED',
      'ERR_STREAM_PREMATURE_CLOSE',
    ],
  ],
  // EPERM/EACCES on connect/send: a local packet filter dropped the packet, which for the
  // caller is the same as "this path does not go anywhere".
  ['PROBE_UNREACHABLE', ['ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'EPERM', 'EACCES']],
  ['PROBE_SOURCE_UNAVAILABLE', ['EADDRNOTAVAIL', 'ENODEV', 'EADDRINUSE']],
  ['PROBE_NXDOMAIN', ['ENOTFOUND']],
  [
    'PROBE_DNS_FAILED',
    [
      'EAI_AGAIN',
      'ESERVFAIL',
      'EREFUSED',
      'ENODATA',
      'EFORMERR',
      'ENOTIMP',
      'EBADRESP',
      'EBADNAME',
      'EBADQUERY',
      'EEOF',
    ],
  ],
  [
    'PROBE_TLS',
    [
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'UNABLE_TO_GET_ISSUER_CERT',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'CERT_HAS_EXPIRED',
      'CERT_NOT_YET_VALID',
      'CERT_UNTRUSTED',
      'CERT_REVOKED',
      'ERR_TLS_CERT_ALTNAME_INVALID',
      'ERR_SSL_WRONG_VERSION_NUMBER',
      'EPROTO',
    ],
  ],
];

const BY_SYSTEM_CODE = new Map<string, NetHealthErrorCode>(
  CODE_MAP.flatMap(([code, systemCodes]) => systemCodes.map((s) => [s, code] as const)),
);

function codeOf(value: unknown): string | undefined {
  if (value == null || typeof value !== 'object') return undefined;
  const code = (value as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message === '' ? value.name : value.message;
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
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

  /** Whether a failure with this code can clear by itself on a later round. */
  static isRetryableCode(code: NetHealthErrorCode): boolean {
    return !NOT_RETRYABLE.has(code);
  }

  /**
   * The normalizer at every I/O boundary (house style 10). Our own errors pass through; aborts stay
   * aborts (`ABORTED`, never retried); errno, undici (`UND_ERR_*`) and c-ares codes map to the probe
   * codes above, looking through undici's `cause` chain; anything else becomes `fallback`.
   */
  static from(value: unknown, fallback: NetHealthErrorCode = 'PROBE_FAILED'): NetHealthError {
    if (NetHealthError.isInstance(value)) return value;
    let mapped: NetHealthErrorCode | undefined;
    let systemCode: string | undefined;
    // undici puts the errno error under `cause`; AggregateError (happy eyeballs) under `errors`.
    for (let v: unknown = value, depth = 0; v != null && depth < 4 && mapped == null; depth++) {
      systemCode = codeOf(v);
      if (systemCode != null) mapped = BY_SYSTEM_CODE.get(systemCode);
      if (mapped == null && v instanceof Error && v.name === 'AbortError') mapped = 'ABORTED';
      const errors = (v as { errors?: unknown }).errors;
      v = Array.isArray(errors) && errors.length > 0 ? errors[0] : (v as { cause?: unknown }).cause;
    }
    const code = mapped ?? fallback;
    const detail = describe(value);
    const message = systemCode != null && !detail.includes(systemCode) ? `${systemCode}: ${detail}` : detail;
    return new NetHealthError(code, message, {
      retryable: NetHealthError.isRetryableCode(code),
      cause: value,
    });
  }
}

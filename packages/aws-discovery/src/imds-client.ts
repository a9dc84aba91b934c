import { getGlobalDispatcher, type Dispatcher } from 'undici';
import { abortedError, raceAbort, sleepOrAbort, throwIfAborted } from './abort';
import { systemClock, type Clock } from './clock';
import { DiscoveryError, invalidOption } from './errors';
import type { DiscoveryLogger } from './logger';
import { httpEndpoint, integerInRange } from './validate';

/**
 * An IMDSv2-only client (ec2-query-and-imds.md §4.1, §4.2).
 *
 * - Every GET carries a session token; IMDSv1 is never used, not even as a fallback — unlike the
 *   SDK's credential provider and NTH (§4.5), which fall back to v1 when the PUT fails.
 * - The token is fetched once (single flight), reused until shortly before its TTL ends (measured
 *   on the injected clock), and refetched once when a GET answers 401 (what NTH and the SDK do).
 * - Every exchange is bounded by `timeoutMs` on the injected clock; transport errors, timeouts,
 *   429 and 5xx are retried up to `maxAttempts` in total; 403, 404 and other 4xx are final.
 */
export interface ImdsClientOptions {
  /**
   * Base URL of the metadata service. Apps map `AWS_EC2_METADATA_SERVICE_ENDPOINT` here; use
   * `http://[fd00:ec2::254]` for IPv6 (§4.1). A path is kept as a prefix.
   */
  endpoint?: string;
  /** undici dispatcher for every request. Default: undici's global dispatcher (never replaced). */
  dispatcher?: Dispatcher;
  /** Time source for timeouts, backoff and token expiry. */
  clock?: Clock;
  /** Token lifetime requested with `X-aws-ec2-metadata-token-ttl-seconds`, 1…21600 s (§4.1). */
  tokenTtlSeconds?: number;
  /**
   * A token is replaced once less than this remains of its lifetime; capped at half the TTL so a
   * short TTL still gets used.
   */
  tokenRefreshBeforeExpiryMs?: number;
  /** Bound on one exchange (connect, headers and body). */
  timeoutMs?: number;
  /** Attempts per call in total, including the first (the SDK's meaning of `maxAttempts`, §1.4). */
  maxAttempts?: number;
  /** First backoff delay; doubles per retry. */
  retryBaseDelayMs?: number;
  /** Largest backoff delay. */
  retryMaxDelayMs?: number;
  logger?: DiscoveryLogger;
}

export interface ImdsRequestOptions {
  signal?: AbortSignal;
}

export interface ImdsClient {
  /** The normalised base URL requests go to. */
  readonly endpoint: string;
  /**
   * GET `/latest/<path>` (e.g. `meta-data/instance-id`) and return the body. A 404 throws
   * `IMDS_NOT_FOUND`.
   */
  get(path: string, options?: ImdsRequestOptions): Promise<string>;
  /** Like `get`, but a 404 ("not present", §4.2) resolves to `undefined`. */
  getOptional(path: string, options?: ImdsRequestOptions): Promise<string | undefined>;
  /** Forgets the cached token; the next call fetches a new one. */
  invalidateToken(): void;
}

/** Every default in one place (house style 11). */
export const IMDS_DEFAULTS = {
  endpoint: 'http://169.254.169.254',
  // The SDK's own choice (§4.5): one PUT per six hours.
  tokenTtlSeconds: 21_600,
  tokenRefreshBeforeExpiryMs: 60_000,
  // The SDK's IMDS timeout (§4.5). IMDS is on-host; a healthy answer takes a few milliseconds.
  timeoutMs: 1_000,
  maxAttempts: 3,
  retryBaseDelayMs: 100,
  retryMaxDelayMs: 1_000,
} as const;

const TOKEN_PATH = '/latest/api/token';
const TTL_HEADER = 'x-aws-ec2-metadata-token-ttl-seconds';
const TOKEN_HEADER = 'x-aws-ec2-metadata-token';

interface Token {
  value: string;
  /** Clock time after which the token must not be used any more. */
  refreshAt: number;
}

type Outcome =
  | { kind: 'response'; status: number; headers: Record<string, string | string[] | undefined>; body: string }
  | { kind: 'timeout' }
  | { kind: 'network'; cause: unknown };

export function createImdsClient(options: ImdsClientOptions = {}): ImdsClient {
  const endpoint = httpEndpoint('endpoint', options.endpoint ?? IMDS_DEFAULTS.endpoint);
  const clock = options.clock ?? systemClock;
  const dispatcher = options.dispatcher ?? getGlobalDispatcher();
  const ttlSeconds = integerInRange(
    'tokenTtlSeconds',
    options.tokenTtlSeconds ?? IMDS_DEFAULTS.tokenTtlSeconds,
    1,
    21_600,
  );
  const refreshBeforeMs = Math.min(
    integerInRange(
      'tokenRefreshBeforeExpiryMs',
      options.tokenRefreshBeforeExpiryMs ?? IMDS_DEFAULTS.tokenRefreshBeforeExpiryMs,
      0,
      21_600_000,
    ),
    (ttlSeconds * 1000) / 2,
  );
  const timeoutMs = integerInRange('timeoutMs', options.timeoutMs ?? IMDS_DEFAULTS.timeoutMs, 1, 600_000);
  const maxAttempts = integerInRange('maxAttempts', options.maxAttempts ?? IMDS_DEFAULTS.maxAttempts, 1, 20);
  const retryBaseDelayMs = integerInRange(
    'retryBaseDelayMs',
    options.retryBaseDelayMs ?? IMDS_DEFAULTS.retryBaseDelayMs,
    0,
    60_000,
  );
  const retryMaxDelayMs = integerInRange(
    'retryMaxDelayMs',
    options.retryMaxDelayMs ?? IMDS_DEFAULTS.retryMaxDelayMs,
    0,
    600_000,
  );
  if (retryMaxDelayMs < retryBaseDelayMs) {
    invalidOption(
      'retryMaxDelayMs',
      `must be at least retryBaseDelayMs (${retryBaseDelayMs})`,
      retryMaxDelayMs,
    );
  }
  const logger = options.logger;

  let token: Token | undefined;
  let tokenFetch: Promise<Token> | undefined;

  // No jitter: IMDS is per instance, so the only clients that could synchronise are this host's
  // own processes; a plain doubling keeps the worst case easy to state in the README.
  const backoffMs = (attempt: number): number =>
    Math.min(retryMaxDelayMs, retryBaseDelayMs * 2 ** (attempt - 1));

  /** One HTTP exchange bounded by `timeoutMs` on the injected clock. Caller aborts throw ABORTED. */
  async function exchange(
    method: 'GET' | 'PUT',
    path: string,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<Outcome> {
    const what = `IMDS ${method} ${path}`;
    throwIfAborted(signal, what);
    const controller = new AbortController();
    const timer = new AbortController();
    let timedOut = false;
    const onCallerAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onCallerAbort, { once: true });
    clock.sleep(timeoutMs, timer.signal).then(
      () => {
        timedOut = true;
        controller.abort(new Error(`${what} timed out after ${timeoutMs} ms`));
      },
      () => undefined, // cancelled on settle
    );
    try {
      const res = await dispatcher.request({
        origin: endpoint.origin,
        path,
        method,
        headers,
        signal: controller.signal,
      });
      const body = await res.body.text();
      return { kind: 'response', status: res.statusCode, headers: res.headers, body };
    } catch (err) {
      if (signal?.aborted === true) throw abortedError(signal, what);
      if (timedOut) return { kind: 'timeout' };
      return { kind: 'network', cause: err };
    } finally {
      timer.abort();
      signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  async function fetchToken(): Promise<Token> {
    const path = `${endpoint.basePath}${TOKEN_PATH}`;
    let last: Outcome | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const startedAt = clock.now();
      const out = await exchange('PUT', path, { [TTL_HEADER]: String(ttlSeconds) }, undefined);
      last = out;
      if (out.kind === 'response') {
        const { status } = out;
        if (status >= 200 && status < 300) {
          const value = out.body.trim();
          if (value === '') {
            throw new DiscoveryError(
              'IMDS_BAD_RESPONSE',
              `IMDS answered PUT ${TOKEN_PATH} with an empty token`,
            );
          }
          // Trust a shorter TTL echoed by the service (§4.1: the response carries the TTL header).
          const echoed = Number(headerValue(out.headers[TTL_HEADER]));
          const grantedSeconds =
            Number.isInteger(echoed) && echoed > 0 && echoed < ttlSeconds ? echoed : ttlSeconds;
          const grantedMs = grantedSeconds * 1000;
          return { value, refreshAt: startedAt + grantedMs - Math.min(refreshBeforeMs, grantedMs / 2) };
        }
        if (status === 403) throw disabledError('PUT', TOKEN_PATH);
        if (status === 404 || status === 405) {
          // §4.2: an endpoint without IMDSv2. The SDK would fall back to IMDSv1 here; we never do.
          throw new DiscoveryError(
            'IMDS_BAD_RESPONSE',
            `IMDS at ${endpoint.href} answered ${status} to PUT ${TOKEN_PATH}: it does not offer IMDSv2 ` +
              'session tokens, and this client never falls back to IMDSv1',
          );
        }
        if (status !== 429 && status < 500) {
          throw new DiscoveryError(
            'IMDS_BAD_RESPONSE',
            `IMDS rejected PUT ${TOKEN_PATH} with ${status} (token TTL ${ttlSeconds} s)`,
          );
        }
      }
      if (attempt < maxAttempts) {
        logger?.debug?.('IMDS token request failed; retrying', { attempt, outcome: describe(out) });
        await sleepOrAbort(clock, backoffMs(attempt), undefined, 'IMDS token request');
      }
    }
    throw finalError('PUT', TOKEN_PATH, last);
  }

  function currentToken(signal: AbortSignal | undefined): Promise<Token> {
    if (token != null && clock.now() < token.refreshAt) return Promise.resolve(token);
    if (tokenFetch == null) {
      const fetching = fetchToken().then(
        (fresh) => {
          if (tokenFetch === fetching) tokenFetch = undefined;
          token = fresh;
          return fresh;
        },
        (err: unknown) => {
          if (tokenFetch === fetching) tokenFetch = undefined;
          throw err;
        },
      );
      tokenFetch = fetching;
    }
    // The fetch is shared, so one caller's abort must not cancel it; it only ends this wait.
    return raceAbort(tokenFetch, signal, 'IMDS token request');
  }

  async function request(path: string, signal: AbortSignal | undefined): Promise<string | undefined> {
    const relative = normalisePath(path);
    const fullPath = `${endpoint.basePath}/latest/${relative}`;
    throwIfAborted(signal, `IMDS GET /latest/${relative}`);
    let refreshedAfter401 = false;
    let last: Outcome | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const used = await currentToken(signal);
      const out = await exchange('GET', fullPath, { [TOKEN_HEADER]: used.value }, signal);
      last = out;
      if (out.kind === 'response') {
        const { status } = out;
        if (status >= 200 && status < 300) return out.body;
        if (status === 404) return undefined;
        if (status === 401) {
          if (refreshedAfter401) {
            throw new DiscoveryError(
              'IMDS_UNAUTHORIZED',
              `IMDS answered 401 to GET /latest/${relative} even with a freshly fetched token`,
              { retryable: true },
            );
          }
          // §4.2: 401 = missing, invalid or expired token → "generate a new token", once.
          refreshedAfter401 = true;
          if (token === used) token = undefined;
          attempt--;
          continue;
        }
        if (status === 403) throw disabledError('GET', `/latest/${relative}`);
        if (status !== 429 && status < 500) {
          throw new DiscoveryError('IMDS_BAD_RESPONSE', `IMDS answered ${status} to GET /latest/${relative}`);
        }
      }
      if (attempt < maxAttempts) {
        logger?.debug?.('IMDS request failed; retrying', { path: relative, attempt, outcome: describe(out) });
        await sleepOrAbort(clock, backoffMs(attempt), signal, `IMDS GET /latest/${relative}`);
      }
    }
    throw finalError('GET', `/latest/${relative}`, last);
  }

  function finalError(method: 'GET' | 'PUT', path: string, last: Outcome | undefined): DiscoveryError {
    const tries = `${maxAttempts} attempt${maxAttempts === 1 ? '' : 's'}`;
    if (last?.kind === 'timeout' && method === 'PUT') {
      // §4.1 hop limit: from a container (or any extra hop) the PUT response is dropped and the
      // client sees nothing at all. Say so: this is the usual cause, and it is a config fix.
      return new DiscoveryError(
        'IMDS_TOKEN_TIMEOUT',
        `IMDS token request (PUT ${path} to ${endpoint.href}) got no response within ${timeoutMs} ms ` +
          `(${tries}). This is the symptom of the IMDSv2 PUT response hop limit: when running in a ` +
          'container or behind an extra network hop, raise HttpPutResponseHopLimit to 2 ' +
          '(aws ec2 modify-instance-metadata-options --http-put-response-hop-limit 2); otherwise the ' +
          'metadata service is not answering',
        { retryable: true },
      );
    }
    if (last?.kind === 'response' && last.status === 429) {
      return new DiscoveryError('IMDS_THROTTLED', `IMDS throttled ${method} ${path} (429, ${tries})`, {
        retryable: true,
      });
    }
    const detail =
      last == null
        ? 'no attempt made'
        : last.kind === 'timeout'
          ? `no response within ${timeoutMs} ms`
          : last.kind === 'network'
            ? `transport error: ${errorMessage(last.cause)}`
            : `HTTP ${last.status}`;
    return new DiscoveryError(
      'IMDS_UNAVAILABLE',
      `IMDS at ${endpoint.href} is unavailable for ${method} ${path} after ${tries} (${detail})`,
      { retryable: true, cause: last?.kind === 'network' ? last.cause : undefined },
    );
  }

  function disabledError(method: 'GET' | 'PUT', path: string): DiscoveryError {
    return new DiscoveryError(
      'IMDS_DISABLED',
      `IMDS at ${endpoint.href} answered 403 Forbidden to ${method} ${path}: the instance metadata ` +
        'endpoint is disabled for this instance (HttpEndpoint=disabled); enable it with ' +
        'aws ec2 modify-instance-metadata-options --http-endpoint enabled',
    );
  }

  return {
    endpoint: endpoint.href,
    async get(path, requestOptions = {}) {
      const body = await request(path, requestOptions.signal);
      if (body === undefined) {
        throw new DiscoveryError(
          'IMDS_NOT_FOUND',
          `IMDS path /latest/${normalisePath(path)} is not present on this instance (404)`,
        );
      }
      return body;
    },
    getOptional: (path, requestOptions = {}) => request(path, requestOptions.signal),
    invalidateToken() {
      token = undefined;
    },
  };
}

/** Accepts `meta-data/x`, `/meta-data/x` or `/latest/meta-data/x`; the token path is not a data path. */
function normalisePath(path: string): string {
  if (typeof path !== 'string') invalidOption('path', 'must be a string', path);
  let relative = path.replace(/^\/+/, '');
  if (relative.startsWith('latest/')) relative = relative.slice('latest/'.length);
  if (relative === '' || relative.startsWith('api/')) {
    invalidOption('path', 'must name a metadata path such as "meta-data/instance-id"', path);
  }
  return relative;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} ${err.message}` : err.message;
  }
  return String(err);
}

function describe(out: Outcome): string {
  if (out.kind === 'response') return `HTTP ${out.status}`;
  if (out.kind === 'timeout') return 'timeout';
  return errorMessage(out.cause);
}

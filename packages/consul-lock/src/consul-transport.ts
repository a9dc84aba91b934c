import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import { linkSignals } from './abort';
import { type Clock } from './clock';
import { ConsulLockError } from './errors';
import { errorFromResponse } from './response-error';

/** Query parameters. `true` is sent as a presence flag (`?consistent`), §1.5; `false`/`undefined` are omitted. */
export type QueryParams = Record<string, string | number | boolean | undefined>;

export interface TransportRequest {
  method: 'GET' | 'PUT' | 'DELETE';
  /** Path below the base URL, starting with `/v1/`. */
  path: string;
  query?: QueryParams;
  /** A string or bytes go as-is (KV values); anything else is sent as JSON. */
  body?: string | Uint8Array | object;
  /** Statuses returned to the caller instead of thrown (e.g. 404 for a missing key). */
  acceptStatuses?: readonly number[];
  /** Overrides the transport's default per-request timeout. */
  timeoutMs?: number;
  signal?: AbortSignal | undefined;
  /** Names the call in error messages, e.g. `PUT /v1/kv/<key>?acquire`. */
  what?: string;
}

/** The `setMeta` headers of read endpoints (§1.4). */
export interface QueryMeta {
  /** `X-Consul-Index`; 0 when the header was absent (writes, agent endpoints). */
  index: number;
  /** `X-Consul-KnownLeader`. */
  knownLeader: boolean;
  /** `X-Consul-LastContact`, ms. */
  lastContactMs: number;
}

export interface TransportResponse {
  status: number;
  text: string;
  meta: QueryMeta;
}

export interface ConsulTransport {
  readonly baseUrl: string;
  /** The default per-request timeout, ms. */
  readonly requestTimeoutMs: number;
  readonly clock: Clock;
  send(req: TransportRequest): Promise<TransportResponse>;
  /** Closes the dispatcher if the transport created it. */
  close(): Promise<void>;
}

export interface ConsulTlsOptions {
  /** PEM CA bundle that signed the agent's HTTPS certificate. */
  ca?: string | Buffer | readonly (string | Buffer)[];
  /** Client certificate and key, for agents with `verify_incoming`. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Server name to verify when the base URL host differs from the certificate's name. */
  servername?: string;
}

export interface ConsulTransportOptions {
  baseUrl: string;
  token?: string | undefined;
  dispatcher?: Dispatcher | undefined;
  tls?: ConsulTlsOptions | undefined;
  requestTimeoutMs: number;
  clock: Clock;
}

function headerValue(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseMeta(headers: Record<string, string | string[] | undefined>): QueryMeta {
  const index = Number(headerValue(headers, 'x-consul-index') ?? 0);
  const lastContact = Number(headerValue(headers, 'x-consul-lastcontact') ?? 0);
  return {
    index: Number.isFinite(index) && index > 0 ? index : 0,
    knownLeader: headerValue(headers, 'x-consul-knownleader') !== 'false',
    lastContactMs: Number.isFinite(lastContact) ? lastContact : 0,
  };
}

function buildQuery(query: QueryParams | undefined): string {
  if (query == null) return '';
  const parts: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === false) continue;
    parts.push(
      value === true
        ? encodeURIComponent(name)
        : `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`,
    );
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** The HTTP layer under every API call: token header, timeouts on the injected clock, typed errors. */
export function createConsulTransport(options: ConsulTransportOptions): ConsulTransport {
  const { token, clock, requestTimeoutMs } = options;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const tls = options.tls;
  const ownsDispatcher = options.dispatcher == null;
  const dispatcher: Dispatcher =
    options.dispatcher ??
    new Agent({
      ...(tls == null
        ? {}
        : {
            connect: {
              ...(tls.ca == null ? {} : { ca: tls.ca as string | Buffer | (string | Buffer)[] }),
              ...(tls.cert == null ? {} : { cert: tls.cert }),
              ...(tls.key == null ? {} : { key: tls.key }),
              ...(tls.servername == null ? {} : { servername: tls.servername }),
            },
          }),
    });

  return {
    baseUrl,
    requestTimeoutMs,
    clock,
    async send(req) {
      const what = req.what ?? `${req.method} ${req.path}`;
      const timeoutMs = req.timeoutMs ?? requestTimeoutMs;
      const link = linkSignals(req.signal);
      if (link.signal.aborted) {
        link.dispose();
        throw new ConsulLockError('ABORTED', `${what} was aborted`, { cause: req.signal?.reason });
      }
      // The timeout runs on the injected clock, not AbortSignal.timeout(), so virtual time moves it.
      let timedOut = false;
      const timer = new AbortController();
      clock.sleep(timeoutMs, timer.signal).then(
        () => {
          timedOut = true;
          link.abort(new ConsulLockError('CONSUL_TIMEOUT', `${what} timed out after ${timeoutMs} ms`));
        },
        () => undefined,
      );
      const headers: Record<string, string> = {};
      if (token != null && token !== '') headers['x-consul-token'] = token;
      let body: string | Uint8Array | undefined;
      if (typeof req.body === 'string' || req.body instanceof Uint8Array) {
        body = req.body;
        headers['content-type'] = 'application/octet-stream';
      } else if (req.body !== undefined) {
        body = JSON.stringify(req.body);
        headers['content-type'] = 'application/json';
      }
      try {
        const res = await undiciRequest(`${baseUrl}${req.path}${buildQuery(req.query)}`, {
          dispatcher,
          method: req.method,
          headers,
          ...(body === undefined ? {} : { body }),
          signal: link.signal,
        });
        const text = await res.body.text();
        const meta = parseMeta(res.headers);
        if (
          (res.statusCode >= 200 && res.statusCode < 300) ||
          req.acceptStatuses?.includes(res.statusCode) === true
        ) {
          return { status: res.statusCode, text, meta };
        }
        throw errorFromResponse(res.statusCode, text, what);
      } catch (err) {
        if (ConsulLockError.isInstance(err) && err.status != null) throw err;
        if (timedOut) {
          throw new ConsulLockError('CONSUL_TIMEOUT', `${what} timed out after ${timeoutMs} ms`, {
            retryable: true,
            cause: err,
          });
        }
        if (req.signal?.aborted === true) {
          throw new ConsulLockError('ABORTED', `${what} was aborted`, { cause: req.signal.reason });
        }
        const normalized = ConsulLockError.from(err);
        if (normalized.code === 'CONSUL_UNAVAILABLE' || normalized.code === 'CONSUL_TLS') {
          throw new ConsulLockError(normalized.code, `${what}: ${normalized.message}`, {
            retryable: normalized.retryable,
            cause: err,
          });
        }
        throw normalized;
      } finally {
        timer.abort();
        link.dispose();
      }
    },
    async close() {
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}

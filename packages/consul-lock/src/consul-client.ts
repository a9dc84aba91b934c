import { type Dispatcher } from 'undici';
import { createAgentApi, type AgentApi } from './agent-api';
import { systemClock, type Clock } from './clock';
import {
  createConsulTransport,
  type ConsulTlsOptions,
  type TransportRequest,
  type TransportResponse,
} from './consul-transport';
import { ConsulLockError } from './errors';
import { createKvApi, type KvApi } from './kv-api';
import { createSessionApi, type SessionApi } from './session-api';
import { createStatusApi, type StatusApi } from './status-api';

export interface ConsulClientOptions {
  /** The local agent's HTTP(S) address. Default `http://127.0.0.1:8500` (Consul's `client_addr` and HTTP port). */
  baseUrl?: string;
  /** ACL token, sent as `X-Consul-Token` (§1.6). */
  token?: string;
  /** The undici dispatcher to send through. When omitted the client creates (and `close()` closes) an `Agent`. */
  dispatcher?: Dispatcher;
  /** HTTPS settings for the dispatcher the client creates. Give either `tls` or `dispatcher`, not both. */
  tls?: ConsulTlsOptions;
  /** Per-request timeout for non-blocking calls, ms. Default 10 000 (above Consul's 7 s `rpc_hold_timeout`, §7.3). */
  requestTimeoutMs?: number;
  /** Time source for timeouts. Default: the monotonic system clock. */
  clock?: Clock;
}

export interface ConsulClient {
  readonly baseUrl: string;
  readonly clock: Clock;
  readonly requestTimeoutMs: number;
  readonly kv: KvApi;
  readonly session: SessionApi;
  readonly agent: AgentApi;
  readonly status: StatusApi;
  /** A raw call, for endpoints this client does not wrap. Non-2xx answers throw typed errors. */
  request(req: TransportRequest): Promise<TransportResponse>;
  /** Closes the dispatcher if the client created it. */
  close(): Promise<void>;
}

export const CONSUL_CLIENT_DEFAULTS = {
  baseUrl: 'http://127.0.0.1:8500',
  requestTimeoutMs: 10_000,
} as const;

/** Creates the Consul HTTP client (issue 5): undici underneath, typed errors on top. */
export function createConsulClient(options: ConsulClientOptions = {}): ConsulClient {
  const baseUrl = options.baseUrl ?? CONSUL_CLIENT_DEFAULTS.baseUrl;
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch (err) {
    throw new ConsulLockError(
      'INVALID_OPTION',
      `baseUrl must be an absolute http(s) URL (got ${JSON.stringify(baseUrl)})`,
      {
        cause: err,
      },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConsulLockError('INVALID_OPTION', `baseUrl must use http: or https: (got ${url.protocol})`);
  }
  const requestTimeoutMs = options.requestTimeoutMs ?? CONSUL_CLIENT_DEFAULTS.requestTimeoutMs;
  if (!Number.isFinite(requestTimeoutMs) || requestTimeoutMs <= 0) {
    throw new ConsulLockError(
      'INVALID_OPTION',
      `requestTimeoutMs must be a positive number of ms (got ${requestTimeoutMs})`,
    );
  }
  if (options.dispatcher != null && options.tls != null) {
    throw new ConsulLockError(
      'INVALID_OPTION',
      'give either dispatcher or tls, not both: configure TLS on the dispatcher you pass',
    );
  }
  const clock = options.clock ?? systemClock;
  const transport = createConsulTransport({
    baseUrl,
    token: options.token,
    dispatcher: options.dispatcher,
    tls: options.tls,
    requestTimeoutMs,
    clock,
  });
  return {
    baseUrl: transport.baseUrl,
    clock,
    requestTimeoutMs,
    kv: createKvApi(transport),
    session: createSessionApi(transport),
    agent: createAgentApi(transport),
    status: createStatusApi(transport),
    request: (req) => transport.send(req),
    close: () => transport.close(),
  };
}

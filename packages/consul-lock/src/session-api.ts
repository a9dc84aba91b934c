import { type ConsulTransport, type QueryMeta } from './consul-transport';
import { ConsulLockError } from './errors';
import { formatGoDuration, parseGoDurationMs } from './go-duration';
import { type Consistency } from './kv-api';

export type SessionBehavior = 'release' | 'delete';

export interface SessionCreateRequest {
  name?: string | undefined;
  /** Defaults to the agent's node (§2.2). */
  node?: string | undefined;
  /** 0 means no TTL. Consul accepts 10 s – 24 h by default (`session_ttl_min`, §2.2 step 5). */
  ttlMs?: number | undefined;
  /** 0 disables lock-delay; Consul caps it at 60 s (§2.8). Always sent, so Consul's 15 s default never applies by accident. */
  lockDelayMs?: number | undefined;
  behavior?: SessionBehavior | undefined;
  /** Node-level checks, typically `['serfHealth']`. Sent explicitly so only these apply (§2.2 check-list fix-up). */
  nodeChecks?: readonly string[] | undefined;
  /** Service-level check ids (e.g. the agent's HTTP check). */
  serviceChecks?: readonly string[] | undefined;
}

/** A session as `info`/`renew` report it (§2.1). */
export interface SessionInfo {
  id: string;
  name: string;
  node: string;
  /** `LockDelay` converted from nanoseconds. */
  lockDelayMs: number;
  behavior: string;
  /** `TTL` as reported, e.g. `"10s"`; `""` means none. */
  ttl: string;
  /** `TTL` in ms; 0 when none or unparseable. */
  ttlMs: number;
  nodeChecks: string[];
  serviceChecks: string[];
  createIndex: number;
}

export interface SessionCallOptions {
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

export interface SessionApi {
  create(request: SessionCreateRequest, options?: SessionCallOptions): Promise<string>;
  /** Idempotent: destroying a missing session succeeds (§2.3). */
  destroy(id: string, options?: SessionCallOptions): Promise<void>;
  /** `undefined` when the session no longer exists (404, §2.5). */
  renew(id: string, options?: SessionCallOptions): Promise<SessionInfo | undefined>;
  /** `session` is `undefined` when the session does not exist (Consul answers `[]`, §2.4). */
  info(
    id: string,
    options?: SessionCallOptions & { consistency?: Consistency },
  ): Promise<{ session: SessionInfo | undefined; meta: QueryMeta }>;
  /** Every session that belongs to `node` (`GET /v1/session/node/:node`, §2.4); `[]` when none. */
  node(
    node: string,
    options?: SessionCallOptions & { consistency?: Consistency },
  ): Promise<{ sessions: SessionInfo[]; meta: QueryMeta }>;
}

interface WireSession {
  ID?: unknown;
  Name?: unknown;
  Node?: unknown;
  LockDelay?: unknown;
  Behavior?: unknown;
  TTL?: unknown;
  NodeChecks?: unknown;
  ServiceChecks?: unknown;
  Checks?: unknown;
  CreateIndex?: unknown;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function parseSessionInfo(raw: WireSession): SessionInfo {
  if (raw == null || typeof raw.ID !== 'string') {
    throw new ConsulLockError('CONSUL_PROTOCOL', 'session object has no ID');
  }
  const ttl = typeof raw.TTL === 'string' ? raw.TTL : '';
  const serviceChecks = Array.isArray(raw.ServiceChecks)
    ? raw.ServiceChecks.map((c: { ID?: unknown }) => (typeof c?.ID === 'string' ? c.ID : '')).filter(
        (c) => c !== '',
      )
    : [];
  return {
    id: raw.ID,
    name: typeof raw.Name === 'string' ? raw.Name : '',
    node: typeof raw.Node === 'string' ? raw.Node : '',
    lockDelayMs: typeof raw.LockDelay === 'number' ? raw.LockDelay / 1e6 : 0,
    behavior: typeof raw.Behavior === 'string' ? raw.Behavior : 'release',
    ttl,
    ttlMs: parseGoDurationMs(ttl) ?? 0,
    // `Checks` is the deprecated spelling still sent by old servers (§2.1).
    nodeChecks: [...new Set([...strings(raw.NodeChecks), ...strings(raw.Checks)])],
    serviceChecks,
    createIndex: typeof raw.CreateIndex === 'number' ? raw.CreateIndex : 0,
  };
}

function parseSessionArray(text: string, what: string): SessionInfo[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConsulLockError('CONSUL_PROTOCOL', `${what} answered non-JSON`, { cause: err });
  }
  // `null` has been seen from old servers for empty lists; treat it as `[]` (§2.4).
  if (parsed == null) return [];
  if (!Array.isArray(parsed)) throw new ConsulLockError('CONSUL_PROTOCOL', `${what} answered a non-array`);
  return parsed.map((raw: WireSession) => parseSessionInfo(raw));
}

/** The create body (§2.2). */
export function sessionCreateBody(request: SessionCreateRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (request.name != null) body.Name = request.name;
  if (request.node != null) body.Node = request.node;
  if (request.behavior != null) body.Behavior = request.behavior;
  if (request.ttlMs != null) body.TTL = formatGoDuration(request.ttlMs);
  // Unlike the Go client (which omits 0 and so gets 15 s), 0 is sent as "0s" and disables lock-delay (§2.2).
  if (request.lockDelayMs != null) body.LockDelay = formatGoDuration(request.lockDelayMs);
  if (request.nodeChecks != null) {
    body.NodeChecks = [...request.nodeChecks];
    // §2.2 fix-up: only an explicit empty `Checks` turns the default serfHealth off.
    if (request.nodeChecks.length === 0) body.Checks = [];
  }
  if (request.serviceChecks != null && request.serviceChecks.length > 0) {
    body.ServiceChecks = request.serviceChecks.map((id) => ({ ID: id, Namespace: '' }));
  }
  return body;
}

function sessionPath(kind: 'destroy' | 'renew' | 'info', id: string): string {
  if (id === '') throw new ConsulLockError('INVALID_OPTION', 'session id must not be empty');
  return `/v1/session/${kind}/${encodeURIComponent(id)}`;
}

export function createSessionApi(transport: ConsulTransport): SessionApi {
  return {
    async create(request, options = {}) {
      const what = 'PUT /v1/session/create';
      const res = await transport.send({
        method: 'PUT',
        path: '/v1/session/create',
        body: sessionCreateBody(request),
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        what,
      });
      let parsed: unknown;
      try {
        parsed = JSON.parse(res.text);
      } catch (err) {
        throw new ConsulLockError('CONSUL_PROTOCOL', `${what} answered non-JSON`, { cause: err });
      }
      const id = (parsed as { ID?: unknown } | null)?.ID;
      if (typeof id !== 'string' || id === '')
        throw new ConsulLockError('CONSUL_PROTOCOL', `${what} answered no ID`);
      return id;
    },
    async destroy(id, options = {}) {
      await transport.send({
        method: 'PUT',
        path: sessionPath('destroy', id),
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        what: 'PUT /v1/session/destroy',
      });
    },
    async renew(id, options = {}) {
      const what = 'PUT /v1/session/renew';
      const res = await transport.send({
        method: 'PUT',
        path: sessionPath('renew', id),
        acceptStatuses: [404],
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        what,
      });
      if (res.status === 404) return undefined;
      return parseSessionArray(res.text, what)[0];
    },
    async info(id, options = {}) {
      const what = 'GET /v1/session/info';
      const res = await transport.send({
        method: 'GET',
        path: sessionPath('info', id),
        query: { consistent: options.consistency === 'consistent', stale: options.consistency === 'stale' },
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        what,
      });
      return { session: parseSessionArray(res.text, what)[0], meta: res.meta };
    },
    async node(node, options = {}) {
      if (node === '') throw new ConsulLockError('INVALID_OPTION', 'node name must not be empty');
      const what = 'GET /v1/session/node';
      const res = await transport.send({
        method: 'GET',
        path: `/v1/session/node/${encodeURIComponent(node)}`,
        query: { consistent: options.consistency === 'consistent', stale: options.consistency === 'stale' },
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        what,
      });
      return { sessions: parseSessionArray(res.text, what), meta: res.meta };
    },
  };
}

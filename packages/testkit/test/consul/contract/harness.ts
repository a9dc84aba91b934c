/**
 * Per-test plumbing for the contract rules: a raw HTTP client (no Consul client library, so every
 * status, header and byte is visible), unique names so tests can share a real agent, and cleanup of
 * what a test created.
 */
import { randomUUID } from 'node:crypto';
import type { ConsulTarget } from './driver';

// Rule tests read many JSON shapes; an explicit `any` default keeps them terse.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface Res {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  json<T = Json>(): T;
  /** `X-Consul-Index` as a number (NaN when absent). */
  readonly index: number;
}

export interface RequestOptions {
  body?: string | Buffer;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface Harness {
  readonly t: ConsulTarget;
  /** A unique key (or name) for this test: `contract-<id>/<name>`. */
  key(name: string): string;
  /** A unique plain name (services, checks): `<name>-<id>`. */
  name(name: string): string;
  req(method: string, path: string, opts?: RequestOptions): Promise<Res>;
  get(path: string, opts?: RequestOptions): Promise<Res>;
  put(path: string, body?: string | Buffer | object, opts?: RequestOptions): Promise<Res>;
  del(path: string, opts?: RequestOptions): Promise<Res>;
  /** Creates a session (body as given) and registers it for cleanup; returns its ID. */
  session(body?: object): Promise<string>;
  /** Registers a TTL check (node-level unless `serviceId`) and returns its id. */
  ttlCheck(name: string, opts?: { status?: string; serviceId?: string; ttl?: string }): Promise<string>;
  /** Registers a service and returns its id. */
  service(def: object): Promise<string>;
  /** A request that must still be pending: resolves to `settled?` after a short real delay. */
  settled(p: Promise<unknown>): Promise<boolean>;
  /** Retries `fn` until it does not throw (a real agent syncs registrations asynchronously). */
  eventually<T>(fn: () => Promise<T>, timeoutMs?: number): Promise<T>;
  cleanup(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function createHarness(t: ConsulTarget): Harness {
  const id = randomUUID().slice(0, 8);
  const sessions: string[] = [];
  const services: string[] = [];
  const checks: string[] = [];
  const aborts = new Set<AbortController>();

  const req = async (method: string, path: string, opts: RequestOptions = {}): Promise<Res> => {
    const ac = new AbortController();
    aborts.add(ac);
    const onAbort = (): void => ac.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (t.token != null && headers['X-Consul-Token'] == null) headers['X-Consul-Token'] = t.token;
      const res = await fetch(`${t.url}${path}`, {
        method,
        headers,
        signal: ac.signal,
        ...(opts.body == null ? {} : { body: opts.body }),
      });
      const text = await res.text();
      return {
        status: res.status,
        headers: res.headers,
        text,
        json: <T>() => JSON.parse(text) as T,
        index: Number(res.headers.get('x-consul-index') ?? NaN),
      };
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      aborts.delete(ac);
    }
  };

  const h: Harness = {
    t,
    key: (name) => `contract-${id}/${name}`,
    name: (name) => `${name}-${id}`,
    req,
    get: (path, opts) => req('GET', path, opts),
    put: (path, body, opts = {}) =>
      req('PUT', path, {
        ...opts,
        ...(body == null
          ? {}
          : { body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) }),
      }),
    del: (path, opts) => req('DELETE', path, opts),
    async session(body) {
      const res = await h.put('/v1/session/create', body);
      if (res.status !== 200) throw new Error(`session create: ${res.status} ${res.text}`);
      const sid = res.json<{ ID: string }>().ID;
      sessions.push(sid);
      return sid;
    },
    async ttlCheck(name, opts = {}) {
      const checkId = h.name(name);
      const res = await h.put('/v1/agent/check/register', {
        ID: checkId,
        Name: checkId,
        TTL: opts.ttl ?? '60s',
        ...(opts.status == null ? {} : { Status: opts.status }),
        ...(opts.serviceId == null ? {} : { ServiceID: opts.serviceId }),
      });
      if (res.status !== 200) throw new Error(`check register: ${res.status} ${res.text}`);
      checks.push(checkId);
      return checkId;
    },
    async service(def) {
      const res = await h.put('/v1/agent/service/register', def);
      if (res.status !== 200) throw new Error(`service register: ${res.status} ${res.text}`);
      const sid = (def as { ID?: string }).ID ?? (def as { Name: string }).Name;
      services.push(sid);
      return sid;
    },
    async settled(p) {
      let done = false;
      void p.then(
        () => (done = true),
        () => (done = true),
      );
      await sleep(60);
      return done;
    },
    async eventually(fn, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          return await fn();
        } catch (err) {
          if (Date.now() > deadline || t.fresh) throw err;
          await sleep(100);
        }
      }
    },
    async cleanup() {
      for (const ac of aborts) ac.abort();
      if (t.fresh) return;
      for (const s of sessions) await req('PUT', `/v1/session/destroy/${s}`).catch(() => {});
      for (const c of checks)
        await req('PUT', `/v1/agent/check/deregister/${encodeURIComponent(c)}`).catch(() => {});
      for (const s of services)
        await req('PUT', `/v1/agent/service/deregister/${encodeURIComponent(s)}`).catch(() => {});
      await req('DELETE', `/v1/kv/contract-${id}/?recurse`).catch(() => {});
    },
  };
  return h;
}

/** Reads a uint64 JSON field from raw text without going through a JavaScript number. */
export function rawUint(text: string, field: string): string | undefined {
  return new RegExp(`"${field}":(\\d+)`).exec(text)?.[1];
}

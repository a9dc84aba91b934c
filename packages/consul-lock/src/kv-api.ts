import { type ConsulTransport, type QueryMeta } from './consul-transport';
import { ConsulLockError } from './errors';

/** `LockFlagValue` of `api/lock.go` (§5.1): marks a key used as a lock. A uint64, so a bigint here. */
export const LOCK_FLAG_VALUE = 0x2ddccbc058a50c18n;

export type Consistency = 'default' | 'consistent' | 'stale';

/** One KV entry (§3.1). */
export interface KvEntry {
  key: string;
  /** Raw bytes, or `null` when the stored value is empty (§3.1, rule 20). */
  value: Uint8Array | null;
  /** Exact uint64 (rule 79): JSON numbers above 2^53 would lose precision, so this is a bigint. */
  flags: bigint;
  /** The holding session, `undefined` when unlocked (the field is omitted on the wire). */
  session: string | undefined;
  lockIndex: number;
  createIndex: number;
  modifyIndex: number;
}

export interface KvGetOptions {
  consistency?: Consistency;
  /** Blocking query: return when the key's index exceeds this (§4.1). Never send 0 (§4.3 rule 2). */
  index?: number | undefined;
  /** Blocking wait, ms (only with `index`). */
  waitMs?: number | undefined;
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

export interface KvGetResult {
  /** `undefined` when the key does not exist (404). */
  entry: KvEntry | undefined;
  meta: QueryMeta;
}

export interface KvWriteOptions {
  /** `?flags=`; when omitted Consul stores 0 (§3.3). */
  flags?: bigint | undefined;
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

export interface KvApi {
  get(key: string, options?: KvGetOptions): Promise<KvGetResult>;
  /** `PUT ?acquire=<session>` (§3.3): `true` when the session now holds the key. */
  acquire(
    key: string,
    session: string,
    value?: Uint8Array | string,
    options?: KvWriteOptions,
  ): Promise<boolean>;
  /** `PUT ?release=<session>` (§3.3): `true` when the session held the key and released it. */
  release(
    key: string,
    session: string,
    value?: Uint8Array | string,
    options?: KvWriteOptions,
  ): Promise<boolean>;
  /** Plain `PUT`, or `?cas=` when `cas` is given. */
  put(key: string, value: Uint8Array | string, options?: KvWriteOptions & { cas?: number }): Promise<boolean>;
  /** `DELETE`, optionally `?cas=`. */
  delete(key: string, options?: { cas?: number; timeoutMs?: number; signal?: AbortSignal }): Promise<boolean>;
}

/** Keys keep their `/` separators; every segment is percent-encoded. */
export function kvPath(key: string): string {
  if (key === '') throw new ConsulLockError('INVALID_OPTION', 'key must not be empty');
  return `/v1/kv/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** Blocking queries can legitimately take `wait + wait/16` (the server's jitter, §4.1). */
export function blockingTimeoutMs(waitMs: number, requestTimeoutMs: number): number {
  return waitMs + Math.ceil(waitMs / 16) + requestTimeoutMs;
}

/** Quotes `"Flags":<digits>` so JSON.parse keeps the uint64 exact (rule 79). */
function quoteFlags(text: string): string {
  return text.replace(/"Flags":\s*(\d+)/g, '"Flags":"$1"');
}

interface WireEntry {
  Key?: unknown;
  Value?: unknown;
  Flags?: unknown;
  Session?: unknown;
  LockIndex?: unknown;
  CreateIndex?: unknown;
  ModifyIndex?: unknown;
}

function toNumber(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new ConsulLockError('CONSUL_PROTOCOL', `KV entry field ${field} is not a number`);
}

/** Parses a `GET /v1/kv/<key>` body into entries. */
export function parseKvEntries(text: string): KvEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(quoteFlags(text));
  } catch (err) {
    throw new ConsulLockError('CONSUL_PROTOCOL', 'KV response is not JSON', { cause: err });
  }
  if (!Array.isArray(parsed)) throw new ConsulLockError('CONSUL_PROTOCOL', 'KV response is not an array');
  return parsed.map((raw: WireEntry) => {
    if (raw == null || typeof raw.Key !== 'string') {
      throw new ConsulLockError('CONSUL_PROTOCOL', 'KV entry has no Key');
    }
    const flags = typeof raw.Flags === 'string' || typeof raw.Flags === 'number' ? BigInt(raw.Flags) : 0n;
    return {
      key: raw.Key,
      value: typeof raw.Value === 'string' ? new Uint8Array(Buffer.from(raw.Value, 'base64')) : null,
      flags,
      session: typeof raw.Session === 'string' && raw.Session !== '' ? raw.Session : undefined,
      lockIndex: toNumber(raw.LockIndex ?? 0, 'LockIndex'),
      createIndex: toNumber(raw.CreateIndex ?? 0, 'CreateIndex'),
      modifyIndex: toNumber(raw.ModifyIndex ?? 0, 'ModifyIndex'),
    };
  });
}

function parseBool(text: string, what: string): boolean {
  // The Go client treats a response containing `true` as success (§3.3); do the same.
  const trimmed = text.trim();
  if (trimmed === 'true') return true;
  if (trimmed === 'false') return false;
  throw new ConsulLockError(
    'CONSUL_PROTOCOL',
    `${what} answered ${JSON.stringify(trimmed.slice(0, 100))}, not true/false`,
  );
}

export function createKvApi(transport: ConsulTransport): KvApi {
  const write = async (
    key: string,
    query: Record<string, string | number | undefined>,
    value: Uint8Array | string | undefined,
    options: KvWriteOptions,
    what: string,
  ): Promise<boolean> => {
    const res = await transport.send({
      method: 'PUT',
      path: kvPath(key),
      query: { ...query, flags: options.flags?.toString() },
      body: value ?? '',
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      what,
    });
    return parseBool(res.text, what);
  };

  return {
    async get(key, options = {}) {
      const blocking = options.index != null && options.index > 0;
      const waitMs = options.waitMs;
      const res = await transport.send({
        method: 'GET',
        path: kvPath(key),
        query: {
          consistent: options.consistency === 'consistent',
          stale: options.consistency === 'stale',
          index: blocking ? options.index : undefined,
          wait: blocking && waitMs != null ? `${Math.round(waitMs)}ms` : undefined,
        },
        acceptStatuses: [404],
        timeoutMs:
          options.timeoutMs ??
          (blocking ? blockingTimeoutMs(waitMs ?? 300_000, transport.requestTimeoutMs) : undefined),
        signal: options.signal,
        what: `GET ${kvPath(key)}`,
      });
      if (res.status === 404) return { entry: undefined, meta: res.meta };
      return { entry: parseKvEntries(res.text)[0], meta: res.meta };
    },
    acquire(key, session, value, options = {}) {
      return write(key, { acquire: session }, value, options, `PUT ${kvPath(key)}?acquire`);
    },
    release(key, session, value, options = {}) {
      return write(key, { release: session }, value, options, `PUT ${kvPath(key)}?release`);
    },
    put(key, value, options = {}) {
      return write(key, { cas: options.cas }, value, options, `PUT ${kvPath(key)}`);
    },
    async delete(key, options = {}) {
      const what = `DELETE ${kvPath(key)}`;
      const res = await transport.send({
        method: 'DELETE',
        path: kvPath(key),
        query: { cas: options.cas },
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        what,
      });
      return parseBool(res.text, what);
    },
  };
}

/**
 * An in-memory stand-in for the KV and session parts of the Consul client, driven by a virtual
 * clock, for unit tests of the session and election logic in virtual time. It implements just the
 * rules those tests lean on (§2.7 invalidation with lock-delay, §3.3 acquire/release, §4.2
 * blocking reads) and records every call with its virtual start and end time. Wire behaviour is
 * tested against the testkit emulator in test/*.integration.test.ts.
 */
import { type VirtualClock } from '@nat-ha/testkit';
import {
  ConsulLockError,
  type ConsulClient,
  type KvEntry,
  type KvGetOptions,
  type KvGetResult,
  type KvWriteOptions,
  type SessionCreateRequest,
  type SessionInfo,
} from '../src/index';

export type FakeMode =
  /** Normal service. */
  | 'ok'
  /** Every call hangs until its timeout or signal (a partition, or leader loss before rpc_hold_timeout). */
  | 'hang'
  /** Every call fails at once with 500 `No cluster leader`. */
  | 'no-leader';

interface FakeSession {
  id: string;
  lockDelayMs: number;
  ttlMs: number;
  behavior: string;
}

export interface FakeCall {
  op: string;
  key?: string;
  session?: string;
  start: number;
  end?: number;
  result?: unknown;
}

const meta = (index: number) => ({ index, knownLeader: true, lastContactMs: 0 });

export class FakeConsul {
  mode: FakeMode = 'ok';
  /** Per-session overrides: calls made with this session (acquire/renew/get by the holder) behave per this mode. */
  readonly calls: FakeCall[] = [];
  readonly sessions = new Map<string, FakeSession>();
  readonly entries = new Map<string, KvEntry>();
  readonly lockDelayUntil = new Map<string, number>();
  #index = 10;
  #nextSession = 1;
  #waiters = new Set<() => void>();
  readonly clock: VirtualClock;
  /** When set, `create` fails with this error (then clears it if `once`). */
  createError: { error: ConsulLockError; once: boolean } | undefined;
  renewError: ConsulLockError | undefined;

  constructor(clock: VirtualClock) {
    this.clock = clock;
  }

  #bump(): number {
    this.#index += 1;
    for (const wake of [...this.#waiters]) wake();
    return this.#index;
  }

  async #gate<T>(
    op: string,
    extra: Partial<FakeCall>,
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
    run: () => T | Promise<T>,
  ): Promise<T> {
    const call: FakeCall = { op, start: this.clock.now(), ...extra };
    this.calls.push(call);
    try {
      if (signal?.aborted === true) throw new ConsulLockError('ABORTED', 'aborted');
      if (this.mode === 'no-leader') {
        throw new ConsulLockError('CONSUL_NO_LEADER', `${op} failed with HTTP 500: No cluster leader`, {
          retryable: true,
          status: 500,
        });
      }
      if (this.mode === 'hang') {
        try {
          await this.clock.sleep(timeoutMs ?? 10_000, signal);
        } catch {
          throw new ConsulLockError('ABORTED', 'aborted');
        }
        throw new ConsulLockError('CONSUL_TIMEOUT', `${op} timed out`, { retryable: true });
      }
      const result = await run();
      call.result = result;
      return result;
    } finally {
      call.end = this.clock.now();
    }
  }

  /** Destroys a session as Consul does on a critical check, TTL expiry or explicit destroy (§2.7). */
  invalidate(id: string): void {
    const session = this.sessions.get(id);
    if (session == null) return;
    this.sessions.delete(id);
    const index = this.#index + 1;
    for (const [key, entry] of this.entries) {
      if (entry.session !== id) continue;
      if (session.behavior === 'delete') this.entries.delete(key);
      else this.entries.set(key, { ...entry, session: undefined, modifyIndex: index });
      if (session.lockDelayMs > 0)
        this.lockDelayUntil.set(key, this.clock.now() + Math.min(session.lockDelayMs, 60_000));
    }
    this.#bump();
  }

  holder(key: string): string | undefined {
    return this.entries.get(key)?.session;
  }

  readonly kv: ConsulClient['kv'] = {
    get: (key: string, options: KvGetOptions = {}): Promise<KvGetResult> =>
      this.#gate(
        'kv.get' + (options.consistency === 'consistent' ? '?consistent' : ''),
        { key },
        options.timeoutMs,
        options.signal,
        async () => {
          const index = options.index;
          if (index != null && index > 0) {
            const deadline = this.clock.now() + (options.waitMs ?? 300_000);
            while (
              (this.entries.get(key)?.modifyIndex ?? this.#index) <= index &&
              this.clock.now() < deadline
            ) {
              const woken = new AbortController();
              const wake = (): void => woken.abort();
              this.#waiters.add(wake);
              const onAbort = (): void => woken.abort();
              options.signal?.addEventListener('abort', onAbort, { once: true });
              try {
                await this.clock.sleep(deadline - this.clock.now(), woken.signal).catch(() => undefined);
              } finally {
                this.#waiters.delete(wake);
                options.signal?.removeEventListener('abort', onAbort);
              }
              if (options.signal?.aborted === true) throw new ConsulLockError('ABORTED', 'aborted');
              if (this.mode !== 'ok') {
                // The connection is gone mid-wait: wait out the timeout like a real hung request.
                await this.clock.sleep(options.timeoutMs ?? 10_000, options.signal).catch(() => undefined);
                throw new ConsulLockError('CONSUL_TIMEOUT', 'kv.get timed out', { retryable: true });
              }
            }
          }
          const entry = this.entries.get(key);
          return {
            entry: entry == null ? undefined : { ...entry },
            meta: meta(entry?.modifyIndex ?? this.#index),
          };
        },
      ),
    acquire: (key: string, session: string, value?: Uint8Array | string, options: KvWriteOptions = {}) =>
      this.#gate('kv.acquire', { key, session }, options.timeoutMs, options.signal, () => {
        if ((this.lockDelayUntil.get(key) ?? -Infinity) > this.clock.now()) return false;
        if (!this.sessions.has(session)) {
          throw new ConsulLockError('CONSUL_INVALID_SESSION', `invalid session "${session}"`, {
            status: 500,
          });
        }
        const entry = this.entries.get(key);
        if (entry?.session != null && entry.session !== session) return false;
        const bytes =
          typeof value === 'string' ? new TextEncoder().encode(value) : (value ?? new Uint8Array());
        if (entry?.session === session) return true;
        const index = this.#index + 1;
        this.entries.set(key, {
          key,
          value: bytes.length === 0 ? null : bytes,
          flags: options.flags ?? 0n,
          session,
          lockIndex: (entry?.lockIndex ?? 0) + 1,
          createIndex: entry?.createIndex ?? index,
          modifyIndex: index,
        });
        this.#bump();
        return true;
      }),
    release: (key: string, session: string, _value?: Uint8Array | string, options: KvWriteOptions = {}) =>
      this.#gate('kv.release', { key, session }, options.timeoutMs, options.signal, () => {
        const entry = this.entries.get(key);
        if (entry?.session !== session) return false;
        this.entries.set(key, { ...entry, session: undefined, modifyIndex: this.#index + 1 });
        this.#bump();
        return true;
      }),
    put: (key: string, value: Uint8Array | string, options: KvWriteOptions = {}) =>
      this.#gate('kv.put', { key }, options.timeoutMs, options.signal, () => {
        const entry = this.entries.get(key);
        const index = this.#index + 1;
        const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
        this.entries.set(key, {
          key,
          value: bytes.length === 0 ? null : bytes,
          flags: options.flags ?? 0n,
          session: entry?.session,
          lockIndex: 0,
          createIndex: entry?.createIndex ?? index,
          modifyIndex: index,
        });
        this.#bump();
        return true;
      }),
    delete: (key: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}) =>
      this.#gate('kv.delete', { key }, options.timeoutMs, options.signal, () => {
        this.entries.delete(key);
        this.#bump();
        return true;
      }),
  };

  readonly session: ConsulClient['session'] = {
    create: (request: SessionCreateRequest, options = {}) =>
      this.#gate('session.create', {}, options.timeoutMs, options.signal, () => {
        if (this.createError != null) {
          const { error, once } = this.createError;
          if (once) this.createError = undefined;
          throw error;
        }
        const id = `s${this.#nextSession++}`;
        this.sessions.set(id, {
          id,
          lockDelayMs: request.lockDelayMs ?? 15_000,
          ttlMs: request.ttlMs ?? 0,
          behavior: request.behavior ?? 'release',
        });
        this.#bump();
        return id;
      }),
    destroy: (id: string, options = {}) =>
      this.#gate('session.destroy', { session: id }, options.timeoutMs, options.signal, () => {
        this.invalidate(id);
      }),
    renew: (id: string, options = {}) =>
      this.#gate('session.renew', { session: id }, options.timeoutMs, options.signal, () => {
        if (this.renewError != null) throw this.renewError;
        const s = this.sessions.get(id);
        return s == null ? undefined : this.#info(s);
      }),
    info: (id: string, options = {}) =>
      this.#gate('session.info', { session: id }, options.timeoutMs, options.signal, () => {
        const s = this.sessions.get(id);
        return { session: s == null ? undefined : this.#info(s), meta: meta(this.#index) };
      }),
    // Every fake session lives on 'node1' (see #info).
    node: (node: string, options = {}) =>
      this.#gate('session.node', { key: node }, options.timeoutMs, options.signal, () => ({
        sessions: node === 'node1' ? [...this.sessions.values()].map((s) => this.#info(s)) : [],
        meta: meta(this.#index),
      })),
  };

  #info(s: FakeSession): SessionInfo {
    return {
      id: s.id,
      name: 'fake',
      node: 'node1',
      lockDelayMs: s.lockDelayMs,
      behavior: s.behavior,
      ttl: s.ttlMs === 0 ? '' : `${s.ttlMs}ms`,
      ttlMs: s.ttlMs,
      nodeChecks: ['serfHealth'],
      serviceChecks: [],
      createIndex: 1,
    };
  }
}

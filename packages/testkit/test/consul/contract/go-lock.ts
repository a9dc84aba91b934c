/**
 * A line-by-line port of the Go client's `api/lock.go` `Lock()` / `Unlock()` (spec §5.3–§5.6), so
 * that rules 79 and 80 exercise the emulator with the exact request sequence the most widely used
 * Consul client sends. Only what those rules need is ported: no `LockTryOnce`, no semaphores.
 */
import type { Harness } from './harness';
import { rawUint } from './harness';

export const LOCK_FLAG_VALUE = '3304740253564472344';
export const DEFAULT_LOCK_WAIT_MS = 15_000;
export const DEFAULT_LOCK_RETRY_MS = 5_000;

export class ErrLockConflict extends Error {
  constructor() {
    super('Existing key does not match lock use');
  }
}
export class ErrLockHeld extends Error {
  constructor() {
    super('Lock already held');
  }
}
export class ErrLockNotHeld extends Error {
  constructor() {
    super('Lock not held');
  }
}

export interface GoLockOptions {
  key: string;
  value?: string;
  /** Body of the session the lock creates (`SessionOpts`). */
  sessionOpts: { TTL?: string } & Record<string, unknown>;
  /** Waits on the backend's clock between session renewals (`RenewPeriodic`). */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /**
   * Lets `DefaultLockRetryTime` pass after a refused acquire. On a virtual clock this must move
   * time itself: nothing else would.
   */
  retryWait: (ms: number) => Promise<void>;
}

export interface GoLock {
  /** Resolves with the "leader channel" (aborted when the lock is lost), or `null` when stopped. */
  lock(stop: AbortSignal): Promise<AbortSignal | null>;
  unlock(): Promise<void>;
}

interface Pair {
  Flags: string;
  Session: string;
  index: string;
}

export function createGoLock(h: Harness, opts: GoLockOptions): GoLock {
  let held = false;
  let session = '';
  let renewStop: AbortController | undefined;
  let monitorStop: AbortController | undefined;
  const value = opts.value ?? '';

  const read = async (query: string, signal?: AbortSignal): Promise<Pair | undefined> => {
    const res = await h.get(`/v1/kv/${opts.key}${query}`, signal == null ? {} : { signal });
    if (res.status === 404) return undefined;
    if (res.status !== 200)
      throw new Error(`failed to read lock: Unexpected response code: ${res.status} (${res.text})`);
    const [entry] = res.json<{ Session?: string }[]>();
    return {
      Flags: rawUint(res.text, 'Flags') ?? '0',
      Session: entry?.Session ?? '',
      index: String(res.index),
    };
  };

  /** `Session.RenewPeriodic`: renew every TTL/2 until stopped, then destroy. */
  const renewPeriodic = async (id: string, ttlMs: number, stop: AbortSignal): Promise<void> => {
    try {
      for (;;) {
        await opts.sleep(ttlMs / 2, stop);
        const res = await h.put(`/v1/session/renew/${id}`);
        if (res.status === 404) return; // ErrSessionExpired
      }
    } catch {
      // stopped
    } finally {
      await h.put(`/v1/session/destroy/${id}`).catch(() => {});
    }
  };

  /** `monitorLock` with MonitorRetries = 0: any change away from our session closes leaderCh. */
  const monitor = async (id: string, leader: AbortController, stop: AbortSignal): Promise<void> => {
    let idx = '0';
    try {
      for (;;) {
        const pair = await read(idx === '0' ? '?consistent' : `?consistent&index=${idx}`, stop);
        if (pair != null && pair.Session === id) {
          idx = pair.index;
          continue;
        }
        break;
      }
    } catch {
      // an error without retries loses the lock
    }
    leader.abort();
  };

  return {
    async lock(stop) {
      if (held) throw new ErrLockHeld();
      const created = await h.put('/v1/session/create', opts.sessionOpts);
      if (created.status !== 200) throw new Error(`failed to create session: ${created.text}`);
      session = created.json<{ ID: string }>().ID;
      renewStop = new AbortController();
      const ttl = opts.sessionOpts.TTL;
      if (ttl != null && ttl !== '')
        void renewPeriodic(session, Number.parseFloat(ttl) * 1000, renewStop.signal);
      let index = '0';
      let ok = false;
      try {
        for (;;) {
          if (stop.aborted) return null;
          const query =
            index === '0'
              ? `?wait=${DEFAULT_LOCK_WAIT_MS}ms`
              : `?wait=${DEFAULT_LOCK_WAIT_MS}ms&index=${index}`;
          const pair = await read(query, stop);
          if (pair != null && pair.Flags !== LOCK_FLAG_VALUE) throw new ErrLockConflict();
          let locked = false;
          if (pair != null && pair.Session === session)
            locked = true; // reclaim, no PUT
          else if (pair != null && pair.Session !== '') {
            index = pair.index;
            continue;
          }
          if (!locked) {
            const res = await h.put(`/v1/kv/${opts.key}?acquire=${session}&flags=${LOCK_FLAG_VALUE}`, value);
            if (res.status !== 200)
              throw new Error(
                `failed to acquire lock: Unexpected response code: ${res.status} (${res.text})`,
              );
            locked = res.text.includes('true');
            if (!locked) {
              // PR #1008: learn why, telling contention from lock-delay.
              const why = await read('');
              if (why != null && why.Session !== '') {
                index = why.index;
                continue;
              }
              if (stop.aborted) return null;
              await opts.retryWait(DEFAULT_LOCK_RETRY_MS);
              continue;
            }
          }
          held = true;
          ok = true;
          const leader = new AbortController();
          monitorStop = new AbortController();
          void monitor(session, leader, monitorStop.signal);
          return leader.signal;
        }
      } finally {
        if (!ok) renewStop.abort();
      }
    },
    async unlock() {
      if (!held) throw new ErrLockNotHeld();
      held = false;
      await h.put(`/v1/kv/${opts.key}?flags=${LOCK_FLAG_VALUE}&release=${session}`, value);
      monitorStop?.abort();
      renewStop?.abort();
    },
  };
}

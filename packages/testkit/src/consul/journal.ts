/**
 * The emulator's journal: one entry per state change, in the order the changes were applied, each
 * stamped with the raft-like index it was applied at and the emulator clock's time. It exists so that
 * tests can prove who held a lock when (`lockHolders`), and that a lock moved only after a check
 * failure plus lock-delay (spec §2.7–§2.9).
 *
 * Besides state changes it records fault injections (`node-killed`, `leader-lost`, …) and acquire
 * attempts refused by lock-delay (`kv-acquire-rejected`): neither consumes an index (a lock-delay
 * refusal never reaches raft, spec §2.8), so they carry the index current at the time.
 */

export type ConsulCheckStatus = 'passing' | 'warning' | 'critical';

/** Why a session was destroyed. */
export type SessionDestroyReason =
  /** `PUT /v1/session/destroy/:id` */
  | 'explicit'
  /** 2×TTL passed without a renew (spec §2.6) */
  | 'ttl'
  /** A check the session lists went critical (spec §2.9) */
  | 'check-critical'
  /** A check the session lists was deregistered, directly or with its service (rule 54) */
  | 'check-deregistered'
  /** The session's node left the catalog (graceful leave, spec §6.8) */
  | 'node-deregistered'
  /** Gossip declared the node failed and the leader set its `serfHealth` critical (spec §8.6) */
  | 'node-failed';

export type ConsulJournalOp =
  | 'kv-set'
  | 'kv-cas'
  | 'kv-acquire'
  | 'kv-release'
  | 'kv-delete'
  | 'kv-delete-cas'
  | 'kv-delete-tree'
  | 'kv-acquire-rejected'
  | 'session-create'
  | 'session-renew'
  | 'session-destroy'
  | 'lock-released-by-invalidation'
  | 'key-deleted-by-invalidation'
  | 'node-register'
  | 'node-deregister'
  | 'service-register'
  | 'service-deregister'
  | 'check-register'
  | 'check-deregister'
  | 'check-status'
  | 'node-killed'
  | 'node-revived'
  | 'node-partitioned'
  | 'node-healed'
  | 'node-left'
  | 'node-failed'
  | 'node-alive'
  | 'leader-lost'
  | 'leader-restored';

export interface ConsulJournalEntry {
  /** The raft-like index the change was applied at (the current index for non-raft events). */
  readonly index: number;
  /** Emulator clock time, ms since the epoch. */
  readonly time: number;
  readonly op: ConsulJournalOp;
  /** The node the change concerns: the session's node for KV and session changes. */
  readonly node?: string;
  /** The agent endpoint (node name) whose HTTP request caused the change, when one did. */
  readonly via?: string;
  readonly session?: string;
  readonly key?: string;
  readonly checkId?: string;
  readonly serviceId?: string;
  readonly status?: ConsulCheckStatus;
  readonly previousStatus?: ConsulCheckStatus;
  readonly output?: string;
  readonly reason?: SessionDestroyReason | 'lock-delay';
  /** `LockIndex` of the key after the change (acquire, release, invalidation). */
  readonly lockIndex?: number;
  /** Clock time until which `?acquire` of `key` is refused (spec §2.8), when lock-delay was set. */
  readonly lockDelayUntil?: number;
  /** Keys affected by a recursive delete, or any other short detail. */
  readonly detail?: string;
}

/** Mutable list behind the emulator's `journal()`; entries are frozen once appended. */
export class Journal {
  private readonly entries: ConsulJournalEntry[] = [];

  append(entry: ConsulJournalEntry): void {
    this.entries.push(Object.freeze({ ...entry }));
  }

  all(): readonly ConsulJournalEntry[] {
    return this.entries.slice();
  }

  /** Entries with `index > afterIndex` (for incremental reads over HTTP). */
  since(afterIndex: number): readonly ConsulJournalEntry[] {
    return this.entries.filter((e) => e.index > afterIndex);
  }

  get length(): number {
    return this.entries.length;
  }
}

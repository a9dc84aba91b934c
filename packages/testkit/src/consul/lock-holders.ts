import type { ConsulJournalEntry } from './journal';

/** One continuous period during which `session` held a key's lock. */
export interface LockHolderInterval {
  readonly session: string;
  /** The session's node. */
  readonly node: string;
  /** Clock time of the acquire that started the period. */
  readonly from: number;
  /** Clock time the lock ended (release, delete, invalidation); absent while still held. */
  readonly to?: number;
  /** `LockIndex` the acquire produced: with key and session it is the lock's sequencer. */
  readonly lockIndex: number;
  readonly fromIndex: number;
  readonly toIndex?: number;
  /** The journal op that ended the period. */
  readonly endedBy?: ConsulJournalEntry['op'];
}

function coversKey(entry: ConsulJournalEntry, key: string): boolean {
  if (entry.op === 'kv-delete-tree') return key.startsWith(entry.key ?? '');
  return entry.key === key;
}

const ENDING_OPS = new Set<ConsulJournalEntry['op']>([
  'kv-release',
  'kv-delete',
  'kv-delete-cas',
  'kv-delete-tree',
  'lock-released-by-invalidation',
  'key-deleted-by-invalidation',
]);

/**
 * Reconstructs who held `key` when, from the journal. A re-acquire by the holder continues its
 * period; a plain PUT keeps the holder (spec §3.3: the session is preserved), so it does not end one.
 * Intervals are returned in order; two intervals overlapping in index would be a split brain.
 */
export function lockHolders(journal: readonly ConsulJournalEntry[], key: string): LockHolderInterval[] {
  const out: LockHolderInterval[] = [];
  let open: LockHolderInterval | undefined;
  for (const entry of journal) {
    if (!coversKey(entry, key)) continue;
    if (entry.op === 'kv-acquire' && entry.session != null) {
      if (open?.session === entry.session) continue;
      if (open != null) {
        // Cannot happen with a faithful store; close it so the overlap is visible to the caller.
        out.push(open);
      }
      open = {
        session: entry.session,
        node: entry.node ?? '',
        from: entry.time,
        lockIndex: entry.lockIndex ?? 0,
        fromIndex: entry.index,
      };
      continue;
    }
    if (open != null && ENDING_OPS.has(entry.op)) {
      if (entry.op === 'kv-release' && entry.session !== open.session) continue;
      out.push({ ...open, to: entry.time, toIndex: entry.index, endedBy: entry.op });
      open = undefined;
    }
  }
  if (open != null) out.push(open);
  return out;
}

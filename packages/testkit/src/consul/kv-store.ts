/**
 * KV operations on the replicated state, following Consul's `state/kvs.go` (spec §3.3–§3.5):
 * set keeps the holder's session but resets `LockIndex` to 0 (note A), an identical write changes
 * nothing (R1), acquire/release manage `LockIndex` as the sequencer (R4), deletes leave tombstones so
 * list indexes never slide back (R5), and a recursive delete leaves one tombstone at its prefix.
 */
import { FsmError } from './http-errors';
import { goQuote } from './go-url';
import type { ConsulState, KvEntry, Txn } from './state';

export type KvOp =
  | { op: 'set'; key: string; value: Buffer | null; flags: bigint }
  | { op: 'cas'; key: string; value: Buffer | null; flags: bigint; cas: bigint }
  | { op: 'lock'; key: string; value: Buffer | null; flags: bigint; session: string }
  | { op: 'unlock'; key: string; value: Buffer | null; flags: bigint; session: string }
  | { op: 'delete'; key: string }
  | { op: 'delete-cas'; key: string; cas: bigint }
  | { op: 'delete-tree'; key: string };

/** `DirEntry.Equal`: LockIndex, Key, Flags, Value and Session. */
function sameEntry(a: KvEntry, b: Omit<KvEntry, 'createIndex' | 'modifyIndex'>): boolean {
  const va = a.value ?? Buffer.alloc(0);
  const vb = b.value ?? Buffer.alloc(0);
  return (
    a.lockIndex === b.lockIndex &&
    a.key === b.key &&
    a.flags === b.flags &&
    a.session === b.session &&
    // Go's bytes.Equal treats nil and empty alike.
    va.equals(vb)
  );
}

/** `kvsSetTxn`. Returns the stored entry, or `undefined` when nothing changed (R1). */
function setTxn(
  tx: Txn,
  draft: Omit<KvEntry, 'createIndex' | 'modifyIndex'>,
  updateSession: boolean,
): KvEntry | undefined {
  const existing = tx.state.kv.get(draft.key);
  const entry: Omit<KvEntry, 'createIndex' | 'modifyIndex'> = {
    ...draft,
    session: updateSession ? draft.session : (existing?.session ?? ''),
  };
  if (existing != null && sameEntry(existing, entry)) return undefined;
  const stored: KvEntry = { ...entry, createIndex: existing?.createIndex ?? tx.index, modifyIndex: tx.index };
  tx.state.kv.set(stored.key, stored);
  tx.touch('kvs', { kind: 'kv', key: stored.key });
  return stored;
}

function deleteTxn(tx: Txn, key: string): boolean {
  if (!tx.state.kv.has(key)) return false;
  tx.state.kv.delete(key);
  tx.state.tombstones.set(key, tx.index);
  tx.touch('tombstones');
  tx.touch('kvs', { kind: 'kv', key });
  return true;
}

function sessionNode(tx: Txn, session: string): string | undefined {
  return tx.state.sessions.get(session)?.node;
}

/** Applies a KV operation inside a raft entry; `via` is the agent whose request carried it. */
export function applyKvOp(tx: Txn, op: KvOp, via?: string): boolean {
  const { state } = tx;
  switch (op.op) {
    case 'set': {
      const stored = setTxn(
        tx,
        { key: op.key, value: op.value, flags: op.flags, session: '', lockIndex: 0 },
        false,
      );
      if (stored != null) {
        tx.journal({
          op: 'kv-set',
          key: op.key,
          ...(stored.session === ''
            ? {}
            : { session: stored.session, node: sessionNode(tx, stored.session) }),
          lockIndex: stored.lockIndex,
          ...(via == null ? {} : { via }),
        });
      }
      return true;
    }
    case 'cas': {
      const existing = state.kv.get(op.key);
      if (op.cas === 0n && existing != null) return false;
      if (op.cas !== 0n && existing == null) return false;
      if (existing != null && op.cas !== 0n && op.cas !== BigInt(existing.modifyIndex)) return false;
      const stored = setTxn(
        tx,
        { key: op.key, value: op.value, flags: op.flags, session: '', lockIndex: 0 },
        false,
      );
      if (stored != null) {
        tx.journal({
          op: 'kv-cas',
          key: op.key,
          ...(stored.session === ''
            ? {}
            : { session: stored.session, node: sessionNode(tx, stored.session) }),
          lockIndex: stored.lockIndex,
          ...(via == null ? {} : { via }),
        });
      }
      return true;
    }
    case 'lock': {
      if (op.session === '') throw new FsmError('missing session');
      const session = state.sessions.get(op.session);
      if (session == null) throw new FsmError(`invalid session ${goQuote(op.session)}`);
      const existing = state.kv.get(op.key);
      let lockIndex = 1;
      if (existing != null) {
        if (existing.session === op.session) lockIndex = existing.lockIndex;
        else if (existing.session !== '') return false;
        else lockIndex = existing.lockIndex + 1;
      }
      const stored = setTxn(
        tx,
        { key: op.key, value: op.value, flags: op.flags, session: op.session, lockIndex },
        true,
      );
      if (stored != null) {
        tx.journal({
          op: 'kv-acquire',
          key: op.key,
          session: op.session,
          node: session.node,
          lockIndex,
          ...(via == null ? {} : { via }),
        });
      }
      return true;
    }
    case 'unlock': {
      if (op.session === '') throw new FsmError('missing session');
      const existing = state.kv.get(op.key);
      if (existing == null || existing.session !== op.session) return false;
      setTxn(
        tx,
        { key: op.key, value: op.value, flags: op.flags, session: '', lockIndex: existing.lockIndex },
        true,
      );
      tx.journal({
        op: 'kv-release',
        key: op.key,
        session: op.session,
        ...(sessionNode(tx, op.session) == null ? {} : { node: sessionNode(tx, op.session) }),
        lockIndex: existing.lockIndex,
        ...(via == null ? {} : { via }),
      });
      return true;
    }
    case 'delete': {
      const held = state.kv.get(op.key)?.session;
      if (deleteTxn(tx, op.key)) {
        tx.journal({
          op: 'kv-delete',
          key: op.key,
          ...(held == null || held === '' ? {} : { session: held }),
          ...(via == null ? {} : { via }),
        });
      }
      return true;
    }
    case 'delete-cas': {
      const existing = state.kv.get(op.key);
      if (existing == null) return true; // "return entry == nil" (spec §3.4)
      if (BigInt(existing.modifyIndex) !== op.cas) return false;
      deleteTxn(tx, op.key);
      tx.journal({
        op: 'kv-delete-cas',
        key: op.key,
        ...(existing.session === '' ? {} : { session: existing.session }),
        ...(via == null ? {} : { via }),
      });
      return true;
    }
    case 'delete-tree': {
      const doomed = [...state.kv.keys()].filter((k) => k.startsWith(op.key));
      if (doomed.length === 0) return true;
      for (const k of doomed) {
        state.kv.delete(k);
        tx.touch('kvs', { kind: 'kv', key: k });
      }
      // One tombstone for the whole prefix; none when the whole store is deleted.
      if (op.key !== '') {
        state.tombstones.set(op.key, tx.index);
        tx.touch('tombstones');
      }
      tx.journal({
        op: 'kv-delete-tree',
        key: op.key,
        detail: doomed.join(','),
        ...(via == null ? {} : { via }),
      });
      return true;
    }
  }
}

/** `KVS.Get`: the entry and the index to report (its ModifyIndex, else the kvs/tombstones table index). */
export function kvGet(state: ConsulState, key: string): { index: number; entry: KvEntry | undefined } {
  const entry = state.kv.get(key);
  if (entry != null) return { index: entry.modifyIndex, entry };
  return { index: state.tableIndex('kvs', 'tombstones'), entry: undefined };
}

function graveyardMax(state: ConsulState, prefix: string): number {
  let max = 0;
  for (const [k, idx] of state.tombstones) if (k.startsWith(prefix) && idx > max) max = idx;
  return max;
}

function sortedUnder(state: ConsulState, prefix: string): KvEntry[] {
  const out: KvEntry[] = [];
  for (const e of state.kv.values()) if (e.key.startsWith(prefix)) out.push(e);
  // memdb iterates its radix tree in byte order.
  return out.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
}

/** `kvsListTxn`: entries under the prefix, and the prefix's index (entries and tombstones). */
export function kvList(state: ConsulState, prefix: string): { index: number; entries: KvEntry[] } {
  const tableIdx = state.tableIndex('kvs', 'tombstones');
  const entries = sortedUnder(state, prefix);
  let lindex = 0;
  for (const e of entries) lindex = Math.max(lindex, e.modifyIndex);
  if (prefix !== '') lindex = Math.max(lindex, graveyardMax(state, prefix));
  else lindex = tableIdx;
  return { index: lindex !== 0 ? lindex : tableIdx, entries };
}

/** `kvsListKeysTxn`: keys under the prefix, cut after the first separator that follows it. */
export function kvKeys(
  state: ConsulState,
  prefix: string,
  separator: string,
): { index: number; keys: string[] } {
  const tableIdx = state.tableIndex('kvs', 'tombstones');
  const keys: string[] = [];
  let lindex = 0;
  let prev = '';
  let havePrev = false;
  for (const e of sortedUnder(state, prefix)) {
    lindex = Math.max(lindex, e.modifyIndex);
    if (separator === '') {
      keys.push(e.key);
      continue;
    }
    const after = e.key.slice(prefix.length);
    const at = after.indexOf(separator);
    if (at >= 0) {
      const toSep = e.key.slice(0, prefix.length + at + separator.length);
      if (!(havePrev && prev.startsWith(toSep))) keys.push(toSep);
      prev = toSep;
    } else {
      keys.push(e.key);
      prev = e.key;
    }
    havePrev = true;
  }
  if (prefix !== '') lindex = Math.max(lindex, graveyardMax(state, prefix));
  else lindex = tableIdx;
  return { index: lindex !== 0 ? lindex : tableIdx, keys };
}

/** Clock time until which `?acquire` of `key` is refused, if lock-delay is active (spec §2.8). */
export function lockDelayUntil(state: ConsulState, key: string): number | undefined {
  const until = state.lockDelay.get(key);
  if (until == null) return undefined;
  if (until > state.clock.now()) return until;
  state.lockDelay.delete(key);
  return undefined;
}

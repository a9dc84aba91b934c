/**
 * Session create and destroy inside a raft entry, following Consul's `state/session.go`:
 * creation checks the node and every listed check (exists, not critical, spec §2.2 step 6), and
 * every invalidation — explicit, TTL, critical or deregistered check, node deregistration — runs
 * the same `deleteSessionTxn` in the triggering entry: keys are released or deleted and lock-delay
 * starts on each key the session held, capped at 60 s (spec §2.7, §2.8).
 */
import { FsmError } from './http-errors';
import type { SessionDestroyReason } from './journal';
import type { ConsulState, SessionRecord, Txn } from './state';

/** `structs.MaxLockDelay`. */
export const MAX_LOCK_DELAY_NS = 60_000_000_000n;

/** `Session.CheckIDs()`: Checks ∪ NodeChecks ∪ ServiceChecks[].ID. */
export function sessionCheckIds(s: Pick<SessionRecord, 'checks' | 'nodeChecks' | 'serviceChecks'>): string[] {
  return [...(s.checks ?? []), ...(s.nodeChecks ?? []), ...(s.serviceChecks ?? []).map((c) => c.ID)];
}

export type SessionDraft = Omit<SessionRecord, 'createIndex' | 'modifyIndex'>;

/** `sessionCreateTxn`. Throws the FSM's error texts. */
export function createSessionTxn(tx: Txn, draft: SessionDraft, via?: string): SessionRecord {
  const { state } = tx;
  if (!state.nodes.has(draft.node)) throw new FsmError('Missing node registration');
  const checks = state.checks.get(draft.node);
  for (const id of sessionCheckIds(draft)) {
    const check = checks?.get(id);
    if (check == null) throw new FsmError(`Missing check '${id}' registration`);
    if (check.status === 'critical') throw new FsmError(`Check '${id}' is in critical state`);
  }
  const record: SessionRecord = { ...draft, createIndex: tx.index, modifyIndex: tx.index };
  state.sessions.set(record.id, record);
  tx.touch('sessions', { kind: 'sessions' });
  tx.journal({
    op: 'session-create',
    session: record.id,
    node: record.node,
    ...(via == null ? {} : { via }),
  });
  return record;
}

/** `deleteSessionTxn`: destroys the session and frees its keys. Returns false if it did not exist. */
export function destroySessionTxn(tx: Txn, id: string, reason: SessionDestroyReason, via?: string): boolean {
  const { state } = tx;
  const session = state.sessions.get(id);
  if (session == null) return false;
  state.sessions.delete(id);
  tx.touch('sessions', { kind: 'sessions' });
  tx.destroyedSessions.push(id);
  tx.journal({
    op: 'session-destroy',
    session: id,
    node: session.node,
    reason,
    ...(via == null ? {} : { via }),
  });
  const delayNs = session.lockDelayNs < MAX_LOCK_DELAY_NS ? session.lockDelayNs : MAX_LOCK_DELAY_NS;
  const delayUntil = delayNs > 0n ? tx.time + Number(delayNs) / 1e6 : undefined;
  const held = [...state.kv.values()].filter((e) => e.session === id);
  for (const entry of held) {
    if (session.behavior === 'delete') {
      state.kv.delete(entry.key);
      state.tombstones.set(entry.key, tx.index);
      tx.touch('tombstones');
      tx.touch('kvs', { kind: 'kv', key: entry.key });
    } else {
      // LockIndex, Value, Flags and CreateIndex are kept (spec §2.7).
      state.kv.set(entry.key, { ...entry, session: '', modifyIndex: tx.index });
      tx.touch('kvs', { kind: 'kv', key: entry.key });
    }
    if (delayUntil != null) state.lockDelay.set(entry.key, delayUntil);
    tx.journal({
      op: session.behavior === 'delete' ? 'key-deleted-by-invalidation' : 'lock-released-by-invalidation',
      key: entry.key,
      session: id,
      node: session.node,
      lockIndex: entry.lockIndex,
      reason,
      ...(delayUntil == null ? {} : { lockDelayUntil: delayUntil }),
    });
  }
  return true;
}

/** Sessions of `node` that list `checkId`, in creation order. */
export function sessionsListingCheck(state: ConsulState, node: string, checkId: string): string[] {
  const out: SessionRecord[] = [];
  for (const s of state.sessions.values()) {
    if (s.node === node && sessionCheckIds(s).includes(checkId)) out.push(s);
  }
  return out.sort((a, b) => a.createIndex - b.createIndex).map((s) => s.id);
}

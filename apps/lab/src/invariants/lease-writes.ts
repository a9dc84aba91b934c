/**
 * Invariant 1: no route write (nor Elastic IP move) by an agent that did not hold a confirmed lease
 * at that moment.
 *
 * Evidence: the EC2 journal (caller instance, `receivedAt`, and `time`, the instant the write took
 * effect) against the lock-holder intervals of the group's key from the Consul journal (same clock).
 * docs/safety.md gives the exact window a holder H may write in, for an interval [from, to]:
 *
 * - The write must have been sent after H acquired: `from ≤ receivedAt`.
 * - If the interval ended with H's own release (`kv-release`), H had aborted its leases and waited
 *   for its guarded work to settle before releasing, and successors acquire with no lock-delay: the
 *   write must have taken effect by `to`.
 * - If it ended by invalidation (check critical, TTL, node failure), H may not know yet: its lease
 *   runs at most F after its last good confirmation, which was sent before `to`, and each write ends
 *   within W; so the write must have taken effect by `to + F + W`. Because F + W < L, that is before
 *   any successor can acquire (lock-delay L).
 * - An interval still open allows every later write.
 *
 * A write landing after a successor acquired is reported as a split brain.
 */
import {
  lockHolders,
  type ConsulJournalEntry,
  type Ec2JournalEntry,
  type LockHolderInterval,
} from '@nat-ha/testkit';
import { appliedGroupWrites } from '../measure/route-writes';
import { result, type GroupRef, type InvariantResult, type SafetyTiming, type Violation } from './invariant';

export interface LeaseWritesInput {
  groups: readonly GroupRef[];
  consulJournal: readonly ConsulJournalEntry[];
  ec2Journal: readonly Ec2JournalEntry[];
  timing: SafetyTiming;
  /** Only writes that took effect in [from, to] are checked (holder intervals use the whole journal). */
  window?: { from: number; to: number };
  /** Instance id → a short name for messages. */
  nameOf?: (instanceId: string) => string;
}

function legalUntil(interval: LockHolderInterval, timing: SafetyTiming): number {
  if (interval.to == null) return Number.POSITIVE_INFINITY;
  if (interval.endedBy === 'kv-release') return interval.to;
  return interval.to + timing.fenceAfterMs + timing.maxWriteMs;
}

export function checkLeaseWrites(input: LeaseWritesInput): InvariantResult {
  const name = input.nameOf ?? ((id: string) => id);
  const violations: Violation[] = [];
  let checked = 0;
  for (const group of input.groups) {
    const holders = lockHolders(input.consulJournal, group.key);
    for (const w of appliedGroupWrites(input.ec2Journal, group)) {
      if (w.caller == null) continue;
      const time = w.time as number;
      if (input.window != null && (time < input.window.from || time > input.window.to)) continue;
      checked++;
      const own = holders.filter((h) => h.node === w.caller);
      const covering = own.find((h) => h.from <= w.receivedAt && time <= legalUntil(h, input.timing));
      if (covering != null) continue;
      const what = `${w.action} ${w.tableId} → ${w.target ?? '∅'} by ${name(w.caller)} (received ${w.receivedAt}, effective ${time}${w.clientGone ? ', client had given up' : ''})`;
      const before = [...own].reverse().find((h) => h.from <= w.receivedAt);
      const successor = holders.find(
        (h) => h.node !== w.caller && h.from <= time && (before == null || h.from > before.from),
      );
      let why: string;
      if (before == null) why = `${name(w.caller)} had not acquired ${group.key} before sending it`;
      else if (before.endedBy === 'kv-release')
        why = `${name(w.caller)} released ${group.key} at ${String(before.to)}, ${time - (before.to as number)} ms before the write took effect`;
      else
        why = `${name(w.caller)} lost ${group.key} at ${String(before.to)} (${String(before.endedBy)}); the write took effect ${time - (before.to as number)} ms later, beyond F + W = ${input.timing.fenceAfterMs + input.timing.maxWriteMs} ms`;
      const split =
        successor != null ? `; SPLIT BRAIN: ${name(successor.node)} had acquired at ${successor.from}` : '';
      violations.push({ at: time, message: `${what}: ${why}${split}` });
    }
    checked += checkLockDelay(input, group.key, holders, name, violations);
  }
  return result('lease-writes', checked, violations);
}

/**
 * The other half of the window: after an involuntary loss, no successor may acquire before the
 * lock-delay Consul set (spec §2.8), and that delay must outlast the old holder's F + W, or the
 * window above would not protect anyone. Returns how many hand-overs it checked.
 */
function checkLockDelay(
  input: LeaseWritesInput,
  key: string,
  holders: readonly LockHolderInterval[],
  name: (id: string) => string,
  violations: Violation[],
): number {
  let checked = 0;
  for (let i = 0; i < holders.length - 1; i++) {
    const h = holders[i] as LockHolderInterval;
    const next = holders[i + 1] as LockHolderInterval;
    if (h.to == null || h.endedBy === 'kv-release' || h.toIndex == null) continue;
    if (input.window != null && (next.from < input.window.from || next.from > input.window.to)) continue;
    const end = input.consulJournal.find(
      (e) =>
        e.index === h.toIndex &&
        e.key === key &&
        (e.op === 'lock-released-by-invalidation' || e.op === 'key-deleted-by-invalidation'),
    );
    if (end?.lockDelayUntil == null) continue;
    checked++;
    if (next.from < end.lockDelayUntil) {
      violations.push({
        at: next.from,
        message: `${name(next.node)} acquired ${key} at ${next.from}, ${end.lockDelayUntil - next.from} ms before the lock-delay set when ${name(h.node)} lost it ended`,
      });
    }
    const fenced = h.to + input.timing.fenceAfterMs + input.timing.maxWriteMs;
    if (fenced >= end.lockDelayUntil) {
      violations.push({
        at: h.to,
        message: `${name(h.node)} lost ${key} with a lock-delay of ${end.lockDelayUntil - h.to} ms, not longer than F + W = ${input.timing.fenceAfterMs + input.timing.maxWriteMs} ms`,
      });
    }
  }
  return checked;
}

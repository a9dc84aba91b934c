/**
 * Failover time from the journals: fault → every route of the group points at the new leader's ENI.
 *
 * - The old leader's lock interval (Consul journal, `lockHolders`) tells when the key was freed and
 *   how (release: a handover; invalidation: a crash, with lock-delay).
 * - The new leader is the first other node to acquire the key after the fault.
 * - Each table converges at the effect time of the last applied write that pointed it at the new
 *   leader's ENI (EC2 journal), provided the table still points there now. A table that already
 *   pointed there needs no write and counts as converged at the fault.
 *
 * Both journals are stamped by the same clock (startSim shares one), so the times subtract.
 */
import { lockHolders, type ConsulJournalEntry, type Ec2JournalEntry } from '@nat-ha/testkit';
import { appliedRouteWrites } from './route-writes';

export interface FailoverInput {
  faultAt: number;
  group: { name: string; key: string; tableIds: readonly string[] };
  leaderBefore: string;
  eniOf: (instanceId: string) => string | undefined;
  consulJournal: readonly ConsulJournalEntry[];
  ec2Journal: readonly Ec2JournalEntry[];
  /** Route table id → current 0.0.0.0/0 target (authoritative state, no visibility delay). */
  currentTargets: ReadonlyMap<string, string | null>;
}

export interface FailoverPhases {
  /** Fault → the old leader's key was freed. */
  lockFreedMs: number | null;
  /** Fault → the new leader acquired the key. */
  acquiredMs: number | null;
  /** Fault → the first applied route write after the fault. */
  firstWriteMs: number | null;
  /** Fault → the last table converged. */
  convergedMs: number | null;
}

export interface FailoverMeasurement {
  newLeader: string | null;
  lockFreedBy: 'release' | 'invalidation' | 'delete' | null;
  convergedAt: number | null;
  failoverMs: number | null;
  phases: FailoverPhases;
  /** Applied route writes on the group's tables between the fault and convergence. */
  routeWrites: number;
  /** Why the group did not converge, when it did not. */
  problem?: string;
}

export function measureFailover(input: FailoverInput): FailoverMeasurement {
  const { faultAt } = input;
  const rel = (t: number | null | undefined): number | null => (t == null ? null : t - faultAt);
  const holders = lockHolders(input.consulJournal, input.group.key);
  const before = holders.find(
    (h) => h.node === input.leaderBefore && h.from <= faultAt && (h.to == null || h.to >= faultAt),
  );
  const freedAt = before?.to ?? null;
  const lockFreedBy =
    before?.endedBy == null
      ? null
      : before.endedBy === 'kv-release'
        ? 'release'
        : before.endedBy === 'lock-released-by-invalidation' ||
            before.endedBy === 'key-deleted-by-invalidation'
          ? 'invalidation'
          : 'delete';
  const next = holders.find((h) => h.from >= faultAt && h.node !== input.leaderBefore);
  const newLeader = next?.node ?? null;
  const empty: FailoverMeasurement = {
    newLeader,
    lockFreedBy,
    convergedAt: null,
    failoverMs: null,
    phases: { lockFreedMs: rel(freedAt), acquiredMs: rel(next?.from), firstWriteMs: null, convergedMs: null },
    routeWrites: 0,
  };
  if (newLeader == null) return { ...empty, problem: 'no other instance acquired the lock after the fault' };
  const eni = input.eniOf(newLeader);
  if (eni == null) return { ...empty, problem: `no ENI known for ${newLeader}` };

  const tables = new Set(input.group.tableIds);
  const writes = appliedRouteWrites(input.ec2Journal).filter(
    (w) => tables.has(w.tableId) && (w.time as number) >= faultAt,
  );
  let convergedAt = faultAt;
  const notThere: string[] = [];
  for (const table of input.group.tableIds) {
    if (input.currentTargets.get(table) !== eni) {
      notThere.push(table);
      continue;
    }
    const last = writes.filter((w) => w.tableId === table).at(-1);
    if (last != null && last.target === eni) convergedAt = Math.max(convergedAt, last.time as number);
  }
  const firstWrite = writes[0]?.time ?? null;
  if (notThere.length > 0) {
    return {
      ...empty,
      phases: { ...empty.phases, firstWriteMs: rel(firstWrite) },
      routeWrites: writes.length,
      problem: `route tables not on ${newLeader}'s ENI ${eni}: ${notThere.join(', ')}`,
    };
  }
  const inWindow = writes.filter((w) => (w.time as number) <= convergedAt).length;
  return {
    newLeader,
    lockFreedBy,
    convergedAt,
    failoverMs: convergedAt - faultAt,
    phases: {
      lockFreedMs: rel(freedAt),
      acquiredMs: rel(next?.from),
      firstWriteMs: rel(firstWrite),
      convergedMs: convergedAt - faultAt,
    },
    routeWrites: inWindow,
  };
}

/**
 * The cluster's replicated state, as the raft FSM of a Consul server holds it: one global index,
 * per-table indexes, KV entries with tombstones, sessions, lock-delay expiries and the catalog.
 *
 * Every mutation goes through {@link ConsulState.apply}, which plays the part of one raft log entry:
 * it takes the next index whether or not the FSM changes anything (a failed CAS or acquire still
 * consumes an index, spec §3.5 R3), stamps the tables it touched with that index, journals what
 * changed, and then wakes the blocking queries watching the touched resources. JavaScript's single
 * thread makes each `apply` atomic, as a raft entry is.
 */
import type { TestClock } from '../clock';
import { Journal, type ConsulCheckStatus, type ConsulJournalEntry } from './journal';

export type TableName = 'kvs' | 'tombstones' | 'sessions' | 'nodes' | 'services' | 'checks';

export interface KvEntry {
  key: string;
  /** `uint64`, exact. */
  flags: bigint;
  /** `null` for an empty value (an empty PUT body is stored as nil, rule 20). */
  value: Buffer | null;
  /** `''` when unlocked. */
  session: string;
  lockIndex: number;
  createIndex: number;
  modifyIndex: number;
}

export interface ServiceCheckRef {
  ID: string;
  Namespace: string;
}

export interface SessionRecord {
  id: string;
  name: string;
  node: string;
  /** Nanoseconds as given (the 60 s cap applies only at invalidation, rule 49). */
  lockDelayNs: bigint;
  behavior: 'release' | 'delete';
  ttl: string;
  nodeChecks: string[] | null;
  serviceChecks: ServiceCheckRef[] | null;
  /** Deprecated `Checks` field; `null` when omitted from the JSON. */
  checks: string[] | null;
  createIndex: number;
  modifyIndex: number;
}

export interface CatalogNode {
  id: string;
  node: string;
  address: string;
  datacenter: string;
  createIndex: number;
  modifyIndex: number;
}

export interface CatalogService {
  node: string;
  id: string;
  service: string;
  tags: string[];
  address: string;
  meta: Map<string, string>;
  port: number;
  weights: { Passing: number; Warning: number };
  enableTagOverride: boolean;
  createIndex: number;
  modifyIndex: number;
}

export interface CatalogCheck {
  node: string;
  checkId: string;
  name: string;
  status: ConsulCheckStatus;
  notes: string;
  output: string;
  serviceId: string;
  serviceName: string;
  serviceTags: string[];
  type: string;
  interval: string;
  timeout: string;
  createIndex: number;
  modifyIndex: number;
}

/** What a committed entry changed, for blocking queries. */
export type WatchEvent = { kind: 'kv'; key: string } | { kind: 'sessions' } | { kind: 'catalog' };

export type JournalDraft = Omit<ConsulJournalEntry, 'index' | 'time'>;

/** One raft log entry being applied. */
export class Txn {
  readonly touched = new Set<TableName>();
  readonly events: WatchEvent[] = [];
  readonly serviceNames = new Set<string>();
  readonly destroyedSessions: string[] = [];

  constructor(
    readonly state: ConsulState,
    readonly index: number,
    readonly time: number,
  ) {}

  touch(table: TableName, event?: WatchEvent): void {
    this.touched.add(table);
    if (event != null) this.events.push(event);
  }

  /** Marks a service's health index (`/v1/health/service/:name` blocks on it). */
  touchService(name: string): void {
    this.serviceNames.add(name);
  }

  journal(entry: JournalDraft): void {
    this.state.journal.append({ index: this.index, time: this.time, ...entry });
  }
}

export type Watcher = (events: readonly WatchEvent[]) => void;

export class ConsulState {
  /** The last applied index. Starts above 1: "Index 1 is impossible anyways" (spec §3.5 R3). */
  index: number;
  private readonly tableIndexes = new Map<TableName, number>();
  readonly kv = new Map<string, KvEntry>();
  /** Deleted key → index of the delete; kept for the whole run (spec §3.5 R5 allows it). */
  readonly tombstones = new Map<string, number>();
  readonly sessions = new Map<string, SessionRecord>();
  /** Key → clock time until which `?acquire` is refused (spec §2.8). */
  readonly lockDelay = new Map<string, number>();
  readonly nodes = new Map<string, CatalogNode>();
  readonly services = new Map<string, Map<string, CatalogService>>();
  readonly checks = new Map<string, Map<string, CatalogCheck>>();
  readonly serviceIndexes = new Map<string, number>();
  readonly journal = new Journal();
  private readonly watchers = new Set<Watcher>();
  /** Called after each commit with the sessions it destroyed (the leader clears their TTL timers). */
  onSessionsDestroyed: (ids: readonly string[]) => void = () => {};

  constructor(
    readonly clock: TestClock,
    startIndex = 10,
  ) {
    this.index = startIndex;
  }

  tableIndex(...tables: TableName[]): number {
    let max = 0;
    for (const t of tables) max = Math.max(max, this.tableIndexes.get(t) ?? 0);
    return max;
  }

  /** Applies one raft log entry (see the module comment). FSM errors propagate after the index is consumed. */
  apply<T>(fn: (tx: Txn) => T): T {
    this.index += 1;
    const tx = new Txn(this, this.index, this.clock.now());
    try {
      return fn(tx);
    } finally {
      this.commit(tx);
    }
  }

  /** Records a journal entry that consumes no index (fault injections, lock-delay refusals). */
  note(entry: JournalDraft): void {
    this.journal.append({ index: this.index, time: this.clock.now(), ...entry });
  }

  watch(watcher: Watcher): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  private commit(tx: Txn): void {
    for (const t of tx.touched) this.tableIndexes.set(t, tx.index);
    for (const name of tx.serviceNames) this.serviceIndexes.set(name, tx.index);
    if (tx.destroyedSessions.length > 0) this.onSessionsDestroyed(tx.destroyedSessions);
    if (tx.events.length === 0) return;
    for (const w of [...this.watchers]) w(tx.events);
  }

  nodeServices(node: string): Map<string, CatalogService> {
    let m = this.services.get(node);
    if (m == null) {
      m = new Map();
      this.services.set(node, m);
    }
    return m;
  }

  nodeChecks(node: string): Map<string, CatalogCheck> {
    let m = this.checks.get(node);
    if (m == null) {
      m = new Map();
      this.checks.set(node, m);
    }
    return m;
  }
}

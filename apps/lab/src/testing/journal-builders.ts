/**
 * Builders for hand-made Consul and EC2 journals, used by the unit tests of the measurement and the
 * invariant checkers. They produce exactly the entry shapes the testkit emulators journal.
 */
import type { ApiCallRecord, ConsulJournalEntry, Ec2JournalEntry } from '@nat-ha/testkit';

export function createConsulJournal() {
  const entries: ConsulJournalEntry[] = [];
  let index = 10;
  const push = (e: Omit<ConsulJournalEntry, 'index'>, consumesIndex = true): ConsulJournalEntry => {
    if (consumesIndex) index++;
    const entry = { index, ...e } as ConsulJournalEntry;
    entries.push(entry);
    return entry;
  };
  return {
    entries,
    acquire(time: number, key: string, node: string, session = `s-${node}`, lockIndex = 1) {
      return push({ time, op: 'kv-acquire', key, node, session, lockIndex, via: node });
    },
    release(time: number, key: string, node: string, session = `s-${node}`) {
      return push({ time, op: 'kv-release', key, node, session, via: node });
    },
    invalidate(time: number, key: string, node: string, lockDelayMs: number, session = `s-${node}`) {
      push({ time, op: 'session-destroy', node, session, reason: 'check-critical' });
      return push({
        time,
        op: 'lock-released-by-invalidation',
        key,
        node,
        session,
        lockDelayUntil: time + lockDelayMs,
      });
    },
    checkStatus(time: number, node: string, checkId: string, status: 'passing' | 'critical') {
      return push({ time, op: 'check-status', node, checkId, status });
    },
  };
}

export function createEc2Journal() {
  const entries: Ec2JournalEntry[] = [];
  const calls: ApiCallRecord[] = [];
  let seq = 0;
  const record = (r: Partial<ApiCallRecord> & { action: string; receivedAt: number }): ApiCallRecord => {
    const rec: ApiCallRecord = {
      seq: ++seq,
      service: 'ec2',
      mutating: false,
      time: r.receivedAt + 1,
      callerInstanceId: null,
      principal: null,
      accessKeyId: null,
      params: {},
      outcome: 'ok',
      status: 200,
      requestId: `req-${seq}`,
      ...r,
    };
    calls.push(rec);
    if (rec.mutating) entries.push(rec);
    return rec;
  };
  return {
    entries,
    calls,
    /** A ReplaceRoute received at `receivedAt` that took effect at `time`. */
    replaceRoute(opts: {
      caller: string | null;
      table: string;
      eni: string;
      receivedAt: number;
      time?: number | null;
      outcome?: string;
      clientGone?: boolean;
    }) {
      return record({
        action: 'ReplaceRoute',
        mutating: true,
        callerInstanceId: opts.caller,
        receivedAt: opts.receivedAt,
        time: opts.time === undefined ? opts.receivedAt + 150 : opts.time,
        outcome: opts.outcome ?? 'ok',
        status: (opts.outcome ?? 'ok') === 'ok' ? 200 : 503,
        params: { RouteTableId: opts.table, DestinationCidrBlock: '0.0.0.0/0', NetworkInterfaceId: opts.eni },
        ...(opts.clientGone === true ? { clientGone: true } : {}),
      });
    },
    associateAddress(opts: {
      caller: string;
      allocationId: string;
      eni: string;
      receivedAt: number;
      dryRun?: boolean;
    }) {
      return record({
        action: 'AssociateAddress',
        mutating: true,
        callerInstanceId: opts.caller,
        receivedAt: opts.receivedAt,
        time: opts.receivedAt + 150,
        params: {
          AllocationId: opts.allocationId,
          NetworkInterfaceId: opts.eni,
          ...(opts.dryRun === true ? { DryRun: 'true' } : {}),
        },
      });
    },
    describe(caller: string | null, receivedAt: number, action = 'DescribeRouteTables') {
      return record({ action, callerInstanceId: caller, receivedAt, time: receivedAt + 80 });
    },
  };
}

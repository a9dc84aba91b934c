/**
 * Route writes as the EC2 emulator's journal records them (every mutating call, never truncated):
 * the evidence for failover times and for the split-brain check. `time` is the instant the write
 * took effect on the emulator (the journal's timing model), `receivedAt` the instant it arrived.
 */
import type { Ec2JournalEntry } from '@nat-ha/testkit';

export const ROUTE_ACTIONS: ReadonlySet<string> = new Set(['ReplaceRoute', 'CreateRoute', 'DeleteRoute']);

export interface RouteWrite {
  seq: number;
  action: string;
  tableId: string;
  destination: string;
  /** ENI, instance, NAT gateway or gateway id the route was pointed at; null for DeleteRoute. */
  target: string | null;
  caller: string | null;
  receivedAt: number;
  /** When the write took effect (or failed); null while pending or hung. */
  time: number | null;
  outcome: string;
  clientGone: boolean;
}

export function toRouteWrite(entry: Ec2JournalEntry): RouteWrite | undefined {
  if (!ROUTE_ACTIONS.has(entry.action)) return undefined;
  const p = entry.params;
  const tableId = p['RouteTableId'];
  if (tableId == null) return undefined;
  const target =
    entry.action === 'DeleteRoute'
      ? null
      : (p['NetworkInterfaceId'] ?? p['InstanceId'] ?? p['NatGatewayId'] ?? p['GatewayId'] ?? null);
  return {
    seq: entry.seq,
    action: entry.action,
    tableId,
    destination: p['DestinationCidrBlock'] ?? p['DestinationIpv6CidrBlock'] ?? '',
    target,
    caller: entry.callerInstanceId,
    receivedAt: entry.receivedAt,
    time: entry.time,
    outcome: entry.outcome,
    clientGone: entry.clientGone === true,
  };
}

/** Writes that changed state: answered `ok`, with a time. Sorted by effect time. */
export function appliedRouteWrites(
  journal: readonly Ec2JournalEntry[],
  destination = '0.0.0.0/0',
): RouteWrite[] {
  const out: RouteWrite[] = [];
  for (const e of journal) {
    const w = toRouteWrite(e);
    if (w == null || w.outcome !== 'ok' || w.time == null || w.destination !== destination) continue;
    out.push(w);
  }
  return out.sort((a, b) => (a.time as number) - (b.time as number) || a.seq - b.seq);
}

/**
 * Every write a group's leader makes under its lease: route writes on the group's tables and, when
 * the group has an Elastic IP, its AssociateAddress. Applied writes only, sorted by effect time.
 */
export function appliedGroupWrites(
  journal: readonly Ec2JournalEntry[],
  group: { tableIds: readonly string[]; eipAllocationId?: string },
): RouteWrite[] {
  const tables = new Set(group.tableIds);
  const out: RouteWrite[] = appliedRouteWrites(journal).filter((w) => tables.has(w.tableId));
  if (group.eipAllocationId != null) {
    for (const e of journal) {
      if (e.action !== 'AssociateAddress' || e.outcome !== 'ok' || e.time == null) continue;
      if (e.params['AllocationId'] !== group.eipAllocationId || e.params['DryRun'] === 'true') continue;
      out.push({
        seq: e.seq,
        action: e.action,
        tableId: `eip:${group.eipAllocationId}`,
        destination: '',
        target: e.params['NetworkInterfaceId'] ?? e.params['InstanceId'] ?? null,
        caller: e.callerInstanceId,
        receivedAt: e.receivedAt,
        time: e.time,
        outcome: e.outcome,
        clientGone: e.clientGone === true,
      });
    }
  }
  return out.sort((a, b) => (a.time as number) - (b.time as number) || a.seq - b.seq);
}

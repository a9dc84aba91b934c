/**
 * The lab's timeline: one list, in clock order, of what the agents said (their JSON logs), what
 * Consul did (its journal: acquires, releases, invalidations with lock-delay, check changes, faults)
 * and what EC2 applied (its journal of mutating calls, with their latency), plus the lab's own
 * faults. Every source is stamped by the same clock, so the millisecond gaps between lines are the
 * real gaps between events.
 */
import type { ConsulJournalEntry, Ec2JournalEntry } from '@nat-ha/testkit';
import type { TaggedLogLine } from '../process/agent-process';
import type { LabEvent } from './lab-events';

export type TimelineSource = 'lab' | 'agent' | 'consul' | 'ec2';
export type TimelineLevel = 'fault' | 'heal' | 'result' | 'info' | 'warn' | 'detail' | 'note';

export interface TimelineEntry {
  at: number;
  source: TimelineSource;
  level: TimelineLevel;
  instanceId?: string;
  text: string;
}

export interface TimelineContext {
  name(instanceId: string | null | undefined): string;
  /** Group name of a lock key, or undefined for keys the lab does not manage. */
  groupOfKey(key: string): string | undefined;
  tableName(routeTableId: string): string;
  instanceOfEni(eni: string): string | undefined;
}

function ms(n: unknown): string {
  return typeof n === 'number' && Number.isFinite(n) ? `${Math.round(n)} ms` : '?';
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function fromLabEvent(e: LabEvent): TimelineEntry {
  const level: TimelineLevel =
    e.kind === 'fault'
      ? 'fault'
      : e.kind === 'heal'
        ? 'heal'
        : e.kind === 'result'
          ? 'result'
          : e.kind === 'warn'
            ? 'warn'
            : 'info';
  return {
    at: e.at,
    source: 'lab',
    level,
    ...(e.instanceId == null ? {} : { instanceId: e.instanceId }),
    text: e.text,
  };
}

export function fromConsulEntry(e: ConsulJournalEntry, ctx: TimelineContext): TimelineEntry | undefined {
  const node = ctx.name(e.node);
  const base = { at: e.time, source: 'consul' as const, ...(e.node == null ? {} : { instanceId: e.node }) };
  const group = e.key == null ? undefined : ctx.groupOfKey(e.key);
  switch (e.op) {
    case 'kv-acquire':
      if (group == null) return undefined;
      return {
        ...base,
        level: 'info',
        text: `${node} acquires the ${group} lock (lock index ${String(e.lockIndex ?? '?')})`,
      };
    case 'kv-release':
      if (group == null) return undefined;
      return { ...base, level: 'info', text: `${node} releases the ${group} lock (no lock-delay)` };
    case 'lock-released-by-invalidation':
    case 'key-deleted-by-invalidation':
      if (group == null) return undefined;
      return {
        ...base,
        level: 'warn',
        text: `${group} lock freed: ${node}'s session invalidated; lock-delay ${e.lockDelayUntil == null ? 'none' : ms(e.lockDelayUntil - e.time)}`,
      };
    case 'kv-acquire-rejected':
      if (group == null) return undefined;
      return { ...base, level: 'detail', text: `${node}'s acquire of ${group} refused (lock-delay)` };
    case 'session-destroy':
      if (e.reason === 'explicit') return { ...base, level: 'detail', text: `${node} destroys its session` };
      return { ...base, level: 'warn', text: `${node}'s session destroyed (${String(e.reason)})` };
    case 'check-status': {
      if (e.status !== 'critical' && e.previousStatus !== 'critical') return undefined;
      const check = e.checkId ?? '?';
      return {
        ...base,
        level: e.status === 'critical' ? 'warn' : 'detail',
        text: `${node} check ${check}: ${e.previousStatus ?? '?'} → ${e.status ?? '?'}`,
      };
    }
    case 'node-killed':
      return { ...base, level: 'detail', text: `${node}'s Consul agent is down` };
    case 'node-revived':
      return { ...base, level: 'detail', text: `${node}'s Consul agent is back` };
    case 'node-partitioned':
      return { ...base, level: 'detail', text: `${node}'s Consul agent is cut off from the servers` };
    case 'node-healed':
      return { ...base, level: 'detail', text: `${node}'s Consul agent reaches the servers again` };
    case 'node-failed':
      return { ...base, level: 'warn', text: `gossip declares ${node} failed (serfHealth critical)` };
    case 'node-alive':
      return { ...base, level: 'detail', text: `gossip sees ${node} alive again` };
    case 'node-left':
      return { ...base, level: 'detail', text: `${node} left the cluster` };
    case 'leader-lost':
      return { ...base, level: 'warn', text: 'Consul has no cluster leader' };
    case 'leader-restored':
      return { ...base, level: 'detail', text: 'Consul elected a leader again' };
    default:
      return undefined;
  }
}

export function fromEc2Entry(e: Ec2JournalEntry, ctx: TimelineContext): TimelineEntry | undefined {
  if (e.time == null) return undefined;
  const who = e.callerInstanceId == null ? (e.principal ?? 'someone') : ctx.name(e.callerInstanceId);
  const base = {
    at: e.time,
    source: 'ec2' as const,
    ...(e.callerInstanceId == null ? {} : { instanceId: e.callerInstanceId }),
  };
  const took = `${Math.round(e.time - e.receivedAt)} ms`;
  const failed = e.outcome === 'ok' ? '' : ` → ${e.outcome}`;
  const level: TimelineLevel = e.outcome === 'ok' ? 'info' : 'warn';
  const p = e.params;
  switch (e.action) {
    case 'ReplaceRoute':
    case 'CreateRoute': {
      const target = p['NetworkInterfaceId'] ?? p['NatGatewayId'] ?? p['GatewayId'] ?? p['InstanceId'] ?? '?';
      const owner = ctx.instanceOfEni(target);
      const dry = p['DryRun'] === 'true' ? ' (DryRun)' : '';
      return {
        ...base,
        level: dry === '' ? level : 'detail',
        text: `${who} ${e.action}${dry} ${ctx.tableName(p['RouteTableId'] ?? '?')} → ${owner == null ? target : `${ctx.name(owner)} (${target})`} [${took}]${failed}`,
      };
    }
    case 'AssociateAddress':
      return {
        ...base,
        level: p['DryRun'] === 'true' ? 'detail' : level,
        text: `${who} AssociateAddress${p['DryRun'] === 'true' ? ' (DryRun)' : ''} ${p['AllocationId'] ?? p['PublicIp'] ?? '?'} → ${p['NetworkInterfaceId'] ?? p['InstanceId'] ?? '?'} [${took}]${failed}`,
      };
    case 'ModifyNetworkInterfaceAttribute':
    case 'ModifyInstanceAttribute':
      return {
        ...base,
        level: 'detail',
        text: `${who} ${e.action} ${p['NetworkInterfaceId'] ?? p['InstanceId'] ?? ''} [${took}]${failed}`,
      };
    case 'CompleteLifecycleAction':
      return {
        ...base,
        level,
        text: `${who} completes its lifecycle action (${p['LifecycleActionResult'] ?? '?'}) [${took}]${failed}`,
      };
    default:
      return { ...base, level: 'detail', text: `${who} ${e.action} [${took}]${failed}` };
  }
}

export function fromAgentLine(l: TaggedLogLine, ctx: TimelineContext): TimelineEntry | undefined {
  const base = { at: l.time, source: 'agent' as const, instanceId: l.instanceId };
  const g = l.group ?? '';
  const reason = str(l['reason']) ?? str(l['why']);
  const mk = (level: TimelineLevel, text: string): TimelineEntry => ({ ...base, level, text });
  const name = ctx.name(l.instanceId);
  switch (l.event) {
    case 'agent_ready':
      return mk('info', `${name}: agent ready`);
    case 'health_changed': {
      // nat-agent currently writes the path health under `level`, after pino's own `level`.
      const level = str(l['level']);
      const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
      const to =
        str(l['health']) ?? str(l['to']) ?? (level != null && !logLevels.includes(level) ? level : '?');
      const from = str(l['from']);
      const failing =
        Array.isArray(l['failures']) && l['failures'].length > 0
          ? ` (${l['failures'].length} target(s) failing)`
          : '';
      return mk(
        to === 'healthy' ? 'info' : 'warn',
        `${name}: Internet path ${from == null ? '' : `${from} → `}${to}${failing}`,
      );
    }
    case 'elected':
      return mk('info', `${name}: elected leader of ${g} (lock index ${str(l['lockIndex']) ?? '?'})`);
    case 'claim_started':
      return mk('detail', `${name}: claiming the routes of ${g}`);
    case 'routes_claimed': {
      const changed = str(l['changed']);
      return mk(
        'result',
        `${name}: routes of ${g} claimed in ${ms(l['durationMs'])}${changed == null ? '' : ` (${changed} changed)`}`,
      );
    }
    case 'claim_failed':
    case 'reconcile_failed': {
      const err = (l['error'] ?? {}) as Record<string, unknown>;
      return mk(
        'warn',
        `${name}: ${l.event.replace('_', ' ')} for ${g}: ${str(l['code']) ?? str(err['code']) ?? '?'}`,
      );
    }
    case 'resigned':
      return mk('info', `${name}: resigns ${g}${reason == null ? '' : ` (${reason})`}`);
    case 'deposed':
      return mk('warn', `${name}: deposed from ${g}${reason == null ? '' : ` (${reason})`}`);
    case 'interruption_notice':
      return mk(
        'warn',
        `${name}: IMDS notice ${str(l['kind']) ?? '?'}${str(l['action']) == null ? '' : ` → ${str(l['action'])}`}`,
      );
    case 'drain_started':
      return mk('info', `${name}: drain started${reason == null ? '' : ` (${reason})`}`);
    case 'drain_successor':
      return mk('detail', `${name}: successor of ${g} holds the lock`);
    case 'drain_completed':
      return mk('info', `${name}: drain completed`);
    case 'lifecycle_completed':
      return mk('detail', `${name}: lifecycle action completed`);
    case 'session_lost':
      return mk('warn', `${name}: Consul session lost`);
    case 'eip_followed':
      return mk('info', `${name}: Elastic IP follows to this instance`);
    case 'reconcile_drift':
      return mk('warn', `${name}: repaired route drift in ${g}`);
    case 'hand_back_armed':
      return mk('detail', `${name}: will hand ${g} back to its primary`);
    case 'fatal':
      return mk('warn', `${name}: FATAL ${JSON.stringify(l['error'] ?? '')}`);
    case 'agent_stopped':
      return mk('detail', `${name}: agent stopped`);
    case 'iam_self_test':
    case 'source_dest_check':
    case 'dataplane_checked':
      return l['ok'] === false
        ? mk('warn', `${name}: ${l.event.replaceAll('_', ' ')} failed: ${reason ?? '?'}`)
        : undefined;
    case 'withdrawn':
      return mk('detail', `${name}: stops contending for ${g}${reason == null ? '' : ` (${reason})`}`);
    default:
      return undefined;
  }
}

export interface Timeline {
  readonly entries: readonly TimelineEntry[];
  add(entry: TimelineEntry): void;
  onEntry(listener: (entry: TimelineEntry) => void): () => void;
}

/** Keeps entries sorted by time (sources arrive at different moments); bounded to `max`. */
export function createTimeline(max = 5_000): Timeline {
  const entries: TimelineEntry[] = [];
  const listeners = new Set<(entry: TimelineEntry) => void>();
  return {
    entries,
    add(entry) {
      let i = entries.length;
      while (i > 0 && (entries[i - 1] as TimelineEntry).at > entry.at) i--;
      entries.splice(i, 0, entry);
      if (entries.length > max) entries.splice(0, entries.length - max);
      for (const l of [...listeners]) l(entry);
    },
    onEntry(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

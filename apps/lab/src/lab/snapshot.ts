/**
 * What the lab sees at one instant: per group the lock holder (Consul journal), the route targets
 * (EC2 state, as the VPC router sees it) and the EIP; per instance the agent process, its /status,
 * its Consul agent and EC2 state, and its Internet path. Plain data, so the view renders it in tests.
 */
import type { AgentExit, AgentProcessState } from '../process/agent-process';

export interface HolderInfo {
  instanceId: string;
  session: string;
  since: number;
  lockIndex: number;
}

export interface TableView {
  routeTableId: string;
  name: string;
  /** 0.0.0.0/0 target: ENI, NAT gateway, IGW or instance id; null without a default route. */
  target: string | null;
  /** The instance owning the target ENI, if any. */
  targetInstance: string | null;
  state: string;
}

export interface GroupView {
  name: string;
  key: string;
  holder: HolderInfo | null;
  tables: TableView[];
  /** Every table active and on the holder's ENI. */
  converged: boolean;
  eip?: { allocationId: string; publicIp: string; instanceId: string | null };
}

export interface AgentGroupStatus {
  name: string;
  state: string;
  leader: boolean;
  role: string;
}

/** The parts of nat-agent's `/status` the lab shows (docs/operations.md "Command line"). */
export interface AgentStatusView {
  health: string;
  reported: string;
  ready: boolean;
  readyReasons: string[];
  draining: boolean;
  /** The agent's Consul session, as it believes. */
  session: string | null;
  groups: AgentGroupStatus[];
}

export interface ConsulNodeView {
  process: string;
  member: string;
  partitioned: boolean;
}

export interface AgentView {
  instanceId: string;
  name: string;
  az: string;
  eni: string;
  process: AgentProcessState;
  pid: number | undefined;
  generation: number;
  lastExit?: AgentExit;
  internetUp: boolean;
  instanceState: string;
  consul: ConsulNodeView | null;
  status: AgentStatusView | null;
  /** Why /status could not be read (paused, starting, gone). */
  statusError?: string;
  /** The agent's session exists in Consul (from the journal). */
  sessionLive: boolean;
}

export interface LabSnapshot {
  at: number;
  groups: GroupView[];
  agents: AgentView[];
  consulLeader: boolean;
  /** Injected EC2 faults still active. */
  ec2Faults: number;
}

/** Parses an agent's /status body defensively: the lab must not break on a field it does not know. */
export function toStatusView(body: unknown): AgentStatusView | null {
  if (body == null || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  if (b['starting'] === true) {
    return {
      health: 'starting',
      reported: 'starting',
      ready: false,
      readyReasons: ['starting'],
      draining: false,
      session: null,
      groups: [],
    };
  }
  const health = (b['health'] ?? {}) as Record<string, unknown>;
  const reported = (health['reported'] ?? {}) as Record<string, unknown>;
  const ready = (b['ready'] ?? {}) as Record<string, unknown>;
  const groups = Array.isArray(b['groups']) ? (b['groups'] as Record<string, unknown>[]) : [];
  const consul = (b['consul'] ?? {}) as Record<string, unknown>;
  return {
    health: typeof health['level'] === 'string' ? health['level'] : 'unknown',
    reported: typeof reported['status'] === 'string' ? reported['status'] : 'unknown',
    ready: ready['ok'] === true,
    readyReasons: Array.isArray(ready['reasons']) ? (ready['reasons'] as unknown[]).map(String) : [],
    draining: b['draining'] != null,
    session: typeof consul['session'] === 'string' ? consul['session'] : null,
    groups: groups.map((g) => ({
      name: typeof g['name'] === 'string' ? g['name'] : '?',
      state: typeof g['state'] === 'string' ? g['state'] : '?',
      leader: g['leader'] === true,
      role: typeof g['role'] === 'string' ? g['role'] : '?',
    })),
  };
}

/** A group is steady when it has a leader whose agent runs and every table points at it, active. */
export function isGroupConverged(group: GroupView, eniOf: (id: string) => string | undefined): boolean {
  if (group.holder == null) return false;
  const eni = eniOf(group.holder.instanceId);
  const eipOk = group.eip == null || group.eip.instanceId === group.holder.instanceId;
  return (
    eipOk && group.tables.length > 0 && group.tables.every((t) => t.target === eni && t.state === 'active')
  );
}

/** The holder's own agent says it leads the group and has finished claiming. */
export function isServing(group: GroupView, agents: readonly AgentView[]): boolean {
  const holder = agents.find((a) => a.instanceId === group.holder?.instanceId);
  const g = holder?.status?.groups.find((x) => x.name === group.name);
  return g != null && g.leader && g.state === 'leader.serving';
}

/** Running, ready, a healthy path, a live Consul session, and every group past start-up. */
export function isAgentHealthy(agent: AgentView): boolean {
  return (
    agent.process === 'running' &&
    agent.status != null &&
    agent.status.health === 'healthy' &&
    agent.status.ready &&
    !agent.status.draining &&
    agent.sessionLive &&
    agent.status.groups.every((g) => g.state !== 'starting')
  );
}

/** Sessions Consul holds now, from its journal (created and not destroyed). */
export function liveSessions(journal: readonly { op: string; session?: string }[]): Set<string> {
  const live = new Set<string>();
  for (const e of journal) {
    if (e.session == null) continue;
    if (e.op === 'session-create') live.add(e.session);
    else if (e.op === 'session-destroy') live.delete(e.session);
  }
  return live;
}

/**
 * The emulated cluster: the replicated state, one agent per node, and what the servers do around
 * them — the leader's session TTL timers and serf reconciliation, the RPC path from an agent to the
 * leader (held up to `rpc_hold_timeout` when there is no leader or no path, spec §7.3), gossip
 * failure detection after a kill or partition (spec §8.6), and the fault controls.
 */
import { TestkitError } from '../errors';
import { ConsulAgent, type LocalChange } from './agent';
import {
  deleteCheckTxn,
  deleteServiceTxn,
  deregisterNodeTxn,
  ensureCheckTxn,
  ensureServiceTxn,
  registerNodeTxn,
  sameCheck,
  sameService,
  type CheckDraft,
  type ServiceDraft,
} from './catalog-store';
import { createAgentServer, type AgentServer } from './http-server';
import { RpcError } from './http-errors';
import type { ConsulCheckStatus } from './journal';
import { defaultFailureDetectionMs, resolveNodeSpec, type ResolvedConsulOptions } from './options';
import { SERF_CHECK_ID } from './session-codec';
import { destroySessionTxn } from './session-store';
import { SessionTimers } from './session-timers';
import { ConsulState, type CatalogCheck, type CatalogService } from './state';
import { nsToMs, parseGoDuration } from './go-duration';

export type RpcMode = 'write' | 'read' | 'consistent' | 'stale';

export const SERF_CHECK_NAME = 'Serf Health Status';
export const SERF_ALIVE_OUTPUT = 'Agent alive and reachable';
export const SERF_FAILED_OUTPUT = 'Agent not live or unreachable';
/** Consul's server RPC port, as `/v1/status/leader|peers` report it (rule 77). */
export const SERVER_RPC_PORT = 8300;

/** The text of an RPC that could not reach the servers from a partitioned agent. */
export const PARTITION_RPC_ERROR = 'rpc error making call: i/o timeout';

function unknownNode(name: string): TestkitError {
  return new TestkitError('INVALID_OPTION', `consul emulator: no node named ${JSON.stringify(name)}`);
}

export class ConsulCluster {
  readonly state: ConsulState;
  readonly agents = new Map<string, ConsulAgent>();
  readonly servers = new Map<string, AgentServer>();
  leaderUp = true;
  leaderLostAt = 0;
  closed = false;
  /** Requests parked in a blocking query or an RPC hold right now. */
  parked = 0;
  private readonly sessionTimers: SessionTimers;
  private readonly conditionListeners = new Set<() => void>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private nextAddress: number;

  constructor(readonly options: ResolvedConsulOptions) {
    this.state = new ConsulState(options.clock);
    this.nextAddress = 10 + options.nodes.length;
    this.sessionTimers = new SessionTimers(options.clock, (id) => this.expireSession(id));
    this.state.onSessionsDestroyed = (ids) => {
      for (const id of ids) this.sessionTimers.clear(id);
    };
  }

  get clock() {
    return this.options.clock;
  }

  /** Creates the agents and their servers, and registers every node as the leader would. */
  async start(): Promise<void> {
    const base = this.options.portBase;
    this.options.nodes.forEach((n, i) =>
      this.createAgent(n.name, n.address, i < 3, base == null ? 0 : base + 1 + i),
    );
    await Promise.all([...this.servers.values()].map((s) => s.listen()));
    for (const agent of this.agents.values()) this.reconcile(agent);
  }

  agent(name: string): ConsulAgent {
    const a = this.agents.get(name);
    if (a == null) throw unknownNode(name);
    return a;
  }

  server(name: string): AgentServer {
    const s = this.servers.get(name);
    if (s == null) throw unknownNode(name);
    return s;
  }

  private createAgent(name: string, address: string, isServer: boolean, port = 0): ConsulAgent {
    const agent = new ConsulAgent(name, address, isServer, {
      clock: this.clock,
      random: this.options.random,
      minCheckIntervalMs: this.options.minCheckIntervalMs,
      onLocalChange: (a, change) => this.onLocalChange(a, change),
      track: (p) => this.track(p),
    });
    this.agents.set(name, agent);
    this.servers.set(name, createAgentServer(this, agent, port));
    return agent;
  }

  // ── RPC path ────────────────────────────────────────────────────────────────────────────────

  /** The prefix a client agent puts on RPC errors (spec §7.2). */
  get rpcErrorPrefix(): string {
    return this.options.agentErrorStyle === 'client' ? 'rpc error making call: ' : '';
  }

  /**
   * Waits until the agent can reach a leader for this kind of request, for at most
   * `rpc_hold_timeout`: a partitioned agent reaches nobody; without a leader only `?stale` reads are
   * served (spec §7.3). Throws the RPC error the agent would return.
   */
  async gate(agent: ConsulAgent, mode: RpcMode, signal: AbortSignal): Promise<void> {
    const deadline = this.clock.now() + this.options.rpcHoldTimeoutMs;
    for (;;) {
      if (this.closed) throw new RpcError('agent: shutting down');
      const blocked = agent.partitioned
        ? 'partition'
        : !this.leaderUp && mode !== 'stale'
          ? 'leader'
          : undefined;
      if (blocked == null) return;
      const remaining = deadline - this.clock.now();
      if (remaining <= 0) {
        throw blocked === 'partition'
          ? new RpcError(PARTITION_RPC_ERROR, { prefixed: true })
          : new RpcError('No cluster leader');
      }
      await this.waitForCondition(remaining, signal);
    }
  }

  /** Resolves when a fault is healed or the leader returns, or after `ms`; rejects on abort. */
  waitForCondition(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason as Error);
        return;
      }
      this.parked++;
      const done = (): void => {
        this.parked--;
        this.clock.clearTimer(timer);
        this.conditionListeners.delete(done);
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.parked--;
        this.clock.clearTimer(timer);
        this.conditionListeners.delete(done);
        reject(signal.reason as Error);
      };
      const timer = this.clock.setTimer(done, ms);
      this.conditionListeners.add(done);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private conditionsChanged(): void {
    for (const l of [...this.conditionListeners]) l();
  }

  /** `X-Consul-KnownLeader` / `X-Consul-LastContact` for a read (spec §1.4). */
  queryMeta(): { knownLeader: boolean; lastContactMs: number } {
    if (this.leaderUp) return { knownLeader: true, lastContactMs: 0 };
    return {
      knownLeader: false,
      lastContactMs: Math.max(0, Math.floor(this.clock.now() - this.leaderLostAt)),
    };
  }

  leaderAddress(): string {
    if (!this.leaderUp) return '';
    const leader = [...this.agents.values()].find((a) => a.isServer);
    return leader == null ? '' : `${leader.address}:${SERVER_RPC_PORT}`;
  }

  peerAddresses(): string[] {
    return [...this.agents.values()].filter((a) => a.isServer).map((a) => `${a.address}:${SERVER_RPC_PORT}`);
  }

  // ── Sessions (leader side) ──────────────────────────────────────────────────────────────────

  /** Starts or resets the TTL timer of a session after create or renew (spec §2.6). */
  resetSessionTimer(id: string, ttl: string): void {
    if (ttl === '' || !this.leaderUp) return;
    let ms = 0;
    try {
      ms = nsToMs(parseGoDuration(ttl));
    } catch {
      return;
    }
    this.sessionTimers.reset(id, ms);
  }

  private expireSession(id: string): void {
    if (!this.leaderUp || this.closed) return;
    this.state.apply((tx) => destroySessionTxn(tx, id, 'ttl'));
  }

  // ── Leader: serf → catalog ──────────────────────────────────────────────────────────────────

  /**
   * What the leader's reconcile does for one member: register an alive node with a passing
   * serfHealth, mark a failed one critical (destroying its serfHealth sessions), deregister a
   * node that left (spec §6.8, §8.6). Nothing happens without a leader; `restoreLeader` catches up.
   */
  reconcile(agent: ConsulAgent): void {
    if (!this.leaderUp || this.closed) return;
    const serf = this.state.checks.get(agent.name)?.get(SERF_CHECK_ID);
    if (agent.member === 'left') {
      if (this.state.nodes.has(agent.name)) this.state.apply((tx) => deregisterNodeTxn(tx, agent.name));
      return;
    }
    const status: ConsulCheckStatus = agent.member === 'alive' ? 'passing' : 'critical';
    const output = agent.member === 'alive' ? SERF_ALIVE_OUTPUT : SERF_FAILED_OUTPUT;
    const node = this.state.nodes.get(agent.name);
    const nodeCurrent = node != null && node.id === agent.nodeId && node.address === agent.address;
    if (nodeCurrent && serf?.status === status && serf.output === output) return;
    this.state.apply((tx) => {
      registerNodeTxn(tx, {
        id: agent.nodeId,
        node: agent.name,
        address: agent.address,
        datacenter: this.options.datacenter,
      });
      ensureCheckTxn(
        tx,
        {
          node: agent.name,
          checkId: SERF_CHECK_ID,
          name: SERF_CHECK_NAME,
          status,
          notes: '',
          output,
          serviceId: '',
          serviceName: '',
          serviceTags: [],
          type: '',
          interval: '',
          timeout: '',
        },
        'node-failed',
      );
    });
    if (agent.member === 'alive') this.syncAgent(agent, true);
  }

  private scheduleFailureDetection(agent: ConsulAgent): void {
    if (agent.detectionTimer != null || agent.member !== 'alive') return;
    const members = [...this.agents.values()].filter((a) => a.member !== 'left').length;
    const delay = this.options.failureDetectionMs ?? defaultFailureDetectionMs(members);
    agent.detectionTimer = this.clock.setTimer(() => {
      agent.detectionTimer = undefined;
      if (agent.member !== 'alive') return;
      agent.member = 'failed';
      this.state.note({ op: 'node-failed', node: agent.name });
      this.reconcile(agent);
    }, delay);
  }

  private cancelFailureDetection(agent: ConsulAgent): void {
    if (agent.detectionTimer != null) this.clock.clearTimer(agent.detectionTimer);
    agent.detectionTimer = undefined;
  }

  // ── Agent → catalog sync (anti-entropy) ─────────────────────────────────────────────────────

  private canSync(agent: ConsulAgent): boolean {
    return agent.running && !agent.partitioned && this.leaderUp && !this.closed && agent.member !== 'left';
  }

  private onLocalChange(agent: ConsulAgent, change: LocalChange): void {
    if (change === 'output') {
      // Output-only changes wait for check_update_interval (spec §6.3).
      if (agent.outputSyncTimer == null) {
        agent.outputSyncTimer = this.clock.setTimer(() => {
          agent.outputSyncTimer = undefined;
          this.syncAgent(agent, true);
        }, this.options.checkUpdateIntervalMs);
      }
      return;
    }
    this.syncAgent(agent, false);
  }

  /**
   * Brings the catalog in line with the agent's local services and checks, in one raft entry.
   * Status differences are always synced; output-only differences only when `includeOutput`.
   */
  syncAgent(agent: ConsulAgent, includeOutput: boolean): void {
    if (!this.canSync(agent) || !this.state.nodes.has(agent.name)) {
      agent.dirty = true;
      return;
    }
    const catalogServices = this.state.services.get(agent.name) ?? new Map<string, CatalogService>();
    const catalogChecks = this.state.checks.get(agent.name) ?? new Map<string, CatalogCheck>();
    const svcDrafts: ServiceDraft[] = [...agent.services.values()].map((s) => ({
      node: agent.name,
      id: s.id,
      service: s.name,
      tags: s.tags,
      address: s.address,
      meta: s.meta,
      port: s.port,
      weights: s.weights,
      enableTagOverride: s.enableTagOverride,
    }));
    const checkDrafts = [...agent.checks.values()].map((c) => {
      const current = catalogChecks.get(c.def.id);
      // Output-only differences wait for check_update_interval unless this is that sync.
      const output =
        current == null || current.status !== c.status || includeOutput ? c.output : current.output;
      return agent.catalogDraft(c, output);
    });
    const goneChecks = [...catalogChecks.keys()].filter(
      (id) => id !== SERF_CHECK_ID && !agent.checks.has(id),
    );
    const goneServices = [...catalogServices.keys()].filter((id) => !agent.services.has(id));
    agent.dirty = false;
    const changed =
      goneChecks.length > 0 ||
      goneServices.length > 0 ||
      svcDrafts.some((d) => {
        const c = catalogServices.get(d.id);
        return c == null || !sameService(c, d);
      }) ||
      checkDrafts.some((d) => {
        const c = catalogChecks.get(d.checkId);
        return c == null || !sameCheck(c, d);
      });
    // Nothing differs: no raft entry at all.
    if (!changed) return;
    this.state.apply((tx) => {
      for (const d of svcDrafts) ensureServiceTxn(tx, d);
      for (const d of checkDrafts) ensureCheckTxn(tx, d);
      for (const id of goneChecks) deleteCheckTxn(tx, agent.name, id);
      for (const id of goneServices) deleteServiceTxn(tx, agent.name, id);
    });
  }

  // ── Probes in flight ────────────────────────────────────────────────────────────────────────

  private track(p: Promise<unknown>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p)).catch(() => {});
  }

  /** Resolves once no check probe is in flight (useful after advancing a virtual clock). */
  async whenChecksIdle(signal?: AbortSignal): Promise<void> {
    while (this.inFlight.size > 0) {
      signal?.throwIfAborted();
      await Promise.allSettled([...this.inFlight]);
    }
  }

  // ── Fault controls ──────────────────────────────────────────────────────────────────────────

  async addNode(name: string, address: string | undefined): Promise<string> {
    const spec = resolveNodeSpec(
      address == null ? name : { name, address },
      () => `127.0.0.${this.nextAddress++}`,
      'addNode',
    );
    if (this.agents.has(spec.name)) {
      throw new TestkitError('INVALID_OPTION', `addNode: a node named ${spec.name} already exists`);
    }
    const agent = this.createAgent(spec.name, spec.address, false);
    await this.server(spec.name).listen();
    this.state.note({ op: 'node-alive', node: agent.name });
    this.reconcile(agent);
    return this.server(spec.name).url;
  }

  async killNode(name: string): Promise<void> {
    const agent = this.agent(name);
    if (agent.process !== 'running') return;
    agent.process = 'killed';
    agent.stopRunners();
    this.clearOutputTimer(agent);
    this.state.note({ op: 'node-killed', node: name });
    await this.server(name).stop();
    this.scheduleFailureDetection(agent);
  }

  async reviveNode(name: string): Promise<void> {
    const agent = this.agent(name);
    if (agent.process === 'running') return;
    this.cancelFailureDetection(agent);
    agent.process = 'running';
    await this.server(name).listen();
    if (!agent.partitioned) agent.member = 'alive';
    this.state.note({ op: 'node-revived', node: name });
    agent.startRunners();
    this.reconcile(agent);
    this.syncAgent(agent, true);
    this.conditionsChanged();
  }

  partitionNode(name: string): void {
    const agent = this.agent(name);
    if (agent.partitioned) return;
    agent.partitioned = true;
    this.state.note({ op: 'node-partitioned', node: name });
    this.scheduleFailureDetection(agent);
  }

  healNode(name: string): void {
    const agent = this.agent(name);
    if (!agent.partitioned) return;
    agent.partitioned = false;
    this.cancelFailureDetection(agent);
    this.state.note({ op: 'node-healed', node: name });
    if (agent.running && agent.member === 'failed') {
      agent.member = 'alive';
      this.state.note({ op: 'node-alive', node: name });
    }
    if (agent.process === 'killed') this.scheduleFailureDetection(agent);
    this.reconcile(agent);
    this.syncAgent(agent, true);
    this.conditionsChanged();
  }

  async leaveNode(name: string): Promise<void> {
    const agent = this.agent(name);
    if (agent.process === 'left') return;
    this.cancelFailureDetection(agent);
    agent.process = 'left';
    agent.member = 'left';
    agent.stopRunners();
    this.clearOutputTimer(agent);
    this.state.note({ op: 'node-left', node: name });
    this.reconcile(agent);
    await this.server(name).stop();
  }

  loseLeader(): void {
    if (!this.leaderUp) return;
    this.leaderUp = false;
    this.leaderLostAt = this.clock.now();
    // Timers live on the leader only (spec §2.6).
    this.sessionTimers.clearAll();
    this.state.note({ op: 'leader-lost' });
  }

  restoreLeader(): void {
    if (this.leaderUp) return;
    this.leaderUp = true;
    this.state.note({ op: 'leader-restored' });
    // The new leader recreates every TTL timer at a full 2×TTL (rule 68).
    for (const s of this.state.sessions.values()) this.resetSessionTimer(s.id, s.ttl);
    for (const agent of this.agents.values()) {
      this.reconcile(agent);
      if (agent.dirty) this.syncAgent(agent, true);
    }
    this.conditionsChanged();
  }

  /**
   * Writes a check's status straight into the catalog (one raft entry; a critical status destroys
   * the sessions that list the check). A check the agent runs itself is updated locally too, and
   * its next probe may change it again.
   */
  setCheckStatus(node: string, checkId: string, status: ConsulCheckStatus, output?: string): void {
    const agent = this.agent(node);
    if (status !== 'passing' && status !== 'warning' && status !== 'critical') {
      throw new TestkitError('INVALID_OPTION', `setCheckStatus: status must be passing, warning or critical`);
    }
    const current = this.state.checks.get(node)?.get(checkId);
    const local = agent.checks.get(checkId);
    if (current == null && local == null) {
      throw new TestkitError(
        'INVALID_OPTION',
        `setCheckStatus: node ${node} has no check ${JSON.stringify(checkId)}`,
      );
    }
    if (local != null) {
      local.status = status;
      if (output != null) local.output = output;
    }
    let draft: CheckDraft;
    if (local != null) {
      draft = agent.catalogDraft(local, output ?? local.output);
    } else {
      const { createIndex: _c, modifyIndex: _m, ...rest } = current!;
      draft = { ...rest, status, output: output ?? rest.output };
    }
    this.state.apply((tx) => ensureCheckTxn(tx, draft));
  }

  private clearOutputTimer(agent: ConsulAgent): void {
    if (agent.outputSyncTimer != null) this.clock.clearTimer(agent.outputSyncTimer);
    agent.outputSyncTimer = undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sessionTimers.clearAll();
    for (const agent of this.agents.values()) {
      agent.stopRunners();
      this.cancelFailureDetection(agent);
      this.clearOutputTimer(agent);
    }
    this.conditionsChanged();
    await Promise.all([...this.servers.values()].map((s) => s.stop()));
  }
}

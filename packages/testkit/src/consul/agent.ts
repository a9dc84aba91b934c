/**
 * One Consul agent of the emulated cluster: its node identity, its process and gossip state, and
 * its local services and checks (the agent's own view, `/v1/agent/services|checks`), which it runs
 * and syncs to the catalog. A status change triggers an immediate sync; an output-only change waits
 * for `check_update_interval` (spec §6.3 "Agent-to-catalog sync").
 */
import { randomUUID } from 'node:crypto';
import type { TestClock, TimerHandle } from '../clock';
import type { CheckDefinition, ServiceDefinition } from './check-definition';
import { showDuration } from './check-definition';
import type { CheckDraft } from './catalog-store';
import { startCheckRunner, type CheckRunner } from './check-runner';
import { goQuote } from './go-url';
import { HttpError } from './http-errors';
import type { ConsulCheckStatus } from './journal';

export interface LocalCheck {
  def: CheckDefinition;
  status: ConsulCheckStatus;
  output: string;
  serviceName: string;
  serviceTags: string[];
  runner: CheckRunner | undefined;
}

export type LocalChange = 'status' | 'output' | 'registration';

export interface AgentDeps {
  clock: TestClock;
  random: () => number;
  minCheckIntervalMs: number;
  onLocalChange: (agent: ConsulAgent, change: LocalChange) => void;
  track: (probe: Promise<unknown>) => void;
}

/** serf's view of the member. */
export type MemberStatus = 'alive' | 'failed' | 'left';
/** What happened to the agent process. */
export type AgentProcess = 'running' | 'killed' | 'left';

export class ConsulAgent {
  readonly nodeId = randomUUID();
  process: AgentProcess = 'running';
  member: MemberStatus = 'alive';
  partitioned = false;
  /** Set when a sync could not reach the leader; the next full sync clears it. */
  dirty = false;
  detectionTimer: TimerHandle | undefined;
  outputSyncTimer: TimerHandle | undefined;
  readonly services = new Map<string, Omit<ServiceDefinition, 'checks'>>();
  readonly checks = new Map<string, LocalCheck>();

  constructor(
    readonly name: string,
    readonly address: string,
    readonly isServer: boolean,
    private readonly deps: AgentDeps,
  ) {}

  get running(): boolean {
    return this.process === 'running';
  }

  /** `PUT /v1/agent/service/register` (spec §6.1). */
  registerService(def: ServiceDefinition, replaceExistingChecks: boolean): void {
    const { checks, ...service } = def;
    this.services.set(service.id, service);
    if (replaceExistingChecks) {
      const keep = new Set(checks.map((c) => c.id));
      for (const [id, c] of this.checks)
        if (c.def.serviceId === service.id && !keep.has(id)) this.dropCheck(id);
    }
    for (const c of checks) this.addCheck(c, service.name, service.tags);
    this.deps.onLocalChange(this, 'registration');
  }

  /** Removes a service and its checks. Unknown ids are Consul's 404. */
  deregisterService(id: string): void {
    if (!this.services.has(id)) {
      throw new HttpError(
        404,
        `Unknown service ID ${goQuote(id)}. Ensure that the service ID is passed, not the service name.`,
      );
    }
    for (const [cid, c] of [...this.checks]) if (c.def.serviceId === id) this.dropCheck(cid);
    this.services.delete(id);
    this.deps.onLocalChange(this, 'registration');
  }

  /** `PUT /v1/agent/check/register` (spec §6.2). */
  registerCheck(def: CheckDefinition): void {
    let serviceName = '';
    let serviceTags: string[] = [];
    if (def.serviceId !== '') {
      const svc = this.services.get(def.serviceId);
      if (svc == null) throw new HttpError(400, `ServiceID ${goQuote(def.serviceId)} does not exist`);
      serviceName = svc.name;
      serviceTags = svc.tags;
    }
    this.addCheck(def, serviceName, serviceTags);
    this.deps.onLocalChange(this, 'registration');
  }

  deregisterCheck(id: string): void {
    if (!this.checks.has(id)) throw unknownCheck(id);
    this.dropCheck(id);
    this.deps.onLocalChange(this, 'registration');
  }

  /** `check/pass|warn|fail|update` on a TTL check (spec §6.2): 404 unknown, 500 not TTL. */
  updateTtlCheck(id: string, status: ConsulCheckStatus, output: string): void {
    const check = this.checks.get(id);
    if (check == null) throw unknownCheck(id);
    if (check.def.kind !== 'ttl') throw new HttpError(500, `CheckID "${id}" does not have associated TTL`);
    if (check.runner != null) check.runner.setStatus(status, output);
    else this.setLocalStatus(id, status, output);
  }

  /** Records a check result locally and tells the cluster what kind of change it was. */
  setLocalStatus(id: string, status: ConsulCheckStatus, output: string): void {
    const check = this.checks.get(id);
    if (check == null) return;
    const statusChanged = check.status !== status;
    const outputChanged = check.output !== output;
    check.status = status;
    check.output = output;
    if (statusChanged) this.deps.onLocalChange(this, 'status');
    else if (outputChanged) this.deps.onLocalChange(this, 'output');
  }

  startRunners(): void {
    for (const [id, check] of this.checks)
      if (check.runner == null) check.runner = this.runnerFor(id, check.def);
  }

  stopRunners(): void {
    for (const check of this.checks.values()) {
      check.runner?.stop();
      check.runner = undefined;
    }
  }

  /** The catalog form of a local check. */
  catalogDraft(check: LocalCheck, output: string): CheckDraft {
    return {
      node: this.name,
      checkId: check.def.id,
      name: check.def.name,
      status: check.status,
      notes: check.def.notes,
      output,
      serviceId: check.def.serviceId,
      serviceName: check.serviceName,
      serviceTags: check.serviceTags,
      type: check.def.kind,
      interval: showDuration(check.def.intervalNs),
      timeout: showDuration(check.def.timeoutNs),
    };
  }

  private addCheck(def: CheckDefinition, serviceName: string, serviceTags: string[]): void {
    const previous = this.checks.get(def.id);
    previous?.runner?.stop();
    // Re-registering keeps the previous status and output; a new check starts critical unless
    // `Status` says otherwise (rule 74).
    const check: LocalCheck = {
      def,
      status: previous?.status ?? def.status ?? 'critical',
      output: previous?.output ?? '',
      serviceName,
      serviceTags,
      runner: undefined,
    };
    this.checks.set(def.id, check);
    if (this.running) check.runner = this.runnerFor(def.id, def);
  }

  private dropCheck(id: string): void {
    this.checks.get(id)?.runner?.stop();
    this.checks.delete(id);
  }

  private runnerFor(id: string, def: CheckDefinition): CheckRunner {
    return startCheckRunner(def, {
      clock: this.deps.clock,
      random: this.deps.random,
      minIntervalMs: this.deps.minCheckIntervalMs,
      track: this.deps.track,
      report: (status, output) => this.setLocalStatus(id, status, output),
    });
  }
}

function unknownCheck(id: string): HttpError {
  return new HttpError(
    404,
    `Unknown check ID ${goQuote(id)}. Ensure that the check ID is passed, not the check name.`,
  );
}

/**
 * `createLab()`: the simulated VPC with real agents. It starts the testkit world in-process
 * (`startSim`: Consul with one agent per instance, EC2, Auto Scaling, IMDS per instance, one clock),
 * one Internet path per instance, and one real nat-agent process per instance, configured exactly as
 * on EC2 (its IMDS, the EC2/Auto Scaling endpoints, its own Consul agent, an agent.yaml, no static
 * credentials). It offers the faults the demo, the bench and the campaign inject, and observes the
 * result (lock holders from the Consul journal, routes from the EC2 state, each agent's /status).
 */
import { writeFile } from 'node:fs/promises';
import {
  defaultWorld,
  lockHolders,
  startSim,
  type ConsulEmulatorOptions,
  type DefaultWorldOptions,
  type Sim,
} from '@nat-ha/testkit';
import { LabError } from '../errors';
import type { InternetPath } from '../internet/internet-path';
import { DEFAULT_SAFETY_TIMING, type SafetyTiming } from '../invariants/invariant';
import { createAgentProcess, type AgentProcess } from '../process/agent-process';
import type { YamlValue } from '../util/yaml';
import { sleep, waitUntil } from '../util/wait';
import { agentConfigYaml, agentEnvironment } from '../world/agent-config';
import { prepareAgentBundle } from '../world/agent-bundle';
import {
  buildTopology,
  instanceName,
  instanceOf,
  type LabGroup,
  type Topology,
  type TopologyName,
} from '../world/topology';
import { createLabEventLog, type LabEventLog } from './lab-events';
import { createLoopbackPlatform, type LabPlatform } from './platform';
import {
  isAgentHealthy,
  isGroupConverged,
  isServing,
  liveSessions,
  toStatusView,
  type AgentView,
  type ConsulNodeView,
  type GroupView,
  type HolderInfo,
  type LabSnapshot,
} from './snapshot';
import { createWorkDir, type WorkDir } from './work-dir';

export interface LabOptions {
  /** Default `vpc` (one group, three candidates); `per-az` for one group per AZ with rescue. */
  topology?: TopologyName;
  /** The world's size (AZs, NAT instances, private route tables). Default: testkit's lab world. */
  world?: DefaultWorldOptions;
  /** EC2 latency. Default `realistic` (describe 80 ms, mutate 150 ms). */
  latency?: 'none' | 'realistic';
  /** EC2's published token buckets. Default false. */
  throttling?: boolean;
  /** The `vpc` group's leader follows the world's Elastic IP. Default true. */
  eip?: boolean;
  /** Deep-merged into every agent.yaml (bench profiles). */
  agentOverrides?: { [key: string]: YamlValue | undefined };
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Path of the nat-agent bundle; default `NAT_HA_LAB_AGENT_BUNDLE`, else found next to this package. */
  agentBundle?: string;
  /** Default: loopback. */
  platform?: LabPlatform;
  /** More Consul emulator options (failure detection delay, …). */
  consul?: Partial<ConsulEmulatorOptions>;
  /** Start the agents at once. Default true. */
  startAgents?: boolean;
  /** Remove the lab directory on close (tests, bench). Default false: logs stay until the next start. */
  removeWorkDirOnClose?: boolean;
  /** Progress messages during start-up. */
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
}

export interface Lab {
  readonly sim: Sim;
  readonly topology: Topology;
  readonly workDir: WorkDir;
  readonly platform: LabPlatform;
  readonly startedAt: number;
  readonly agents: ReadonlyMap<string, AgentProcess>;
  readonly internet: ReadonlyMap<string, InternetPath>;
  readonly events: LabEventLog;
  /** The fence timing the agents run with (docs/safety.md), for the invariant checks. */
  readonly safety: SafetyTiming;
  readonly lock: LockSettings;
  readonly faults: LabFaults;
  agent: (instanceId: string) => AgentProcess;
  name: (instanceId: string | null | undefined) => string;
  eniOf: (instanceId: string) => string | undefined;
  /** Current holder of a group's lock, from the Consul journal. */
  holder(group: LabGroup): HolderInfo | null;
  /** Starts an agent process (a new generation) and records its pid for crash cleanup. */
  startAgent(instanceId: string): void;
  /** Everything the lab sees now. */
  observe(signal?: AbortSignal): Promise<LabSnapshot>;
  /**
   * Waits until every group has one leader, healthy and serving, with every route on its ENI and no
   * other agent believing it leads (`scope: 'groups'`, the convergence invariant) — and, with
   * `scope: 'all'` (the default), every agent also running and healthy (a lab ready for a fault).
   */
  waitSteady(options: {
    timeoutMs: number;
    signal?: AbortSignal;
    scope?: 'all' | 'groups';
  }): Promise<LabSnapshot>;
  close(): Promise<void>;
}

/** Fault injection, each recorded in the event log with the instant it was applied. */
export interface LabFaults {
  crash(instanceId: string): void;
  terminate(instanceId: string): void;
  pause(instanceId: string): void;
  resume(instanceId: string): void;
  restart(instanceId: string): void;
  internetDown(instanceId: string): Promise<void>;
  internetUp(instanceId: string): Promise<void>;
  partition(instanceId: string): void;
  heal(instanceId: string): void;
  nodeDown(instanceId: string): Promise<void>;
  nodeUp(instanceId: string): Promise<void>;
  spotNotice(instanceId: string): void;
  clearNotices(instanceId: string): void;
  consulLeaderLoss(): void;
  consulLeaderRestore(): void;
  ec2Throttle(durationMs: number): void;
  ec2Errors(durationMs: number): void;
  imdsOutage(instanceId: string, durationMs: number): void;
  /** Undoes every fault: agents continued and restarted, paths up, partitions healed, EC2/IMDS clean. */
  healAll(signal?: AbortSignal): Promise<void>;
  readonly partitioned: ReadonlySet<string>;
  /** Instances with an interruption notice the lab has not cleared yet. */
  readonly noticed: ReadonlySet<string>;
  readonly consulLeaderLost: boolean;
}

const STATUS_TIMEOUT_MS = 800;

export async function createLab(options: LabOptions = {}): Promise<Lab> {
  const progress = options.onProgress ?? (() => undefined);
  const platform = options.platform ?? createLoopbackPlatform();
  const workDir = await createWorkDir();
  const events = createLabEventLog();
  const cleanups: Array<() => Promise<void>> = [];
  let sim: Sim | undefined;
  try {
    progress('copying the nat-agent bundle');
    const explicit = options.agentBundle ?? process.env['NAT_HA_LAB_AGENT_BUNDLE'];
    const bundle = await prepareAgentBundle({
      dir: workDir.path,
      ...(explicit == null || explicit === '' ? {} : { explicit }),
      ...(options.signal == null ? {} : { signal: options.signal }),
    });
    const world = defaultWorld(options.world);
    const topology = buildTopology(world, options.topology ?? 'vpc', { eip: options.eip ?? true });
    progress('starting Consul, EC2, Auto Scaling and IMDS emulators');
    sim = await startSim({
      world,
      host: platform.simHost,
      latency: options.latency ?? 'realistic',
      throttling: options.throttling ?? false,
      ...(options.consul == null ? {} : { consul: options.consul }),
      ...(options.signal == null ? {} : { signal: options.signal }),
    });
    const theSim = sim;
    const internet = new Map<string, InternetPath>();
    for (const inst of topology.instances) internet.set(inst.instanceId, await platform.startInternet(inst));
    cleanups.push(async () => {
      for (const p of internet.values()) await p.close().catch(() => undefined);
    });

    const agents = new Map<string, AgentProcess>();
    for (const inst of topology.instances) {
      const configPath = workDir.file(`${inst.name}.agent.yaml`);
      await writeFile(
        configPath,
        agentConfigYaml({
          topology,
          instance: inst,
          healthTargets: (internet.get(inst.instanceId) as InternetPath).targets,
          http: platform.agentHttp(inst),
          dataplane: platform.dataplane(inst),
          ...(options.agentOverrides == null ? {} : { overrides: options.agentOverrides }),
          ...(options.logLevel == null ? {} : { logLevel: options.logLevel }),
        }),
      );
      const env = agentEnvironment(
        process.env,
        {
          imds: theSim.endpoints.imds[inst.instanceId] as string,
          ec2: theSim.endpoints.ec2,
          autoscaling: theSim.endpoints.autoscaling,
          consulAgent: theSim.endpoints.consulAgents[inst.instanceId] as string,
        },
        workDir.file('empty'),
      );
      const command = platform.agentCommand(inst, {
        file: process.execPath,
        args: [bundle, 'run', '--config', configPath],
        env,
        cwd: workDir.path,
      });
      agents.set(
        inst.instanceId,
        createAgentProcess({
          instanceId: inst.instanceId,
          name: inst.name,
          command,
          logFile: workDir.file(`${inst.name}.log`),
        }),
      );
    }

    const lock = lockSettings(options.agentOverrides);
    const safety: SafetyTiming = { ...DEFAULT_SAFETY_TIMING, lockDelayMs: lock.lockDelayMs };

    const lab = assembleLab({
      sim: theSim,
      topology,
      workDir,
      platform,
      agents,
      internet,
      events,
      safety,
      lock,
      options,
      cleanups,
    });
    if (options.startAgents ?? true) {
      progress(`starting ${agents.size} nat-agent processes`);
      for (const id of agents.keys()) lab.startAgent(id);
    }
    return lab;
  } catch (error) {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await sim?.close().catch(() => undefined);
    await platform.close().catch(() => undefined);
    await workDir.remove().catch(() => undefined);
    throw error;
  }
}

interface Parts {
  sim: Sim;
  topology: Topology;
  workDir: WorkDir;
  platform: LabPlatform;
  agents: Map<string, AgentProcess>;
  internet: Map<string, InternetPath>;
  events: LabEventLog;
  safety: SafetyTiming;
  lock: LockSettings;
  options: LabOptions;
  cleanups: Array<() => Promise<void>>;
}

/** The lock timings the agents run with: nat-agent's profile and any explicit override. */
export interface LockSettings {
  profile: 'nat-ha' | 'consul-defaults';
  lockDelayMs: number;
  sessionTtlMs: number;
  /** The session is tied to the agent's liveness check (nat-ha) or only to serfHealth. */
  livenessCheck: boolean;
  /** A refused acquire is retried on this fixed grid (Consul's 5 s), or as soon as the delay can end. */
  lockRetryMs: number | null;
}

/** nat-agent's `consul.lockProfile` defaults (docs/operations.md), with explicit keys on top. */
export function lockSettings(overrides: LabOptions['agentOverrides']): LockSettings {
  const c = overrides?.['consul'];
  const consul =
    c != null && typeof c === 'object' && !Array.isArray(c) ? (c as Record<string, unknown>) : {};
  const consulDefaults = consul['lockProfile'] === 'consul-defaults';
  const num = (v: unknown, d: number) => (typeof v === 'number' ? v : d);
  return {
    profile: consulDefaults ? 'consul-defaults' : 'nat-ha',
    lockDelayMs: num(consul['lockDelayMs'], consulDefaults ? 15_000 : 1_500),
    sessionTtlMs: num(consul['sessionTtlMs'], consulDefaults ? 15_000 : 10_000),
    livenessCheck: !consulDefaults,
    lockRetryMs: consulDefaults ? 5_000 : null,
  };
}

function assembleLab(p: Parts): Lab {
  const { sim, topology, agents, internet, events } = p;
  const control = sim.aws.control;
  const startedAt = Date.now();
  const name = (id: string | null | undefined) => instanceName(topology, id);
  const eniOf = (id: string) => topology.instances.find((i) => i.instanceId === id)?.eni;
  const partitioned = new Set<string>();
  const stoppedInstances = new Set<string>();
  const noticed = new Set<string>();
  const imdsDown = new Set<string>();
  const ec2FaultIds: number[] = [];
  let consulLeaderLost = false;
  let closed = false;

  const agent = (id: string): AgentProcess => {
    const a = agents.get(id);
    if (a == null) throw new LabError('INVALID_OPTION', `no agent for instance ${id}`);
    return a;
  };

  const fault = (kind: string, instanceId: string | undefined, text: string) =>
    events.record({ kind: 'fault', fault: kind, ...(instanceId == null ? {} : { instanceId }), text });
  const heal = (kind: string, instanceId: string | undefined, text: string) =>
    events.record({ kind: 'heal', fault: kind, ...(instanceId == null ? {} : { instanceId }), text });

  function startAgent(id: string): void {
    const a = agent(id);
    if (a.state === 'running' || a.state === 'paused') return;
    a.start();
    if (a.pid != null) void p.workDir.recordPid(a.pid).catch(() => undefined);
  }

  const faults: LabFaults = {
    get partitioned() {
      return partitioned;
    },
    get noticed() {
      return noticed;
    },
    get consulLeaderLost() {
      return consulLeaderLost;
    },
    crash(id) {
      fault('crash', id, `kill -9 ${name(id)}'s agent`);
      agent(id).signal('SIGKILL', 'crash');
    },
    terminate(id) {
      fault('graceful', id, `SIGTERM ${name(id)}'s agent (drain)`);
      agent(id).signal('SIGTERM', 'SIGTERM');
    },
    pause(id) {
      fault('pause', id, `SIGSTOP ${name(id)}'s agent`);
      agent(id).signal('SIGSTOP');
    },
    resume(id) {
      heal('pause', id, `SIGCONT ${name(id)}'s agent`);
      agent(id).signal('SIGCONT');
    },
    restart(id) {
      heal('restart', id, `start ${name(id)}'s agent`);
      startAgent(id);
    },
    async internetDown(id) {
      fault('health', id, `${name(id)} loses its Internet path`);
      await (internet.get(id) as InternetPath).down();
    },
    async internetUp(id) {
      heal('health', id, `${name(id)}'s Internet path is back`);
      await (internet.get(id) as InternetPath).up();
    },
    partition(id) {
      fault('partition', id, `partition ${name(id)} from the Consul servers`);
      partitioned.add(id);
      sim.consul.partitionNode(id);
    },
    heal(id) {
      heal('partition', id, `heal ${name(id)}'s partition`);
      partitioned.delete(id);
      sim.consul.healNode(id);
    },
    async nodeDown(id) {
      fault('node', id, `${name(id)} dies (instance stopped: agent, Consul agent and ENI gone)`);
      stoppedInstances.add(id);
      agent(id).signal('SIGKILL', 'node-death');
      control.stopInstance(id);
      await p.platform.onNodeDown?.(instanceOf(topology, id));
    },
    async nodeUp(id) {
      heal('node', id, `${name(id)} is started again`);
      stoppedInstances.delete(id);
      control.startInstance(id);
      await p.platform.onNodeUp?.(instanceOf(topology, id));
      // startSim revives the instance's Consul agent with it; wait until it answers.
      await waitUntil(
        async () => {
          const res = await fetch(`${sim.endpoints.consulAgents[id] as string}/v1/agent/self`, {
            signal: AbortSignal.timeout(1_000),
          });
          return res.ok ? true : undefined;
        },
        { timeoutMs: 15_000, what: `${name(id)}'s Consul agent` },
      );
    },
    spotNotice(id) {
      fault('spot', id, `spot instance-action notice to ${name(id)}`);
      noticed.add(id);
      agent(id).expectExit('spot notice');
      control.sendSpotInterruption(id, { enforce: false });
    },
    clearNotices(id) {
      noticed.delete(id);
      control.clearNotices(id);
    },
    consulLeaderLoss() {
      fault('consul-leader-loss', undefined, 'the Consul cluster loses its leader');
      consulLeaderLost = true;
      sim.consul.loseLeader();
    },
    consulLeaderRestore() {
      heal('consul-leader-loss', undefined, 'the Consul cluster has a leader again');
      consulLeaderLost = false;
      sim.consul.restoreLeader();
    },
    ec2Throttle(durationMs) {
      fault('ec2-throttle', undefined, `EC2 answers RequestLimitExceeded for ${durationMs} ms`);
      ec2FaultIds.push(control.injectFault({ action: '*', durationMs, code: 'RequestLimitExceeded' }));
    },
    ec2Errors(durationMs) {
      fault('ec2-5xx', undefined, `EC2 answers 500 InternalError for ${durationMs} ms`);
      ec2FaultIds.push(control.injectFault({ action: '*', durationMs, code: 'InternalError', status: 500 }));
    },
    imdsOutage(id, durationMs) {
      fault('imds-outage', id, `${name(id)}'s IMDS answers 500 for ${durationMs} ms`);
      imdsDown.add(id);
      control.setImdsOutage(id, { mode: 'error', status: 500, durationMs });
    },
    async healAll(signal) {
      for (const [id, a] of agents) if (a.state === 'paused') faults.resume(id);
      for (const [id, path] of internet) if (!path.isUp) await faults.internetUp(id);
      for (const id of [...partitioned]) faults.heal(id);
      if (consulLeaderLost) faults.consulLeaderRestore();
      if (ec2FaultIds.length > 0) {
        control.clearFaults();
        ec2FaultIds.length = 0;
      }
      for (const id of [...imdsDown]) {
        control.setImdsOutage(id, null);
        imdsDown.delete(id);
      }
      for (const id of [...stoppedInstances]) await faults.nodeUp(id);
      for (const id of [...noticed]) {
        // A noticed agent drains and exits; give it the chance (IMDS poll 5 s + successor wait
        // 10 s) before ending it and restarting it.
        const a = agent(id);
        await Promise.race([a.whenExited(), sleep(20_000, signal)]);
        if (a.state === 'running' || a.state === 'paused') {
          const exited = a.whenExited();
          a.signal('SIGKILL', 'lab-repair');
          await exited;
        }
        faults.clearNotices(id);
      }
      if (signal?.aborted === true) throw new LabError('ABORTED', 'aborted');
      for (const [id, a] of agents) if (a.state === 'exited' || a.state === 'not-started') faults.restart(id);
    },
  };

  function holder(group: LabGroup): HolderInfo | null {
    const last = lockHolders(sim.consul.journal(), group.key).at(-1);
    if (last == null || last.to != null) return null;
    return { instanceId: last.node, session: last.session, since: last.from, lockIndex: last.lockIndex };
  }

  async function consulNodes(
    signal?: AbortSignal,
  ): Promise<{ leader: boolean; nodes: Map<string, ConsulNodeView> }> {
    try {
      const res = await fetch(`${sim.consul.controlUrl}/_emulator/v1/state`, {
        signal:
          signal == null ? AbortSignal.timeout(2_000) : AbortSignal.any([signal, AbortSignal.timeout(2_000)]),
      });
      const body = (await res.json()) as {
        leader: boolean;
        nodes: { name: string; process: string; member: string; partitioned: boolean }[];
      };
      return {
        leader: body.leader,
        nodes: new Map(
          body.nodes.map((n) => [
            n.name,
            { process: n.process, member: n.member, partitioned: n.partitioned },
          ]),
        ),
      };
    } catch {
      return { leader: !consulLeaderLost, nodes: new Map() };
    }
  }

  async function agentStatus(
    a: AgentProcess,
    signal?: AbortSignal,
  ): Promise<{ status: AgentView['status']; error?: string }> {
    if (a.state === 'paused') return { status: null, error: 'paused (SIGSTOP)' };
    if (a.state !== 'running') return { status: null, error: a.state };
    const url = a.httpUrl;
    if (url == null) return { status: null, error: 'starting' };
    try {
      const timeout = AbortSignal.timeout(STATUS_TIMEOUT_MS);
      const res = await fetch(`${url}/status`, {
        signal: signal == null ? timeout : AbortSignal.any([signal, timeout]),
      });
      return { status: toStatusView(await res.json()) };
    } catch (error) {
      return { status: null, error: (error as Error).name === 'TimeoutError' ? 'no answer' : 'unreachable' };
    }
  }

  async function observe(signal?: AbortSignal): Promise<LabSnapshot> {
    const at = Date.now();
    const tables = new Map(control.routeTables().map((t) => [t.routeTableId, t]));
    const addresses = control.addresses();
    const instances = new Map(control.instances().map((i) => [i.instanceId, i]));
    const groups: GroupView[] = topology.groups.map((g) => {
      const h = holder(g);
      const view: GroupView = {
        name: g.name,
        key: g.key,
        holder: h,
        tables: g.tableIds.map((id) => {
          const t = tables.get(id);
          const r = t?.routes.find((x) => x.destinationCidrBlock === '0.0.0.0/0');
          const target = r?.networkInterfaceId ?? r?.natGatewayId ?? r?.gatewayId ?? r?.instanceId ?? null;
          return {
            routeTableId: id,
            name: t?.tags['Name'] ?? id,
            target,
            targetInstance: target == null ? null : (topology.eniInstance.get(target) ?? null),
            state: r?.state ?? 'missing',
          };
        }),
        converged: false,
      };
      if (g.eipAllocationId != null) {
        const a = addresses.find((x) => x.allocationId === g.eipAllocationId);
        if (a != null) {
          view.eip = {
            allocationId: a.allocationId,
            publicIp: a.publicIp,
            instanceId:
              a.instanceId ??
              (a.networkInterfaceId == null
                ? null
                : (topology.eniInstance.get(a.networkInterfaceId) ?? null)),
          };
        }
      }
      view.converged = isGroupConverged(view, eniOf);
      return view;
    });
    const [consul, statuses] = await Promise.all([
      consulNodes(signal),
      Promise.all(topology.instances.map((i) => agentStatus(agent(i.instanceId), signal))),
    ]);
    const sessions = liveSessions(sim.consul.journal());
    const agentViews: AgentView[] = topology.instances.map((inst, k) => {
      const a = agent(inst.instanceId);
      const s = statuses[k] as { status: AgentView['status']; error?: string };
      const lastExit = a.exits.at(-1);
      return {
        instanceId: inst.instanceId,
        name: inst.name,
        az: inst.az,
        eni: inst.eni,
        process: a.state,
        pid: a.pid,
        generation: a.generation,
        ...(lastExit == null ? {} : { lastExit }),
        internetUp: internet.get(inst.instanceId)?.isUp ?? false,
        instanceState: instances.get(inst.instanceId)?.state ?? 'unknown',
        consul: consul.nodes.get(inst.instanceId) ?? null,
        status: s.status,
        ...(s.error == null ? {} : { statusError: s.error }),
        sessionLive: s.status?.session != null && sessions.has(s.status.session),
      };
    });
    return {
      at,
      groups,
      agents: agentViews,
      consulLeader: consul.leader,
      ec2Faults: control.pendingFaults().length,
    };
  }

  const lab: Lab = {
    sim,
    topology,
    workDir: p.workDir,
    platform: p.platform,
    startedAt,
    agents,
    internet,
    events,
    safety: p.safety,
    lock: p.lock,
    faults,
    agent,
    name,
    eniOf,
    holder,
    startAgent,
    observe,
    async waitSteady({ timeoutMs, signal, scope = 'all' }) {
      let last: LabSnapshot | undefined;
      try {
        return await waitUntil(
          async () => {
            // An agent that exited on its own will not become healthy by waiting: say why at once.
            for (const a of agents.values()) {
              const exit = a.exits.at(-1);
              if (
                a.state === 'exited' &&
                exit != null &&
                exit.generation === a.generation &&
                exit.expected == null
              ) {
                throw new LabError(
                  'AGENT_START_FAILED',
                  `${a.name}'s agent exited on its own (code ${String(exit.code)}, signal ${String(exit.signal)}):\n${a.tail()}`,
                );
              }
            }
            const snap = await observe(signal);
            last = snap;
            if (!snap.groups.every((g) => g.converged)) return undefined;
            if (scope === 'all' && !snap.agents.every(isAgentHealthy)) return undefined;
            // The holder must be a live, healthy agent (not a paused or dead one whose session
            // lingers), serving, and the only one that believes it leads.
            for (const g of snap.groups) {
              const h = snap.agents.find((a) => a.instanceId === g.holder?.instanceId);
              if (h == null || !isAgentHealthy(h) || !isServing(g, snap.agents)) return undefined;
              const claimants = snap.agents.filter(
                (a) => a.status?.groups.some((x) => x.name === g.name && x.leader) === true,
              );
              if (claimants.length !== 1) return undefined;
            }
            return snap;
          },
          {
            timeoutMs,
            intervalMs: 200,
            what:
              scope === 'all'
                ? 'a steady lab (every agent healthy, a serving leader per group, all routes on it)'
                : 'every group converged (one healthy serving leader, all routes on it)',
            rethrow: (e) => LabError.isInstance(e) && e.code === 'AGENT_START_FAILED',
            ...(signal == null ? {} : { signal }),
          },
        );
      } catch (error) {
        if (LabError.isInstance(error) && error.code === 'TIMEOUT' && last != null) {
          throw new LabError('TIMEOUT', `${error.message}; last seen: ${describeSnapshot(last, name)}`, {
            cause: error,
          });
        }
        throw error;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(
        [...agents.values()].map(async (a) => {
          if (a.state === 'running' || a.state === 'paused') {
            const exited = a.whenExited();
            a.signal('SIGKILL', 'lab-shutdown');
            await Promise.race([exited, sleep(3_000)]);
          }
          await a.dispose();
        }),
      );
      for (const c of p.cleanups.reverse()) await c().catch(() => undefined);
      await sim.close().catch(() => undefined);
      await p.platform.close().catch(() => undefined);
      if (p.options.removeWorkDirOnClose === true) await p.workDir.remove().catch(() => undefined);
    },
  };
  return lab;
}

/** One line on what is not steady, for timeout messages. */
export function describeSnapshot(s: LabSnapshot, name: (id: string) => string): string {
  const groups = s.groups
    .map((g) => {
      const targets = [
        ...new Set(
          g.tables.map(
            (t) =>
              `${t.targetInstance == null ? (t.target ?? '∅') : name(t.targetInstance)}${t.state === 'active' ? '' : `(${t.state})`}`,
          ),
        ),
      ].join('/');
      return `${g.name}: leader ${g.holder == null ? 'none' : name(g.holder.instanceId)}, routes → ${targets}`;
    })
    .join('; ');
  const agents = s.agents
    .map(
      (a) =>
        `${a.name} ${a.process}${a.status == null ? ` (${a.statusError ?? '?'})` : ` ${a.status.health}${a.status.ready ? '' : ' not-ready'}`}`,
    )
    .join(', ');
  return `${groups}; agents: ${agents}`;
}

/**
 * A simulated VPC (testkit `startSim`: Consul with one agent per instance, EC2 + Auto Scaling, one
 * IMDS per instance) and real `nat-agent run` processes configured exactly as the lab runs them:
 * standard environment variables pointing at the emulators, credentials from each instance's IMDS
 * through the SDK's default chain, `dataplane.mode: off`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim, type Sim, type WorldSpec } from '@nat-ha/testkit';
import { stringify } from 'yaml';
import { spawnAgent, type AgentProcess } from './agent-process';
import { startHealthTarget, type HealthTarget } from './health-target';

export interface ClusterAgent {
  instanceId: string;
  eni: string;
  target: HealthTarget;
  process: AgentProcess;
}

export interface SimCluster {
  sim: Sim;
  agents: ClusterAgent[];
  /** The managed route tables and where their default route points now. */
  targets(): Record<string, string | undefined>;
  /** Waits until every managed table's default route points at `eni`. */
  routesAt(eni: string, timeoutMs?: number): Promise<void>;
  leader(timeoutMs?: number): Promise<ClusterAgent>;
  /** Instance ids Consul lists as passing candidates (every check passing). */
  passing(): Promise<string[]>;
  /** Waits until Consul lists exactly these instances as passing. */
  passingAre(ids: string[], timeoutMs?: number): Promise<void>;
  /** Waits until `agent` itself (its /status) counts another healthy candidate for the group. */
  believesCandidate(agent: ClusterAgent, timeoutMs?: number): Promise<void>;
  /** The last log lines of every agent process, for failure messages. */
  dump(): string;
  /** Where a table's default route points now (ENI or NAT gateway id). */
  routeOf(routeTableId: string): string | undefined;
  /** Writes a config file and spawns an extra process for instance `index` (e.g. `check-config`). */
  spawn(
    index: number,
    options?: { config?: Record<string, unknown>; command?: string; env?: Record<string, string> },
  ): AgentProcess;
  close(): Promise<void>;
}

export const MANAGED_TABLES = ['rtb-00000000000000100', 'rtb-00000000000000101', 'rtb-00000000000000102'];

export function baseConfig(targetPort: number): Record<string, unknown> {
  return {
    http: { port: 0 },
    // A generous check timeout: a test machine under load must not lose sessions to slow answers
    // (a killed agent refuses connections at once, so crash detection is unaffected).
    consul: { checkIntervalMs: 1_000, checkTimeoutMs: 2_000 },
    health: {
      intervalMs: 200,
      timeoutMs: 150,
      rise: 2,
      fall: 2,
      quorum: 1,
      targets: [{ type: 'tcp', host: '127.0.0.1', port: targetPort }],
    },
    dataplane: { mode: 'off' },
    interruptions: { pollIntervalMs: 250 },
    drain: { successorWaitMs: 8_000, lifecycleHookName: 'nat-ha-drain' },
    groups: [{ name: 'vpc', role: 'primary', routeTables: { tags: { 'nat-ha:managed': 'true' } } }],
  };
}

export async function until(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function startCluster(options: {
  agents: number;
  config?: (base: Record<string, unknown>, index: number) => Record<string, unknown>;
  /** Node flags for the agent processes (profiling, heap limits). */
  nodeArgs?: string[];
  world?: WorldSpec;
  latency?: 'none' | 'realistic';
}): Promise<SimCluster> {
  const sim = await startSim({
    ...(options.world === undefined ? {} : { world: options.world }),
    ...(options.latency === undefined ? {} : { latency: options.latency }),
  });
  const dir = mkdtempSync(join(tmpdir(), 'nat-agent-it-'));
  const ids = Object.keys(sim.endpoints.imds);
  const spawned: AgentProcess[] = [];

  const envFor = (instanceId: string, configPath: string): Record<string, string> => ({
    CONSUL_HTTP_ADDR: sim.endpoints.consulAgents[instanceId] as string,
    AWS_ENDPOINT_URL_EC2: sim.endpoints.ec2,
    AWS_ENDPOINT_URL_AUTO_SCALING: sim.endpoints.autoscaling,
    AWS_EC2_METADATA_SERVICE_ENDPOINT: sim.endpoints.imds[instanceId] as string,
    AWS_REGION: sim.region,
    NAT_HA_CONFIG: configPath,
    // The SDK warns about Node 20 on stderr; nothing to act on in a test.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });

  const spawnFor = (
    index: number,
    config: Record<string, unknown>,
    command = 'run',
    env: Record<string, string> = {},
    tag = 'agent',
  ): AgentProcess => {
    const instanceId = ids[index] as string;
    const path = join(dir, `${tag}-${index}-${spawned.length}.yaml`);
    writeFileSync(path, stringify(config));
    const p = spawnAgent({
      name: `${tag}-${index} (${instanceId})`,
      command,
      env: { ...envFor(instanceId, path), ...env },
    });
    spawned.push(p);
    return p;
  };

  const agents: ClusterAgent[] = [];
  for (let i = 0; i < options.agents; i++) {
    const instanceId = ids[i] as string;
    const target = await startHealthTarget();
    const config = options.config?.(baseConfig(target.port), i) ?? baseConfig(target.port);
    agents.push({
      instanceId,
      eni: sim.aws.control.instance(instanceId).networkInterfaces[0]?.networkInterfaceId as string,
      target,
      process: spawnFor(i, config),
    });
  }

  const passing = async (): Promise<string[]> => {
    const url = Object.values(sim.endpoints.consulAgents)[0] as string;
    const res = await fetch(`${url}/v1/health/service/nat-ha?passing`);
    const list = (await res.json()) as Array<{ Service: { Meta: Record<string, string> } }>;
    return list.map((e) => e.Service.Meta.instance_id ?? '?').sort();
  };

  const targets = () =>
    Object.fromEntries(
      MANAGED_TABLES.map((id) => [
        id,
        sim.aws.control.routeTable(id).routes.find((r) => r.destinationCidrBlock === '0.0.0.0/0')
          ?.networkInterfaceId,
      ]),
    );

  return {
    sim,
    agents,
    targets,
    async routesAt(eni, timeoutMs = 20_000) {
      await until(() => Object.values(targets()).every((t) => t === eni), `routes at ${eni}`, timeoutMs);
    },
    async leader(timeoutMs = 20_000) {
      let found: ClusterAgent | undefined;
      await until(
        () => {
          found = agents.find(
            (a) =>
              a.process.logs.some((l) => l.event === 'routes_claimed') &&
              a.process.logs.filter((l) => l.event === 'elected').length >
                a.process.logs.filter((l) => l.event === 'resigned' || l.event === 'deposed').length,
          );
          return found !== undefined;
        },
        'a leader',
        timeoutMs,
      );
      return found as ClusterAgent;
    },
    passing,
    routeOf(rtb) {
      const r = sim.aws.control.routeTable(rtb).routes.find((x) => x.destinationCidrBlock === '0.0.0.0/0');
      return r?.networkInterfaceId ?? r?.natGatewayId;
    },
    async passingAre(ids, timeoutMs = 20_000) {
      const want = [...ids].sort().join();
      const end = Date.now() + timeoutMs;
      for (;;) {
        const got = (await passing()).join();
        if (got === want) return;
        if (Date.now() > end) throw new Error(`passing candidates are [${got}], want [${want}]`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async believesCandidate(agent, timeoutMs = 20_000) {
      const url = String((await agent.process.waitFor('http_listening')).url);
      const end = Date.now() + timeoutMs;
      for (;;) {
        const status = (await (await fetch(`${url}/status`)).json()) as {
          groups?: Array<{ facts: { healthyCandidate: boolean } }>;
        };
        if (status.groups?.[0]?.facts.healthyCandidate === true) return;
        if (Date.now() > end) throw new Error(`${agent.instanceId} never saw a healthy candidate`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    dump() {
      return spawned
        .map(
          (p) =>
            `── ${p.name}\n` +
            p.logs
              .filter((l) => l.level !== 'debug')
              .slice(-40)
              .map(
                (l) =>
                  `${l.time} ${l.level} ${l.event} ${JSON.stringify({ ...l, time: undefined, level: undefined, event: undefined, service: undefined })}`,
              )
              .join('\n') +
            (p.text.length > 0 ? `\n${p.text.join('').slice(-2000)}` : ''),
        )
        .join('\n');
    },
    spawn(index, opts = {}) {
      const port = agents[index]?.target.port ?? 1;
      return spawnFor(index, opts.config ?? baseConfig(port), opts.command ?? 'run', opts.env ?? {}, 'extra');
    },
    async close() {
      for (const p of spawned) p.kill('SIGKILL');
      await Promise.all(spawned.map((p) => p.exited));
      for (const a of agents) await a.target.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

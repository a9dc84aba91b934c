/**
 * `startSim()`: the whole simulated VPC — Consul with one agent per instance (node name = instance
 * id, node address = its private IP), EC2 + Auto Scaling, one IMDS per instance, all on one clock,
 * and one HTTP control plane. This is what `nat-ha-sim serve` runs and what the lab starts.
 */
import { createSystemClock, type TestClock } from '../clock';
import { startAws, type AwsEmulator, type AwsEmulatorOptions } from '../aws/aws-emulator';
import { startConsul, type ConsulEmulator } from '../consul/emulator';
import type { ConsulEmulatorOptions } from '../consul/options';
import type { ConsulCheckStatus } from '../consul/journal';
import { TestkitError } from '../errors';
import { defaultWorld } from '../world/default-world';
import { parseWorld } from '../world/parse-world';
import type { InstanceStateName, WorldSpec } from '../world/world-spec';

export interface SimOptions {
  /** Default `defaultWorld()`. */
  world?: WorldSpec;
  /** One clock for Consul and AWS, so journal times compare. Default: system clock. */
  clock?: TestClock;
  /** Default `127.0.0.1`. */
  host?: string;
  /** EC2/Auto Scaling/IMDS latency (see `AwsEmulatorOptions.latency`). Default `none`. */
  latency?: AwsEmulatorOptions['latency'];
  /** EC2 token buckets (see `AwsEmulatorOptions.throttling`). Default false. */
  throttling?: AwsEmulatorOptions['throttling'];
  /**
   * Fixed ports, for n instances: EC2/Auto Scaling and its control plane on `portBase`, instance k's
   * IMDS on `portBase + 1 + k`, the Consul control listener on `portBase + 1 + n` and instance k's
   * Consul agent on `portBase + 2 + n + k` (k in world order). Default: ephemeral ports everywhere.
   */
  portBase?: number;
  /** More AWS emulator options (visibility delay, transition time, DryRun stage, …). */
  aws?: Omit<
    AwsEmulatorOptions,
    'world' | 'clock' | 'host' | 'latency' | 'throttling' | 'portBase' | 'controls' | 'signal'
  >;
  /** Consul emulator options; `nodes` defaults to one node per instance, `clock`/`host` to the sim's. */
  consul?: Partial<ConsulEmulatorOptions>;
  /**
   * Stopping or terminating an instance kills its Consul agent; starting it revives the agent (an
   * instance that is off runs no agent). Default true.
   */
  linkConsulToInstances?: boolean;
  signal?: AbortSignal;
}

/** The endpoints, exactly as `nat-ha-sim serve` prints them. */
export interface SimEndpoints {
  region: string;
  /** EC2 Query API (for `AWS_ENDPOINT_URL_EC2`). */
  ec2: string;
  /** Auto Scaling (same server; for `AWS_ENDPOINT_URL_AUTO_SCALING`). */
  autoscaling: string;
  /**
   * The Consul emulator's control listener (`/_emulator/v1/…`: state, journal, lock-holders, node
   * kill/revive/partition), which stays up while agents die. Consul's `/v1/` API is on each agent.
   */
  consul: string;
  /** Each instance's Consul agent (for `CONSUL_HTTP_ADDR`), by instance id. */
  consulAgents: Record<string, string>;
  /** Each instance's IMDS (for `AWS_EC2_METADATA_SERVICE_ENDPOINT`), by instance id. */
  imds: Record<string, string>;
  /** The control plane: `${control}aws/<method>` and `${control}consul/<method>`. */
  control: string;
}

export interface Sim {
  readonly region: string;
  readonly clock: TestClock;
  readonly aws: AwsEmulator;
  readonly consul: ConsulEmulator;
  readonly endpoints: SimEndpoints;
  close(): Promise<void>;
}

/**
 * The Consul emulator's controls as served on the sim's control plane (`${control}consul/<method>`,
 * arguments as a JSON array). Names and arguments follow `ConsulEmulator`.
 */
function consulControls(consul: ConsulEmulator): object {
  return {
    nodes: () => [...consul.nodes],
    agentUrl: (node: string) => consul.agentUrl(node),
    addNode: (name: string, address?: string) => consul.addNode(name, address == null ? {} : { address }),
    killNode: (name: string) => consul.killNode(name),
    reviveNode: (name: string) => consul.reviveNode(name),
    partitionNode: (name: string) => consul.partitionNode(name),
    healNode: (name: string) => consul.healNode(name),
    leaveNode: (name: string) => consul.leaveNode(name),
    loseLeader: () => consul.loseLeader(),
    restoreLeader: () => consul.restoreLeader(),
    setCheckStatus: (node: string, checkId: string, status: ConsulCheckStatus, output?: string) =>
      consul.setCheckStatus(node, checkId, status, output),
    journal: () => consul.journal(),
    index: () => consul.index(),
  };
}

export async function startSim(options: SimOptions = {}): Promise<Sim> {
  const world = parseWorld(options.world ?? defaultWorld());
  const clock = options.clock ?? createSystemClock();
  const host = options.host ?? '127.0.0.1';
  const link = options.linkConsulToInstances ?? true;
  if (options.signal?.aborted === true)
    throw new TestkitError('ABORTED', 'startSim aborted', { cause: options.signal.reason });

  const privateIp = new Map(
    world.instances.map((i) => [i.instanceId, i.networkInterfaces[0]?.privateIpAddress as string]),
  );
  const consul = await startConsul(
    {
      nodes: world.instances.map((i) => ({
        name: i.instanceId,
        address: privateIp.get(i.instanceId) as string,
      })),
      clock,
      host,
      ...(options.portBase != null ? { portBase: options.portBase + 1 + world.instances.length } : {}),
      ...options.consul,
    },
    options.signal,
  );

  // Instance power follows into Consul: transitions are serialised so kill/revive never interleave.
  let chain: Promise<void> = Promise.resolve();
  const down = new Set<string>();
  const onInstanceStateChange = (instanceId: string, state: InstanceStateName): void => {
    if (!link || !consul.nodes.includes(instanceId)) return;
    const off =
      state === 'stopped' || state === 'terminated' || state === 'stopping' || state === 'shutting-down';
    chain = chain.then(async () => {
      try {
        if (off && !down.has(instanceId)) {
          down.add(instanceId);
          await consul.killNode(instanceId);
        } else if (state === 'running' && down.has(instanceId)) {
          down.delete(instanceId);
          await consul.reviveNode(instanceId);
        }
      } catch {
        // The node may have been killed or removed through the Consul controls directly.
      }
    });
  };

  let aws: AwsEmulator;
  try {
    aws = await startAws({
      ...options.aws,
      world,
      clock,
      host,
      ...(options.latency != null ? { latency: options.latency } : {}),
      ...(options.throttling != null ? { throttling: options.throttling } : {}),
      ...(options.portBase != null ? { portBase: options.portBase } : {}),
      controls: { consul: consulControls(consul) },
      onInstanceStateChange: (id, state) => {
        options.aws?.onInstanceStateChange?.(id, state);
        onInstanceStateChange(id, state);
      },
      ...(options.signal != null ? { signal: options.signal } : {}),
    });
  } catch (err) {
    await consul.close();
    throw err;
  }

  const endpoints: SimEndpoints = {
    region: aws.region,
    ec2: aws.endpoint,
    autoscaling: aws.endpoint,
    consul: consul.controlUrl,
    consulAgents: Object.fromEntries(aws.instanceIds.map((id) => [id, consul.agentUrl(id)])),
    imds: Object.fromEntries(aws.instanceIds.map((id) => [id, aws.imdsUrl(id)])),
    control: aws.controlUrl,
  };
  let closed: Promise<void> | undefined;
  return {
    region: aws.region,
    clock,
    aws,
    consul,
    endpoints,
    close() {
      closed ??= (async () => {
        await aws.close();
        await chain;
        await consul.close();
      })();
      return closed;
    },
  };
}

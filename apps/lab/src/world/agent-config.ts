/**
 * The agent.yaml the lab writes for each NAT instance. It follows nat-agent's schema
 * (apps/nat-agent/src/config/schema.ts; docs/operations.md "Configuration reference"): everything
 * that is the same on every instance (groups, timings) is identical across files, as on a real
 * fleet; only the health targets (this instance's own "Internet") and, in dataplane mode, the
 * addresses differ. Consul, EC2, Auto Scaling and IMDS endpoints come from the environment, exactly
 * as on EC2 (see `agentEnvironment`).
 */
import type { YamlValue } from '../util/yaml';
import { toYaml } from '../util/yaml';
import type { LabGroup, LabInstance, Topology } from './topology';

export interface HealthTargetAddress {
  host: string;
  port: number;
}

export interface AgentDataplaneSettings {
  /** `off` outside `--netns`; `auto` (nftables, else iptables) inside. */
  mode: 'off' | 'auto' | 'nftables' | 'iptables';
  manageNat: boolean;
  egressInterface?: string;
  vpcCidrs?: string[];
}

export interface AgentConfigInput {
  topology: Topology;
  instance: LabInstance;
  /** This instance's "Internet": the probe targets the lab can fail for this instance only. */
  healthTargets: readonly HealthTargetAddress[];
  /** Where /health/live, /health, /status listen. Default 127.0.0.1, port 0 (ephemeral). */
  http?: { host: string; port: number };
  dataplane?: AgentDataplaneSettings;
  /** Deep-merged over the generated document (bench profiles, `--agent-set`). */
  overrides?: { [key: string]: YamlValue | undefined };
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

function groupEntry(group: LabGroup): { [key: string]: YamlValue | undefined } {
  return {
    name: group.name,
    routeTables: group.selector,
    destinations: ['0.0.0.0/0'],
    eipAllocationId: group.eipAllocationId,
  };
}

function isMapping(v: YamlValue | undefined): v is { [key: string]: YamlValue | undefined } {
  return v != null && typeof v === 'object' && !Array.isArray(v);
}

/** Deep merge of mappings; arrays and scalars in `over` replace. */
export function mergeConfig(
  base: { [key: string]: YamlValue | undefined },
  over: { [key: string]: YamlValue | undefined },
): { [key: string]: YamlValue | undefined } {
  const out: { [key: string]: YamlValue | undefined } = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isMapping(b) && isMapping(v) ? mergeConfig(b, v) : v;
  }
  return out;
}

export function agentConfig(input: AgentConfigInput): { [key: string]: YamlValue | undefined } {
  const dataplane = input.dataplane ?? { mode: 'off', manageNat: false };
  const doc: { [key: string]: YamlValue | undefined } = {
    http: { host: input.http?.host ?? '127.0.0.1', port: input.http?.port ?? 0 },
    health: {
      targets: input.healthTargets.map((t) => ({ type: 'tcp', host: t.host, port: t.port })),
    },
    dataplane: {
      mode: dataplane.mode,
      manageNat: dataplane.manageNat,
      egressInterface: dataplane.egressInterface,
      vpcCidrs: dataplane.vpcCidrs,
    },
    drain: { lifecycleHookName: input.topology.lifecycleHookName },
    log: { level: input.logLevel ?? 'info' },
    groups: input.topology.groups.map(groupEntry),
  };
  return input.overrides == null ? doc : mergeConfig(doc, input.overrides);
}

export function agentConfigYaml(input: AgentConfigInput): string {
  return toYaml(
    agentConfig(input),
    `agent.yaml for ${input.instance.name} (${input.instance.instanceId}), written by nat-ha-lab.\n` +
      'Consul, EC2, Auto Scaling and IMDS endpoints come from the environment, as on EC2.',
  );
}

export interface AgentEndpoints {
  imds: string;
  ec2: string;
  autoscaling: string;
  consulAgent: string;
}

/**
 * The allocator settings of the shipped unit (apps/nat-agent/packaging/nat-agent.service, which says
 * why), so the lab and the bench measure what runs on an instance. A test keeps them equal.
 */
export const NAT_AGENT_MALLOC_ENVIRONMENT: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_TRIM_THRESHOLD_: '0',
  MALLOC_MMAP_THRESHOLD_: '16384',
};

/** Variables that would let a process find credentials or a region anywhere but its IMDS. */
const SCRUBBED = [/^AWS_/, /^NAT_HA_/, /^CONSUL_/];

/**
 * The agent's environment: the parent's, minus every AWS/Consul/NAT_HA variable (a developer's
 * `AWS_PROFILE` or `AWS_REGION` must not leak in), plus what an EC2 instance would have: its IMDS,
 * and the EC2/Auto Scaling/Consul endpoints. No static credentials: the SDK's default chain reads the
 * instance role from IMDS, so the EC2 journal attributes every call to this instance. The shared
 * config and credentials files point at empty files in the lab's directory, so `~/.aws` is never read.
 * glibc's MALLOC_* settings default to the unit's values; the parent's win.
 */
export function agentEnvironment(
  parent: Readonly<Record<string, string | undefined>>,
  endpoints: AgentEndpoints,
  emptyFile: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(parent)) {
    if (v === undefined || SCRUBBED.some((re) => re.test(k))) continue;
    env[k] = v;
  }
  return {
    // The allocator settings the shipped systemd unit sets (packaging/nat-agent.service), so the lab
    // and the bench measure the footprint of the configuration that runs on an instance.
    ...NAT_AGENT_MALLOC_ENVIRONMENT,
    ...env,
    AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoints.imds,
    AWS_ENDPOINT_URL_EC2: endpoints.ec2,
    AWS_ENDPOINT_URL_AUTO_SCALING: endpoints.autoscaling,
    CONSUL_HTTP_ADDR: endpoints.consulAgent,
    AWS_CONFIG_FILE: emptyFile,
    AWS_SHARED_CREDENTIALS_FILE: emptyFile,
  };
}

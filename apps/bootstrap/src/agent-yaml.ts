import { stringify } from 'yaml';
import type { BootstrapFacts } from './facts';
import type { GroupOptions, RenderOptions } from './render-options';

/**
 * nat-agent's `agent.yaml` for this instance, in the shape of nat-agent's config schema
 * (apps/nat-agent/src/config/schema.ts). This module is the only place that knows that shape.
 *
 * Values nat-agent has its own defaults for are written anyway when the Consul service definition
 * depends on them (HTTP port, check timing, service name): the two files must agree, and an
 * explicit value survives a change of nat-agent's defaults.
 */
export interface AgentYamlGroup {
  name: string;
  role: 'primary' | 'rescue';
  az?: string;
  routeTables: { azPrivate: string } | { tags: Record<string, string> } | { ids: string[] };
  eipAllocationId?: string;
  fallback?: { natGatewayId: string };
}

export interface AgentYamlDocument {
  consul: {
    datacenter: string;
    serviceName: string;
    tokenFile?: string;
    checkIntervalMs: number;
    checkTimeoutMs: number;
  };
  http: { host: string; port: number };
  dataplane?: { manageNat: true };
  drain?: { lifecycleHookName: string };
  groups: AgentYamlGroup[];
}

export function buildAgentYaml(facts: BootstrapFacts, options: RenderOptions): AgentYamlDocument {
  const { natHa } = options;
  return {
    consul: {
      datacenter: options.datacenter ?? facts.self.region,
      serviceName: natHa.serviceName,
      ...(natHa.consulTokenFile != null ? { tokenFile: natHa.consulTokenFile } : {}),
      checkIntervalMs: natHa.checkIntervalMs,
      checkTimeoutMs: natHa.checkTimeoutMs,
    },
    http: { host: natHa.httpHost, port: natHa.httpPort },
    ...(natHa.manageNat ? { dataplane: { manageNat: true as const } } : {}),
    ...(options.lifecycle != null ? { drain: { lifecycleHookName: options.lifecycle.hookName } } : {}),
    groups: buildGroups(facts, options.groups),
  };
}

function buildGroups(facts: BootstrapFacts, groups: GroupOptions): AgentYamlGroup[] {
  const extras = {
    ...(groups.eipAllocationId != null ? { eipAllocationId: groups.eipAllocationId } : {}),
    ...(groups.fallbackNatGatewayId != null
      ? { fallback: { natGatewayId: groups.fallbackNatGatewayId } }
      : {}),
  };
  const tables = groups.routeTables;
  if (groups.mode === 'single') {
    return [
      {
        name: groups.singleName,
        role: 'primary',
        routeTables:
          tables.kind === 'ids'
            ? { ids: [...tables.ids] }
            : tables.kind === 'tag'
              ? { tags: { [tables.key]: tables.value ?? '' } }
              : { azPrivate: facts.self.availabilityZone },
        ...extras,
      },
    ];
  }
  // Per-AZ: our own AZ's group as primary (with the EIP and fallback, which belong to it), then
  // every rescue AZ's group, in a stable order.
  const own = facts.self.availabilityZone;
  const rescues = [...new Set(groups.rescueAzs)].filter((az) => az !== own).sort();
  const group = (az: string, role: 'primary' | 'rescue'): AgentYamlGroup => ({
    name: az,
    role,
    az,
    routeTables: tables.kind === 'tag' ? { tags: { [tables.key]: az } } : { azPrivate: az },
  });
  return [{ ...group(own, 'primary'), ...extras }, ...rescues.map((az) => group(az, 'rescue'))];
}

export function renderAgentYaml(document: AgentYamlDocument, headerComment: readonly string[]): string {
  const header = headerComment.map((line) => (line === '' ? '#' : `# ${line}`)).join('\n');
  // lineWidth 0: never fold long strings, so a value is always on the line of its key.
  return `${header}\n${stringify(document, { lineWidth: 0 })}`;
}

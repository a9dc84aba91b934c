/**
 * How the lab maps the testkit world onto nat-ha election groups.
 *
 * - `vpc` (default): one group for the whole VPC, every NAT instance a candidate, every private
 *   route table (tag `nat-ha:managed=true`) owned by it, and the world's Elastic IP following the
 *   leader. The clearest demo: one leader, one lock, every failover moves every route.
 * - `per-az`: one group per AZ (`azPrivate` selector), the AZ's own NAT instances primary and the
 *   other AZs' instances rescues (`role: auto`), as docs/operations.md recommends for production.
 */
import { WORLD_TAGS, type WorldSpec } from '@nat-ha/testkit';
import { LabError } from '../errors';

export const TOPOLOGIES = ['vpc', 'per-az'] as const;
export type TopologyName = (typeof TOPOLOGIES)[number];

export const DEFAULT_KEY_PREFIX = 'nat-ha/groups';

export interface LabInstance {
  instanceId: string;
  /** The `Name` tag (`nat-a`, `nat-b`, …). */
  name: string;
  az: string;
  /** Primary ENI: what a leader's routes point at. */
  eni: string;
  privateIp: string;
  /** Position in the world (IMDS port order). */
  index: number;
}

/** The route-table selector as agent.yaml spells it. */
export type RouteTableSelector = { tags: Record<string, string> } | { azPrivate: string };

export interface LabGroup {
  name: string;
  /** Consul lock key: `<keyPrefix>/<name>/leader` (nat-agent's default). */
  key: string;
  /** The AZ the group serves (per-az only). */
  az?: string;
  selector: RouteTableSelector;
  /** The route tables the selector resolves to in this world. */
  tableIds: string[];
  /** Instances that contend at once. */
  primaries: string[];
  /** Instances that contend only after `rescueAfterMs` without a leader (per-az). */
  rescues: string[];
  eipAllocationId?: string;
}

export interface Topology {
  name: TopologyName;
  region: string;
  instances: LabInstance[];
  groups: LabGroup[];
  /** Route table id → group name. */
  tableGroup: ReadonlyMap<string, string>;
  /** ENI id → instance id. */
  eniInstance: ReadonlyMap<string, string>;
  lifecycleHookName?: string;
}

export interface TopologyOptions {
  /** Follow the world's first Elastic IP with the `vpc` group's leader. Default true. */
  eip?: boolean;
  keyPrefix?: string;
}

function isTopologyName(value: string): value is TopologyName {
  return (TOPOLOGIES as readonly string[]).includes(value);
}

export function parseTopologyName(value: string): TopologyName {
  if (!isTopologyName(value)) {
    throw new LabError(
      'INVALID_OPTION',
      `--topology must be one of ${TOPOLOGIES.join(', ')}, got '${value}'`,
    );
  }
  return value;
}

function azLetter(az: string): string {
  return az.slice(-1);
}

export function buildTopology(world: WorldSpec, name: TopologyName, options: TopologyOptions = {}): Topology {
  const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  const subnetAz = new Map(world.subnets.map((s) => [s.subnetId, s.availabilityZone]));
  const instances: LabInstance[] = world.instances.map((inst, index) => {
    const eni = inst.networkInterfaces[0];
    if (eni == null)
      throw new LabError('INVALID_OPTION', `world instance ${inst.instanceId} has no network interface`);
    return {
      instanceId: inst.instanceId,
      name: inst.tags?.['Name'] ?? inst.instanceId,
      az: subnetAz.get(inst.subnetId) ?? '',
      eni: eni.networkInterfaceId,
      privateIp: eni.privateIpAddress,
      index,
    };
  });
  const managed = world.routeTables.filter((t) => t.tags?.[WORLD_TAGS.managed] === 'true');
  if (managed.length === 0) {
    throw new LabError('INVALID_OPTION', `the world has no route table tagged ${WORLD_TAGS.managed}=true`);
  }
  const azs = [...new Set(instances.map((i) => i.az))].sort();
  const key = (group: string): string => `${keyPrefix}/${group}/leader`;

  let groups: LabGroup[];
  if (name === 'vpc') {
    const eip = (options.eip ?? true) ? world.addresses?.[0]?.allocationId : undefined;
    groups = [
      {
        name: 'vpc',
        key: key('vpc'),
        selector: { tags: { [WORLD_TAGS.managed]: 'true' } },
        tableIds: managed.map((t) => t.routeTableId),
        primaries: instances.map((i) => i.instanceId),
        rescues: [],
        ...(eip == null ? {} : { eipAllocationId: eip }),
      },
    ];
  } else {
    groups = azs.map((az) => {
      const group = `az-${azLetter(az)}`;
      return {
        name: group,
        key: key(group),
        az,
        selector: { azPrivate: az },
        tableIds: managed.filter((t) => t.tags?.[WORLD_TAGS.az] === az).map((t) => t.routeTableId),
        primaries: instances.filter((i) => i.az === az).map((i) => i.instanceId),
        rescues: instances.filter((i) => i.az !== az).map((i) => i.instanceId),
      };
    });
  }
  const tableGroup = new Map<string, string>();
  for (const g of groups) for (const t of g.tableIds) tableGroup.set(t, g.name);
  const hook = world.autoScalingGroups?.[0]?.lifecycleHooks?.find(
    (h) => h.lifecycleTransition === 'autoscaling:EC2_INSTANCE_TERMINATING',
  )?.lifecycleHookName;
  return {
    name,
    region: world.region,
    instances,
    groups,
    tableGroup,
    eniInstance: new Map(instances.map((i) => [i.eni, i.instanceId])),
    ...(hook == null ? {} : { lifecycleHookName: hook }),
  };
}

/** Short name of an instance for the view and logs (`nat-a`), falling back to the id. */
export function instanceName(topology: Topology, instanceId: string | null | undefined): string {
  if (instanceId == null) return '—';
  return topology.instances.find((i) => i.instanceId === instanceId)?.name ?? instanceId;
}

export function instanceOf(topology: Topology, instanceId: string): LabInstance {
  const found = topology.instances.find((i) => i.instanceId === instanceId);
  if (found == null) throw new LabError('INVALID_OPTION', `no instance ${instanceId} in the lab`);
  return found;
}

import type { Role } from '../ports';
import type { AgentConfig, GroupConfig } from './schema';
import { groupKey } from './semantic-checks';

/** A group with everything derived: its lock key, its AZ and this instance's role in it. */
export interface ResolvedGroup extends Omit<GroupConfig, 'role' | 'key'> {
  key: string;
  role: Role;
  /** What the file said (`auto` shows how the role was chosen). */
  configuredRole: GroupConfig['role'];
}

/** The AZ a group serves: its `az`, else the AZ its `azPrivate` selector names. */
export function groupAz(group: GroupConfig): string | undefined {
  return group.az ?? group.routeTables.azPrivate;
}

/**
 * `auto` makes this instance a primary of its own AZ's group (and of groups with no AZ, such as one
 * VPC-wide group) and a rescue elsewhere, so cross-AZ traffic ($0.01/GB each way) only flows while a
 * group has no leader of its own.
 */
export function resolveRole(group: GroupConfig, instanceAz: string | undefined): Role {
  if (group.role !== 'auto') return group.role;
  const az = groupAz(group);
  if (az === undefined || instanceAz === undefined) return 'primary';
  return az === instanceAz ? 'primary' : 'rescue';
}

export function resolveGroups(config: AgentConfig, instanceAz: string | undefined): ResolvedGroup[] {
  return config.groups.map((g) => {
    const az = groupAz(g);
    return {
      ...g,
      ...(az === undefined ? {} : { az }),
      key: groupKey(config.consul.keyPrefix, g),
      role: resolveRole(g, instanceAz),
      configuredRole: g.role,
    };
  });
}

import type { ConfigIssue } from './load-config';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json | undefined =>
  v != null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

export const DEFAULT_KEY_PREFIX = 'nat-ha/groups';

/** Jitter of probe rounds: ±10 % of the interval, at most 100 ms (net-health's default). */
export function probeJitterMs(intervalMs: number): number {
  return Math.min(100, Math.floor(intervalMs / 10));
}

/** The lock key of a group: its own `key`, or `<keyPrefix>/<name>/leader`. */
export function groupKey(keyPrefix: string, group: { name: string; key?: string | undefined }): string {
  return group.key ?? `${keyPrefix}/${group.name}/leader`;
}

/**
 * Rules that span several keys. They run on the raw input, independently of the schema pass, so a
 * file with a type error in one group still gets its duplicate-name error reported in the same run
 * (zod skips object-level refinements once any field inside failed).
 */
export function semanticIssues(raw: Json): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const consul = obj(raw.consul) ?? {};
  const health = obj(raw.health) ?? {};
  const dataplane = obj(raw.dataplane) ?? {};

  if (consul.token !== undefined && consul.tokenFile !== undefined) {
    issues.push({ path: 'consul.tokenFile', message: 'set consul.token or consul.tokenFile, not both' });
  }

  const interval = num(health.intervalMs) ?? 1_000;
  const timeout = num(health.timeoutMs) ?? 800;
  const roundMs = interval - probeJitterMs(interval);
  if (timeout > roundMs) {
    issues.push({
      path: 'health.timeoutMs',
      message: `must be at most ${roundMs} (health.intervalMs ${interval} minus its ${probeJitterMs(interval)} ms jitter): a round must end before the next starts`,
    });
  }
  const targets = health.targets;
  const quorum = num(health.quorum);
  if (quorum !== undefined && Array.isArray(targets) && quorum > targets.length) {
    issues.push({
      path: 'health.quorum',
      message: `is ${quorum} but only ${targets.length} target${targets.length === 1 ? '' : 's'} configured`,
    });
  }

  if (dataplane.manageNat === true && dataplane.mode === 'off') {
    issues.push({ path: 'dataplane.manageNat', message: 'cannot be true with dataplane.mode "off"' });
  }

  const groups = Array.isArray(raw.groups) ? raw.groups : [];
  const prefix = str(consul.keyPrefix) ?? DEFAULT_KEY_PREFIX;
  const names = new Map<string, number>();
  const keys = new Map<string, number>();
  groups.forEach((g, i) => {
    const group = obj(g);
    if (group === undefined) return;
    const name = str(group.name);
    if (name !== undefined) {
      const first = names.get(name);
      if (first !== undefined) {
        issues.push({ path: `groups[${i}].name`, message: `"${name}" is already used by groups[${first}]` });
        return; // its default key clashes too; one message is enough
      }
      names.set(name, i);
      const key = groupKey(prefix, {
        name,
        ...(str(group.key) === undefined ? {} : { key: str(group.key) }),
      });
      const firstKey = keys.get(key);
      if (firstKey !== undefined) {
        issues.push({
          path: `groups[${i}].key`,
          message: `"${key}" is already the lock key of groups[${firstKey}]`,
        });
      } else keys.set(key, i);
    }
    const az = str(group.az);
    const azPrivate = str(obj(group.routeTables)?.azPrivate);
    if (az !== undefined && azPrivate !== undefined && az !== azPrivate) {
      issues.push({
        path: `groups[${i}].az`,
        message: `is "${az}" but routeTables.azPrivate selects "${azPrivate}"`,
      });
    }
  });
  return issues;
}

import { RouteSwitcherError, type RouteSwitcher } from '@nat-ha/route-switcher';
import type { ResolvedGroup } from '../config/resolve-groups';
import { describeError } from '../errors';
import type { CheckResult, InstanceIdentity, Preflight } from '../ports';

/**
 * The AWS prerequisites of leading, through route-switcher: source/dest check off on our ENI, and a
 * DryRun of every write a leader makes (ec2-query-and-imds.md §8.1 step 2). Resolving each group's
 * tables is part of the self-test: an unknown table id or an empty tag selection is a configuration
 * error an operator must see before the first failover, not during it.
 */
export function createSwitcherPreflight(options: {
  switcher: RouteSwitcher;
  identity: InstanceIdentity;
  groups: ReadonlyArray<{ group: ResolvedGroup; tables: (signal?: AbortSignal) => Promise<string[]> }>;
}): Preflight {
  const { switcher, identity } = options;
  return {
    async sourceDestCheck(signal) {
      const r = await switcher.ensureSourceDestCheckDisabled({
        networkInterfaceId: identity.networkInterfaceId,
        signal,
      });
      return { ok: true, detail: { changed: r.changed } };
    },
    async iamSelfTest(signal): Promise<CheckResult> {
      const denied: string[] = [];
      const problems: string[] = [];
      // Only transient problems (and no denial) make the whole self-test worth retrying soon.
      let transient = true;
      const tested: Record<string, number> = {};
      for (const { group, tables } of options.groups) {
        let ids: string[];
        try {
          ids = await tables(signal);
        } catch (error) {
          const e = describeError(error);
          transient &&= e.retryable;
          problems.push(`group ${group.name}: route tables: ${e.code}: ${e.message}`);
          continue;
        }
        tested[group.name] = ids.length;
        try {
          const report = await switcher.selfTest({
            tables: ids,
            target: { networkInterfaceId: identity.networkInterfaceId },
            destinations: group.destinations,
            ...(group.eipAllocationId === undefined ? {} : { allocationId: group.eipAllocationId }),
            signal,
          });
          for (const c of report.checks) {
            if (c.verdict === 'denied') denied.push(`${c.action} on ${c.resource}`);
          }
        } catch (error) {
          if (RouteSwitcherError.isInstance(error) && error.code === 'IAM_DENIED') denied.push(error.message);
          else {
            const e = describeError(error);
            transient &&= e.retryable;
            problems.push(`group ${group.name}: ${e.code}: ${e.message}`);
          }
        }
      }
      const reasons = [
        ...(denied.length === 0 ? [] : [`denied: ${[...new Set(denied)].join(', ')}`]),
        ...problems,
      ];
      return reasons.length === 0
        ? { ok: true, detail: { tables: tested } }
        : { ok: false, reason: reasons.join('; '), retryable: denied.length === 0 && transient };
    },
  };
}

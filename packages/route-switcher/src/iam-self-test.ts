import {
  AssociateAddressCommand,
  CreateRouteCommand,
  DescribeAddressesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  ModifyNetworkInterfaceAttributeCommand,
  ReplaceRouteCommand,
} from '@aws-sdk/client-ec2';
import { checkDestinations, checkSignal, checkTableIds } from './claim-input';
import type { SwitcherContext } from './context';
import { destinationInput, type Destination } from './destination';
import type { DryRunVerdict } from './ec2-caller';
import { throwIfAborted } from './ec2-error';
import { linkSignal } from './linked-signal';
import { RouteSwitcherError } from './errors';
import { checkTarget, invalid } from './options';
import { targetInput, type RouteTarget } from './route-target';
import { runLimited } from './run-limited';

export interface SelfTestInput {
  /** The group's route tables. */
  tables: readonly string[];
  /** The target claims will use (the instance's ENI). */
  target: RouteTarget;
  /** Destination used in the route DryRuns. Default `0.0.0.0/0`. */
  destinations?: readonly string[];
  /** Also test EIP follow for this allocation. */
  allocationId?: string;
  /**
   * `all` (default) DryRuns ReplaceRoute and CreateRoute on every table — a policy scoped by ARN or
   * tag can allow some tables and not others — at a cost of one mutating token per table and action.
   * `first` tests one table, for very large groups.
   */
  tablesToTest?: 'all' | 'first';
  signal?: AbortSignal;
}

export interface PermissionCheck {
  /** IAM action, e.g. `ec2:ReplaceRoute`. */
  action: string;
  /** The resource the DryRun named, e.g. `route-table/rtb-0abc`, or `*` for Describe calls. */
  resource: string;
  verdict: DryRunVerdict['verdict'];
  /** EC2's message for `denied` (it names the ARN and the policy gap) or the error for `inconclusive`. */
  message?: string;
}

export interface SelfTestReport {
  /** No check was denied. */
  ok: boolean;
  checks: PermissionCheck[];
}

interface Probe {
  action: string;
  resource: string;
  send: (abortSignal: AbortSignal) => Promise<unknown>;
}

const ALLOC_ID = /^eipalloc-[0-9a-z]+$/;
const PROBE_DESTINATION = '192.0.2.0/32';

/**
 * IAM self-test with `DryRun: true` (§2.10, §8.1 step 2): every action a claim, the source/dest
 * preparation and the EIP follow need, on the resources they will touch. `DryRunOperation` =
 * allowed, `UnauthorizedOperation` = denied; anything else (e.g. a validation error EC2 returns
 * before the DryRun verdict) is `inconclusive` and reported, not fatal. Any denial throws
 * `IAM_DENIED` naming every denied action and resource (`details.report` has the full report).
 * Nothing is mutated.
 */
export async function runSelfTest(ctx: SwitcherContext, input: SelfTestInput): Promise<SelfTestReport> {
  if (input == null || typeof input !== 'object') throw invalid('selfTest', 'input must be an object');
  const tables = checkTableIds('selfTest.tables', input.tables);
  const target = checkTarget('selfTest.target', input.target);
  const [destination] = checkDestinations('selfTest.destinations', input.destinations) as [Destination];
  const signal = checkSignal('selfTest.signal', input.signal);
  if (
    input.allocationId !== undefined &&
    (typeof input.allocationId !== 'string' || !ALLOC_ID.test(input.allocationId))
  ) {
    throw invalid(
      'selfTest.allocationId',
      `must look like eipalloc-…, got ${JSON.stringify(input.allocationId)}`,
    );
  }
  const scope = input.tablesToTest ?? 'all';
  if (scope !== 'all' && scope !== 'first')
    throw invalid('selfTest.tablesToTest', `must be 'all' or 'first', got ${JSON.stringify(scope)}`);
  throwIfAborted(signal, 'selfTest');

  const { ec2 } = ctx;
  const probes: Probe[] = [
    {
      action: 'DescribeRouteTables',
      resource: '*',
      send: (s) =>
        ec2.send(
          new DescribeRouteTablesCommand({
            DryRun: true,
            Filters: [{ Name: 'route-table-id', Values: tables }],
            MaxResults: 5,
          }),
          {
            abortSignal: s,
          },
        ),
    },
  ];
  for (const rtb of scope === 'all' ? tables : tables.slice(0, 1)) {
    const routeInput = {
      RouteTableId: rtb,
      ...destinationInput(destination),
      ...targetInput(target),
      DryRun: true,
    };
    // EC2 may validate before it gives the DryRun verdict (§2.10; the emulator's default does): a
    // CreateRoute DryRun for a destination the table already has would answer RouteAlreadyExists and
    // prove nothing. A documentation-range /32 (RFC 5737) is in no real table, and IAM has no
    // condition key on the destination, so the permission tested is the same.
    const createInput = {
      RouteTableId: rtb,
      DestinationCidrBlock: PROBE_DESTINATION,
      ...targetInput(target),
      DryRun: true,
    };
    probes.push(
      {
        action: 'ReplaceRoute',
        resource: `route-table/${rtb}`,
        send: (s) => ec2.send(new ReplaceRouteCommand(routeInput), { abortSignal: s }),
      },
      {
        action: 'CreateRoute',
        resource: `route-table/${rtb}`,
        send: (s) => ec2.send(new CreateRouteCommand(createInput), { abortSignal: s }),
      },
    );
  }
  if ('networkInterfaceId' in target) {
    const eni = target.networkInterfaceId;
    probes.push(
      {
        action: 'DescribeNetworkInterfaces',
        resource: '*',
        send: (s) =>
          ec2.send(new DescribeNetworkInterfacesCommand({ DryRun: true, NetworkInterfaceIds: [eni] }), {
            abortSignal: s,
          }),
      },
      {
        action: 'ModifyNetworkInterfaceAttribute',
        resource: `network-interface/${eni}`,
        send: (s) =>
          ec2.send(
            new ModifyNetworkInterfaceAttributeCommand({
              DryRun: true,
              NetworkInterfaceId: eni,
              SourceDestCheck: { Value: false },
            }),
            {
              abortSignal: s,
            },
          ),
      },
    );
  }
  if (input.allocationId !== undefined) {
    const allocationId = input.allocationId;
    probes.push({
      action: 'DescribeAddresses',
      resource: '*',
      send: (s) =>
        ec2.send(new DescribeAddressesCommand({ DryRun: true, AllocationIds: [allocationId] }), {
          abortSignal: s,
        }),
    });
    if ('networkInterfaceId' in target) {
      const eni = target.networkInterfaceId;
      probes.push({
        action: 'AssociateAddress',
        resource: `elastic-ip/${allocationId}`,
        send: (s) =>
          ec2.send(
            new AssociateAddressCommand({
              DryRun: true,
              AllocationId: allocationId,
              NetworkInterfaceId: eni,
              AllowReassociation: true,
            }),
            {
              abortSignal: s,
            },
          ),
      });
    }
  }

  const link = linkSignal(signal);
  const verdicts = await runLimited(
    probes,
    ctx.config.concurrency,
    (p) => ctx.caller.dryRun(p.action, p.send, { signal: link.signal, timeoutMs: ctx.config.readTimeoutMs }),
    link.signal,
  ).finally(() => link.dispose());
  throwIfAborted(signal, 'selfTest');

  const checks: PermissionCheck[] = probes.map((p, i) => {
    const v = verdicts[i] as DryRunVerdict;
    const check: PermissionCheck = { action: `ec2:${p.action}`, resource: p.resource, verdict: v.verdict };
    if (v.verdict === 'denied') check.message = v.message;
    if (v.verdict === 'inconclusive')
      check.message = `${v.error.code}${v.error.ec2Code == null ? '' : ` ${v.error.ec2Code}`}: ${v.error.message}`;
    return check;
  });
  const report: SelfTestReport = { ok: checks.every((c) => c.verdict !== 'denied'), checks };
  for (const c of checks.filter((x) => x.verdict === 'inconclusive')) {
    ctx.logger.warn({ event: 'iam_check_inconclusive', action: c.action, resource: c.resource }, c.message);
  }
  if (!report.ok) {
    const denied = checks.filter((c) => c.verdict === 'denied');
    throw new RouteSwitcherError(
      'IAM_DENIED',
      `IAM denies ${denied.map((c) => `${c.action} on ${c.resource}`).join(', ')}; see the policy in the @nat-ha/route-switcher README`,
      { ec2Code: 'UnauthorizedOperation', details: { report, denied } },
    );
  }
  return report;
}

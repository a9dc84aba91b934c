/**
 * Dry-run/plan against the emulator: the plan lists exactly the calls a claim then makes, and the
 * journal — what EC2 received — shows exactly one mutating call per route that needed changing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRouteSwitcher, formatPlan } from '../src/index';
import { defaultRouteTarget, routeWrites, startLab, type Lab } from './support/lab';

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

describe('plan (dry-run) and the journal', () => {
  it('the plan matches the calls the claim then makes, and the journal has one write per route that needed changing', async () => {
    lab = await startLab(6, { throttling: true });
    // Two tables already point at the leader, one has no default route: 3 replaces, 1 create, 2 nothing.
    const [t0, t1, t2, t3, t4, t5] = lab.tables as [string, string, string, string, string, string];
    const own = createRouteSwitcher({ ec2: lab.ec2 });
    await own.claim({ tables: [t1, t3], target: { networkInterfaceId: lab.leader.eni } });
    lab.aws.control.clearJournal();
    const { DeleteRouteCommand } = await import('@aws-sdk/client-ec2');
    await lab.ec2.send(new DeleteRouteCommand({ RouteTableId: t5, DestinationCidrBlock: '0.0.0.0/0' }));
    lab.aws.control.clearJournal();

    const s = createRouteSwitcher({ ec2: lab.ec2 });
    const input = { tables: lab.tables, target: { networkInterfaceId: lab.leader.eni } };
    const plan = await s.plan(input);
    expect(lab.aws.journal()).toEqual([]); // planning mutates nothing
    expect(plan.routes.map((r) => r.decision)).toEqual([
      'replace',
      'none',
      'replace',
      'none',
      'replace',
      'create',
    ]);
    expect(formatPlan(plan)).toContain(`CreateRoute {"RouteTableId":"${t5}"`);

    const result = await s.claim(input);
    expect(result.ok).toBe(true);
    const journal = routeWrites(lab.aws.journal());
    const sent = journal.map((j) => ({ action: j.action, input: { ...j.params } }));
    expect(sent).toEqual(
      plan.calls.map((c) => ({
        action: c.action,
        input: Object.fromEntries(Object.entries(c.input).map(([k, v]) => [k, String(v)])),
      })),
    );
    expect(journal.map((j) => j.params.RouteTableId).sort()).toEqual([t0, t2, t4, t5].sort());
    expect(journal.every((j) => j.outcome === 'ok' && j.callerInstanceId === lab!.leader.instanceId)).toBe(
      true,
    );
    expect(lab.tables.map((t) => defaultRouteTarget(lab!.aws, t))).toEqual(
      lab.tables.map(() => lab!.leader.eni),
    );

    // A second claim finds nothing to do: zero mutating calls.
    lab.aws.control.clearJournal();
    const again = await s.claim(input);
    expect(again.ok).toBe(true);
    expect(lab.aws.journal()).toEqual([]);
  });

  it('checkPermissions DryRuns every planned call (§2.10) and reports a denied action, mutating nothing', async () => {
    lab = await startLab(2);
    lab.aws.control.setPolicy(lab.leader.instanceId, ['ec2:ReplaceRoute']);
    const s = createRouteSwitcher({ ec2: lab.ec2 });
    const plan = await s.plan({
      tables: lab.tables,
      target: { networkInterfaceId: lab.leader.eni },
      checkPermissions: true,
    });
    expect(plan.calls.map((c) => c.permission)).toEqual(['denied', 'denied']);
    expect(plan.calls[0]!.permissionMessage).toContain('ec2:ReplaceRoute');
    expect(lab.tables.map((t) => defaultRouteTarget(lab!.aws, t))).toEqual(
      lab.tables.map(() => lab!.old.eni),
    );
    expect(routeWrites(lab.aws.journal()).filter((w) => w.outcome === 'ok')).toEqual([]);
  });
});

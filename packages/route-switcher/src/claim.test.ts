import { DescribeRouteTablesCommand, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { createVirtualClock, type VirtualClock } from '@nat-ha/testkit';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFakeEc2, ec2Error, type FakeEc2 } from '../test/support/fake-ec2';
import { settle } from '../test/support/virtual-time';
import type { RouteSwitcherError } from './errors';
import type { Ec2CallEvent } from './metrics';
import type { RouteSwitcherOptions } from './options';
import { createRouteSwitcher } from './route-switcher';

let clock: VirtualClock;
let ec2: FakeEc2;
let events: Ec2CallEvent[];

function switcher(options: Partial<RouteSwitcherOptions> = {}) {
  return createRouteSwitcher({
    ec2: ec2.client,
    clock,
    random: () => 0.5,
    metrics: { onEc2Call: (e) => events.push(e) },
    ...options,
  });
}

function tables(
  n: number,
  route: (i: number) => Record<string, { networkInterfaceId?: string; instanceId?: string }> = () => ({
    '0.0.0.0/0': { networkInterfaceId: 'eni-old' },
  }),
): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `rtb-${i.toString(16).padStart(4, '0')}`;
    ec2.addTable({ id, routes: route(i) });
    ids.push(id);
  }
  return ids;
}

beforeEach(() => {
  clock = createVirtualClock();
  ec2 = createFakeEc2({ clock, latencyMs: 20 });
  events = [];
  ec2.addEni({ id: 'eni-old', instanceId: 'i-old' });
  ec2.addEni({ id: 'eni-new', instanceId: 'i-new' });
});

const TARGET = { networkInterfaceId: 'eni-new' };

describe('claim: decisions', () => {
  it('already pointing: zero mutating calls, one DescribeRouteTables, ok and verified', async () => {
    const ids = tables(3, () => ({ '0.0.0.0/0': { networkInterfaceId: 'eni-new' } }));
    const result = await settle(clock, switcher().claim({ tables: ids, target: TARGET }));
    expect(ec2.writes()).toEqual([]);
    expect(ec2.count('DescribeRouteTables')).toBe(1);
    expect(result.ok).toBe(true);
    expect(result.calls).toEqual([]);
    expect(result.tables.map((t) => t.routes[0]!.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });

  it('reads all tables with ONE route-table-id-filtered DescribeRouteTables, not one per table', async () => {
    const ids = tables(40);
    await settle(clock, switcher().claim({ tables: ids, target: TARGET }));
    const reads = ec2.mock.commandCalls(DescribeRouteTablesCommand);
    // 1 read pass + 1 verification pass.
    expect(reads).toHaveLength(2);
    expect(reads[0]!.args[0].input.Filters).toEqual([{ Name: 'route-table-id', Values: ids }]);
    expect(reads[0]!.args[0].input.MaxResults).toBe(100);
  });

  it('follows NextToken pages and splits more than 200 ids into filter chunks (rule 16)', async () => {
    const ids = tables(250, () => ({ '0.0.0.0/0': { networkInterfaceId: 'eni-new' } }));
    const result = await settle(clock, switcher().claim({ tables: ids, target: TARGET }));
    // 200 ids → 2 pages of 100; 50 ids → 1 page.
    expect(result.describeCalls).toBe(3);
    expect(result.ok).toBe(true);
  });

  it('replaces a route pointing elsewhere with exactly one ReplaceRoute carrying the ENI id', async () => {
    const ids = tables(2);
    const result = await settle(clock, switcher().claim({ tables: ids, target: TARGET }));
    expect(ec2.writes()).toEqual(
      ids.map((id) => ({
        action: 'ReplaceRoute',
        input: { RouteTableId: id, DestinationCidrBlock: '0.0.0.0/0', NetworkInterfaceId: 'eni-new' },
      })),
    );
    expect(result.ok).toBe(true);
    expect(result.tables.every((t) => t.routes[0]!.status === 'replaced' && t.routes[0]!.verified)).toBe(
      true,
    );
    expect(ids.map((id) => ec2.routeTarget(id, '0.0.0.0/0'))).toEqual(['eni-new', 'eni-new']);
  });

  it('missing route: CreateRoute, not ReplaceRoute (rule 24)', async () => {
    const ids = tables(1, () => ({}));
    const result = await settle(clock, switcher().claim({ tables: ids, target: TARGET }));
    expect(ec2.writes().map((w) => w.action)).toEqual(['CreateRoute']);
    expect(result.tables[0]!.routes[0]).toMatchObject({
      decision: 'create',
      status: 'created',
      verified: true,
    });
  });

  it('route deleted between read and write: ReplaceRoute → InvalidParameterValue → CreateRoute (§3.2)', async () => {
    const ids = tables(1);
    ec2.onNext('ReplaceRoute', async (input) => {
      ec2.tables.get(input.RouteTableId as string)!.routes.delete('0.0.0.0/0');
      throw ec2Error(
        'InvalidParameterValue',
        400,
        "There is no route defined for '0.0.0.0/0' in the route table. Use CreateRoute instead.",
      );
    });
    const result = await settle(clock, switcher().claim({ tables: ids, target: TARGET }));
    expect(result.calls.map((c) => [c.action, c.outcome])).toEqual([
      ['ReplaceRoute', 'EC2_REQUEST_FAILED'],
      ['CreateRoute', 'ok'],
    ]);
    expect(result.ok).toBe(true);
    expect(ec2.routeTarget(ids[0]!, '0.0.0.0/0')).toBe('eni-new');
  });

  it('route created between read and write: CreateRoute → RouteAlreadyExists → ReplaceRoute (rule 23)', async () => {
    const ids = tables(1, () => ({}));
    // Another writer creates the route right after our read pass.
    ec2.onNext('DescribeRouteTables', async (input, next) => {
      const out = await next(input);
      ec2.tables.get(ids[0]!)!.routes.set('0.0.0.0/0', { networkInterfaceId: 'eni-old' });
      return out;
    });
    const result = await settle(clock, switcher().claim({ tables: ids, target: TARGET }));
    expect(result.calls.map((c) => c.action)).toEqual(['CreateRoute', 'ReplaceRoute']);
    expect(result.ok).toBe(true);
  });

  it('a target EC2 rejects as InvalidParameterValue costs two calls, not a loop, and reports the ReplaceRoute error', async () => {
    const ids = tables(1);
    ec2.mock
      .on(ReplaceRouteCommand)
      .rejects(
        ec2Error(
          'InvalidParameterValue',
          400,
          'route table rtb-0000 and network interface eni-new belong to different networks',
        ),
      );
    const result = await settle(clock, switcher().claim({ tables: ids, target: TARGET }));
    expect(result.calls.map((c) => c.action)).toEqual(['ReplaceRoute', 'CreateRoute']);
    expect(result.ok).toBe(false);
    const route = result.tables[0]!.routes[0]!;
    expect(route.status).toBe('failed');
    expect(route.error?.ec2Code).toBe('InvalidParameterValue');
    expect(route.error?.message).toContain('different networks');
  });

  it('multi-ENI instance: targets the routing ENI, never the instance id (rule 26, AWSnycast#28)', async () => {
    ec2.addEni({ id: 'eni-a', instanceId: 'i-multi' });
    ec2.addEni({ id: 'eni-b', instanceId: 'i-multi' });
    const ids = tables(2, (i) =>
      i === 0 ? { '0.0.0.0/0': { instanceId: 'i-multi' } } : { '0.0.0.0/0': { networkInterfaceId: 'eni-b' } },
    );
    const result = await settle(
      clock,
      switcher().claim({ tables: ids, target: { networkInterfaceId: 'eni-b' } }),
    );
    // Table 0 shows i-multi + its primary eni-a: replace; table 1 already shows eni-b (and i-multi): nothing.
    expect(ec2.writes()).toEqual([
      {
        action: 'ReplaceRoute',
        input: { RouteTableId: ids[0], DestinationCidrBlock: '0.0.0.0/0', NetworkInterfaceId: 'eni-b' },
      },
    ]);
    expect(result.ok).toBe(true);
  });

  it('expectCurrent mismatch: leaves a route held by an unexpected target alone and says so', async () => {
    ec2.addEni({ id: 'eni-other' });
    const ids = tables(2, (i) => ({
      '0.0.0.0/0': { networkInterfaceId: i === 0 ? 'eni-old' : 'eni-other' },
    }));
    const result = await settle(
      clock,
      switcher().claim({ tables: ids, target: TARGET, expectCurrent: ['eni-old'] }),
    );
    expect(ec2.writes().map((w) => w.input.RouteTableId)).toEqual([ids[0]]);
    expect(result.ok).toBe(false);
    expect(result.tables[0]!.ok).toBe(true);
    expect(result.tables[1]!.routes[0]).toMatchObject({
      status: 'skipped',
      decision: 'skip-expect-mismatch',
    });
    expect(result.tables[1]!.routes[0]!.error?.code).toBe('EXPECT_CURRENT_MISMATCH');
    expect(ec2.routeTarget(ids[1]!, '0.0.0.0/0')).toBe('eni-other');
  });

  it('a missing table fails alone with ROUTE_TABLE_NOT_FOUND; the others are still claimed', async () => {
    const ids = tables(1);
    const result = await settle(clock, switcher().claim({ tables: ['rtb-dead', ...ids], target: TARGET }));
    expect(result.tables[0]).toMatchObject({ routeTableId: 'rtb-dead', ok: false });
    expect(result.tables[0]!.routes[0]!.error?.code).toBe('ROUTE_TABLE_NOT_FOUND');
    expect(result.tables[1]!.ok).toBe(true);
  });

  it('claims several destinations, IPv6 included', async () => {
    const ids = tables(1);
    const result = await settle(
      clock,
      switcher().claim({ tables: ids, target: TARGET, destinations: ['0.0.0.0/0', '::/0'] }),
    );
    expect(ec2.writes().map((w) => w.action)).toEqual(['ReplaceRoute', 'CreateRoute']);
    expect(ec2.writes()[1]!.input).toMatchObject({ DestinationIpv6CidrBlock: '::/0' });
    expect(result.ok).toBe(true);
  });
});

describe('claim: verification (eventual consistency, §3.3)', () => {
  it('never declares success from a stale read: re-reads with backoff until the target shows', async () => {
    const ids = tables(3);
    ec2.staleReads(2);
    const result = await settle(clock, switcher().claim({ tables: ids, target: TARGET }));
    // The fake turns stale from the first write on, so the read pass itself is fresh.
    expect(result.ok).toBe(true);
    expect(result.tables.every((t) => t.routes[0]!.verified)).toBe(true);
    // 1 read + 2 stale verification reads + 1 fresh.
    expect(result.describeCalls).toBe(4);
  });

  it('reports VERIFY_TIMEOUT per route when the write never becomes visible', async () => {
    const ids = tables(1);
    ec2.staleReads(1_000_000);
    const result = await settle(
      clock,
      switcher({ verifyTimeoutMs: 3000 }).claim({ tables: ids, target: TARGET }),
    );
    expect(result.ok).toBe(false);
    const r = result.tables[0]!.routes[0]!;
    expect(r).toMatchObject({ status: 'replaced', verified: false });
    expect(r.error?.code).toBe('VERIFY_TIMEOUT');
    expect(r.after?.networkInterfaceId).toBe('eni-old');
    // Delays 100, 200, 400, 800, 1000 → reads at 0, .1, .3, .7, 1.5, 2.5 s; the next would pass 3 s.
    expect(result.describeCalls).toBe(1 + 6);
  });
});

describe('claim: throughput at the rate limit (virtual time)', () => {
  it('paces writes with the token bucket: 60 writes = 50 burst + 10 at 5/s, no throttle', async () => {
    const ids = tables(60);
    const stamps: number[] = [];
    const t0 = clock.now();
    ec2.mock
      .on(ReplaceRouteCommand)
      .callsFake(async (input: { RouteTableId: string; NetworkInterfaceId: string }) => {
        stamps.push(clock.now() - t0);
        await clock.sleep(30);
        ec2.tables
          .get(input.RouteTableId)!
          .routes.set('0.0.0.0/0', { networkInterfaceId: input.NetworkInterfaceId });
        return {};
      });
    const result = await settle(clock, switcher().claim({ tables: ids, target: TARGET }));
    expect(result.ok).toBe(true);
    expect(stamps).toHaveLength(60);
    // The burst goes as fast as 16 writes in flight allow (4 waves of 30 ms); refill starts when the
    // first write is answered (30 ms: EC2 has surely received it by then), so the 51st write goes at
    // 30 + 200 ms and the 60th at 30 + 2000 ms — not earlier (EC2 would throttle), and not later.
    expect(stamps[49]! - stamps[0]!).toBe(90);
    // (±10 ms: the test drives virtual time in 5 ms steps.)
    expect(stamps[50]! - stamps[0]!).toBeGreaterThanOrEqual(230);
    expect(stamps[50]! - stamps[0]!).toBeLessThan(240);
    expect(stamps[59]! - stamps[0]!).toBeGreaterThanOrEqual(2030);
    expect(stamps[59]! - stamps[0]!).toBeLessThan(2040);
  });

  it('recovers from injected throttles with backoff and still writes each route exactly once', async () => {
    const ids = tables(10);
    let throttles = 3;
    ec2.mock
      .on(ReplaceRouteCommand)
      .callsFake(async (input: { RouteTableId: string; NetworkInterfaceId: string }) => {
        if (throttles-- > 0) throw ec2Error('RequestLimitExceeded', 503, 'Request limit exceeded.');
        ec2.tables
          .get(input.RouteTableId)!
          .routes.set('0.0.0.0/0', { networkInterfaceId: input.NetworkInterfaceId });
        return {};
      });
    const result = await settle(clock, switcher().claim({ tables: ids, target: TARGET }));
    expect(result.ok).toBe(true);
    expect(result.calls).toHaveLength(10);
    expect(events.filter((e) => e.outcome === 'throttled')).toHaveLength(3);
    expect(events.filter((e) => e.action === 'ReplaceRoute' && e.outcome === 'ok')).toHaveLength(10);
  });

  it('a hung write is cut at callTimeoutMs (the lease maxWriteMs) and retried', async () => {
    const ids = tables(1);
    ec2.onNext('ReplaceRoute', () => new Promise(() => {}));
    const result = await settle(clock, switcher().claim({ tables: ids, target: TARGET, callTimeoutMs: 300 }));
    expect(result.ok).toBe(true);
    expect(events.filter((e) => e.action === 'ReplaceRoute').map((e) => [e.outcome, e.latencyMs])).toEqual([
      ['timeout', 300],
      ['ok', 20],
    ]);
  });
});

describe('claim: fencing (abort = lease no longer trusted)', () => {
  it('abort stops further writes: none starts after the signal fires, and claim rejects ABORTED', async () => {
    const ids = tables(60);
    const ac = new AbortController();
    const writeTimes: number[] = [];
    ec2.mock
      .on(ReplaceRouteCommand)
      .callsFake(async (input: { RouteTableId: string; NetworkInterfaceId: string }) => {
        writeTimes.push(clock.now());
        await clock.sleep(20);
        ec2.tables
          .get(input.RouteTableId)!
          .routes.set('0.0.0.0/0', { networkInterfaceId: input.NetworkInterfaceId });
        return {};
      });
    const p = switcher().claim({ tables: ids, target: TARGET, signal: ac.signal });
    await clock.advance(1000);
    const abortedAt = clock.now();
    ac.abort(new Error('lease lost'));
    const err = (await p.catch((e: unknown) => e)) as RouteSwitcherError;
    await clock.advance(10_000);
    expect(err.code).toBe('ABORTED');
    expect((err.cause as Error).message).toBe('lease lost');
    expect(writeTimes.length).toBeGreaterThan(50);
    expect(writeTimes.length).toBeLessThan(60);
    expect(writeTimes.every((t) => t <= abortedAt)).toBe(true);
    expect(ec2.writes()).toHaveLength(writeTimes.length);
    expect((err.details?.calls as unknown[]).length).toBe(writeTimes.length);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('aborts in-flight writes: the SDK request signal fires and the claim settles at once', async () => {
    const ids = tables(1);
    const ac = new AbortController();
    let sdkSignal: AbortSignal | undefined;
    ec2.mock.on(ReplaceRouteCommand).callsFake(() => new Promise(() => {}));
    const origSend = ec2.client.send.bind(ec2.client);
    ec2.client.send = ((cmd: never, opts?: { abortSignal?: AbortSignal }) => {
      if ((cmd as object).constructor === ReplaceRouteCommand) sdkSignal = opts?.abortSignal;
      return origSend(cmd, opts as never);
    }) as typeof ec2.client.send;
    const p = switcher().claim({ tables: ids, target: TARGET, signal: ac.signal });
    await clock.advance(100);
    expect(sdkSignal?.aborted).toBe(false);
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
    expect(sdkSignal?.aborted).toBe(true);
  });

  it('an abort during verification still reports the writes that were sent', async () => {
    const ids = tables(2);
    ec2.staleReads(1_000_000);
    const ac = new AbortController();
    const p = switcher().claim({ tables: ids, target: TARGET, signal: ac.signal });
    await clock.advance(300);
    expect(ec2.writes()).toHaveLength(2);
    ac.abort(new Error('lease lost'));
    const err = (await p.catch((e: unknown) => e)) as RouteSwitcherError;
    expect(err.code).toBe('ABORTED');
    expect((err.details?.calls as { outcome: string }[]).map((c) => c.outcome)).toEqual(['ok', 'ok']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('an already-aborted signal sends nothing at all', async () => {
    const ids = tables(1);
    const ac = new AbortController();
    ac.abort();
    await expect(switcher().claim({ tables: ids, target: TARGET, signal: ac.signal })).rejects.toMatchObject({
      code: 'ABORTED',
    });
    expect(ec2.mock.calls()).toHaveLength(0);
  });
});

// EC2 Query transport, envelopes, errors, DryRun, throttling and faults: rules 1–12 of
// ec2-query-and-imds.md §7, with the real @aws-sdk/client-ec2 where the rule is about the SDK.
import {
  AssociateAddressCommand,
  CreateRouteCommand,
  DeleteRouteCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  DisassociateAddressCommand,
  EC2ServiceException,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  ReplaceRouteCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../src/clock';
import { defaultWorld } from '../../src/world/default-world';
import {
  REAL_AWS,
  itEmulator,
  openTarget,
  sdkError,
  withTarget,
  type ContractTarget,
} from './contract-target';
import { worldIds } from './fixtures';

const ids = worldIds();
const VPCS = { Action: 'DescribeVpcs', Version: '2016-11-15' };

describe('EC2 Query transport (rules 1–12)', () => {
  let t: ContractTarget;
  beforeAll(async () => {
    t = await openTarget();
  });
  afterAll(async () => {
    await t.close();
  });

  it('rule 1: POST / with and without "; charset=utf-8", and the same parameters as a GET query', async () => {
    for (const contentType of [
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded; charset=utf-8',
    ]) {
      const res = await t.raw(VPCS, { contentType });
      expect(res.status).toBe(200);
      expect(res.body).toContain('<DescribeVpcsResponse');
    }
    const get = await t.raw(VPCS, { method: 'GET' });
    expect(get.status).toBe(200);
    expect(get.body).toContain('<vpcSet>');
  });

  itEmulator('rule 1: any base path (the SDK keeps an endpoint path such as /ec2/)', async () => {
    const ec2 = t.ec2({ endpoint: `${t.ec2Endpoint}ec2/` });
    const out = await ec2.send(new DescribeVpcsCommand({}));
    expect(out.Vpcs?.map((v) => v.VpcId)).toEqual([ids.vpcId]);
    expect((await t.raw(VPCS, { path: '/any/base/' })).status).toBe(200);
  });

  itEmulator('rule 2: form-decodes %XX and + as space; parameter names are case-sensitive', async () => {
    await withTarget(
      {
        world: (() => {
          const w = defaultWorld();
          (w.routeTables[2]?.tags as Record<string, string>).Name = 'my nat+x/y*';
          return w;
        })(),
      },
      async (t2) => {
        // `+` is a space, %2B a plus: the value decodes to "my nat+x/y*" (the `*` escaped for EC2).
        const body =
          'Action=DescribeRouteTables&Version=2016-11-15&Filter.1.Name=tag%3AName&Filter.1.Value.1=my+nat%2Bx%2Fy%5C*';
        const res = await t2.raw(body);
        expect(res.status).toBe(200);
        const tables = [...res.body.matchAll(/<routeTableId>([^<]+)<\/routeTableId>\s*<vpcId>/g)].map(
          (m) => m[1],
        );
        expect(tables).toEqual([ids.privateTableIds[0]]);
        const lower = await t2.raw('Action=DescribeRouteTables&Version=2016-11-15&filter.1.name=vpc-id');
        expect(lower.status).toBe(400);
        expect(lower.body).toContain('<Code>UnknownParameter</Code>');
      },
    );
  });

  itEmulator('rule 3: 1-based lists read until the first gap; an omitted list means "all"', async () => {
    const [a, b] = ids.privateTableIds as [string, string];
    const res = await t.raw({
      Action: 'DescribeRouteTables',
      Version: '2016-11-15',
      'RouteTableId.1': a,
      'RouteTableId.3': 'rtb-0000000000000dead',
    });
    expect(res.status).toBe(200);
    expect(res.body.match(/<routeTableId>rtb-[0-9a-f]+<\/routeTableId>\s*<vpcId>/g)).toHaveLength(1);
    const both = await t.ec2().send(new DescribeRouteTablesCommand({ RouteTableIds: [a, b] }));
    expect(both.RouteTables?.map((x) => x.RouteTableId).sort()).toEqual([a, b].sort());
    const all = await t.ec2().send(new DescribeRouteTablesCommand({ RouteTableIds: [] }));
    expect(all.RouteTables).toHaveLength(2 + ids.privateTableIds.length);
  });

  it('rule 4: Version 2016-11-15 accepted; unknown action → InvalidAction; unknown parameter → UnknownParameter', async () => {
    expect((await t.raw(VPCS)).status).toBe(200);
    const action = await t.raw({ Action: 'LaunchRockets', Version: '2016-11-15' });
    expect(action.status).toBe(400);
    expect(action.body).toContain('<Code>InvalidAction</Code>');
    const param = await t.raw({ ...VPCS, Item: 'x' });
    expect(param.status).toBe(400);
    expect(param.body).toContain('<Code>UnknownParameter</Code>');
    if (!REAL_AWS) expect(param.body).toContain('The parameter Item is not recognized');
  });

  it('rule 5: 200, text/xml;charset=UTF-8, XML declaration, <XResponse xmlns=…2016-11-15/> whose first child is <requestId>, no Result wrapper', async () => {
    const res = await t.raw(VPCS);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')?.replace(/\s/g, '').toLowerCase()).toBe('text/xml;charset=utf-8');
    expect(res.body.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(res.body).toMatch(
      /<DescribeVpcsResponse xmlns="http:\/\/ec2\.amazonaws\.com\/doc\/2016-11-15\/">\s*<requestId>/,
    );
    expect(res.body).not.toContain('DescribeVpcsResult');
  });

  it('rule 6: a fresh request id per request, in <requestId> and in x-amzn-RequestId, surfaced as $metadata.requestId', async () => {
    const a = await t.raw(VPCS);
    const b = await t.raw(VPCS);
    const idOf = (body: string): string | undefined => /<requestId>([^<]+)<\/requestId>/.exec(body)?.[1];
    expect(idOf(a.body)).toBe(a.headers.get('x-amzn-requestid'));
    expect(idOf(a.body)).not.toBe(idOf(b.body));
    const out = await t.ec2().send(new DescribeVpcsCommand({}));
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const err = await sdkError(
      t.ec2().send(new DescribeRouteTablesCommand({ RouteTableIds: ['rtb-0000000000000dead'] })),
    );
    expect(err.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rule 7: <xxxSet><item> lists, empty sets, lowercase booleans, ISO-8601 UTC timestamps', async () => {
    const res = await t.raw({ Action: 'DescribeInstances', Version: '2016-11-15' });
    expect(res.body).toMatch(/<reservationSet>\s*<item>/);
    expect(res.body).toMatch(/<instancesSet>\s*<item>/);
    expect(res.body).toMatch(/<sourceDestCheck>(true|false)<\/sourceDestCheck>/);
    expect(res.body).not.toMatch(/>(True|False)</);
    expect(res.body).toMatch(/<launchTime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z<\/launchTime>/);
    const out = await t.ec2().send(new DescribeInstancesCommand({}));
    const inst = out.Reservations?.[0]?.Instances?.[0];
    expect(inst?.LaunchTime).toBeInstanceOf(Date);
    if (!REAL_AWS) {
      expect(res.body).toContain('<blockDeviceMapping/>');
      expect(inst?.BlockDeviceMappings).toEqual([]);
    }
  });

  it('rule 8: errors use <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>', async () => {
    const res = await t.raw({
      Action: 'DescribeRouteTables',
      Version: '2016-11-15',
      'RouteTableId.1': 'rtb-0000000000000dead',
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\s*<Response><Errors><Error><Code>InvalidRouteTableID\.NotFound<\/Code><Message>[^<]+<\/Message><\/Error><\/Errors><RequestID>[^<]+<\/RequestID><\/Response>$/,
    );
    expect(/<RequestID>([^<]+)</.exec(res.body)?.[1]).toBe(res.headers.get('x-amzn-requestid'));
  });

  itEmulator(
    'rule 8: the status table — 401 AuthFailure, 403 UnauthorizedOperation, 412 DryRun, 503 throttled/unavailable, 500 internal',
    async () => {
      const unsigned = await t.raw(VPCS, { sign: false });
      expect([unsigned.status, /<Code>([^<]+)/.exec(unsigned.body)?.[1]]).toEqual([401, 'AuthFailure']);
      const dry = await t.raw({ ...VPCS, DryRun: 'true' });
      expect([dry.status, /<Code>([^<]+)/.exec(dry.body)?.[1]]).toEqual([412, 'DryRunOperation']);
      for (const [code, status] of [
        ['RequestLimitExceeded', 503],
        ['Unavailable', 503],
        ['InternalError', 500],
        ['UnauthorizedOperation', 403],
      ] as const) {
        t.aws?.control.injectFault({ action: 'DescribeVpcs', code });
        const res = await t.raw(VPCS);
        expect([code, res.status]).toEqual([code, status]);
        expect(res.body).toContain(`<Code>${code}</Code>`);
      }
    },
  );

  it('rule 9: every emitted error round-trips as EC2ServiceException with name = Code and the emitted status', async () => {
    const ec2 = t.ec2();
    const notFound = await sdkError(
      ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: ['rtb-0000000000000dead'] })),
    );
    expect(notFound).toBeInstanceOf(EC2ServiceException);
    expect([notFound.name, notFound.$metadata.httpStatusCode]).toEqual(['InvalidRouteTableID.NotFound', 400]);
    const dry = await sdkError(ec2.send(new DescribeVpcsCommand({ DryRun: true })));
    expect([dry.name, dry.$metadata.httpStatusCode]).toEqual(['DryRunOperation', 412]);
    if (REAL_AWS) return;
    for (const [code, status] of [
      ['RequestLimitExceeded', 503],
      ['Unavailable', 503],
      ['InternalError', 500],
      ['UnauthorizedOperation', 403],
      ['AuthFailure', 401],
      ['IncorrectInstanceState', 400],
    ] as const) {
      t.aws?.control.injectFault({ action: 'DescribeVpcs', code });
      const err = await sdkError(ec2.send(new DescribeVpcsCommand({})));
      expect(err).toBeInstanceOf(EC2ServiceException);
      expect([err.name, err.$metadata.httpStatusCode]).toEqual([code, status]);
    }
  });

  it('rule 10: DryRun answers 412 DryRunOperation after validation and changes nothing', async () => {
    const ec2 = t.ec2();
    const tables = await ec2.send(new DescribeRouteTablesCommand({}));
    const table = tables.RouteTables?.find((x) =>
      x.Routes?.some((r) => r.DestinationCidrBlock === '0.0.0.0/0' && r.NetworkInterfaceId != null),
    );
    const route = table?.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0');
    if (table == null || route?.NetworkInterfaceId == null) return; // nothing to replace on this account
    const err = await sdkError(
      ec2.send(
        new ReplaceRouteCommand({
          DryRun: true,
          RouteTableId: table.RouteTableId,
          DestinationCidrBlock: '0.0.0.0/0',
          NetworkInterfaceId: route.NetworkInterfaceId,
        }),
      ),
    );
    expect([err.name, err.message, err.$metadata.httpStatusCode]).toEqual([
      'DryRunOperation',
      'Request would have succeeded, but DryRun flag is set.',
      412,
    ]);
    // Validation comes first: a malformed CIDR is its own error even with DryRun.
    const malformed = await sdkError(
      ec2.send(
        new ReplaceRouteCommand({
          DryRun: true,
          RouteTableId: table.RouteTableId,
          DestinationCidrBlock: '0.0.0.0/33',
          NetworkInterfaceId: route.NetworkInterfaceId,
        }),
      ),
    );
    expect(malformed.name).toBe('InvalidParameterValue');
  });

  itEmulator(
    'rule 10: DryRun on every implemented action → 412 with no state change; a denying policy → 403 UnauthorizedOperation',
    async () => {
      await withTarget({ world: defaultWorld({ natGateways: true }) }, async (t2) => {
        const ec2 = t2.ec2();
        const before = JSON.stringify(t2.aws?.control.world());
        const [rtb] = ids.privateTableIds as [string];
        const commands = [
          new DescribeInstancesCommand({ DryRun: true }),
          new DescribeRouteTablesCommand({ DryRun: true }),
          new CreateRouteCommand({
            DryRun: true,
            RouteTableId: rtb,
            DestinationCidrBlock: '10.20.0.0/16',
            NetworkInterfaceId: ids.eniIds[1],
          }),
          new ReplaceRouteCommand({
            DryRun: true,
            RouteTableId: rtb,
            DestinationCidrBlock: '0.0.0.0/0',
            NetworkInterfaceId: ids.eniIds[1],
          }),
          new DeleteRouteCommand({ DryRun: true, RouteTableId: rtb, DestinationCidrBlock: '0.0.0.0/0' }),
          new DescribeNetworkInterfacesCommand({ DryRun: true }),
          new ModifyNetworkInterfaceAttributeCommand({
            DryRun: true,
            NetworkInterfaceId: ids.eniIds[0],
            SourceDestCheck: { Value: false },
          }),
          new ModifyInstanceAttributeCommand({
            DryRun: true,
            InstanceId: ids.instanceIds[0],
            SourceDestCheck: { Value: false },
          }),
          new DescribeAddressesCommand({ DryRun: true }),
          new AssociateAddressCommand({
            DryRun: true,
            AllocationId: ids.allocationId,
            NetworkInterfaceId: ids.eniIds[2],
          }),
          new DisassociateAddressCommand({ DryRun: true, PublicIp: ids.publicIp }),
          new DescribeSubnetsCommand({ DryRun: true }),
          new DescribeVpcsCommand({ DryRun: true }),
          new DescribeNatGatewaysCommand({ DryRun: true }),
        ];
        for (const command of commands) {
          const err = await sdkError(ec2.send(command as never));
          expect([command.constructor.name, err.name, err.$metadata.httpStatusCode]).toEqual([
            command.constructor.name,
            'DryRunOperation',
            412,
          ]);
        }
        expect(JSON.stringify(t2.aws?.control.world())).toBe(before);
        t2.aws?.control.setPolicy(ids.instanceIds[0] as string, ['ec2:ReplaceRoute']);
        const asNat = t2.ec2({ credentials: t2.aws?.credentials(ids.instanceIds[0] as string) });
        const denied = await sdkError(asNat.send(commands[3] as ReplaceRouteCommand));
        expect([denied.name, denied.$metadata.httpStatusCode]).toEqual(['UnauthorizedOperation', 403]);
        expect(denied.message).toMatch(
          /is not authorized to perform: ec2:ReplaceRoute on resource: arn:aws:ec2:us-east-1:123456789012:route-table\//,
        );
        // The deny is per action: the same caller may still read.
        await asNat.send(new DescribeRouteTablesCommand({ DryRun: false }));
      });
    },
  );

  itEmulator(
    'rule 11: per-action token buckets with the published limits; throttling one action does not affect another',
    async () => {
      const clock = createVirtualClock();
      await withTarget({ clock, throttling: true }, async (t2) => {
        const ec2 = t2.ec2();
        const replace = new ReplaceRouteCommand({
          RouteTableId: ids.privateTableIds[0],
          DestinationCidrBlock: '0.0.0.0/0',
          NetworkInterfaceId: ids.eniIds[0],
        });
        for (let i = 0; i < 50; i++) await ec2.send(replace);
        const throttled = await sdkError(ec2.send(replace));
        expect([throttled.name, throttled.message, throttled.$metadata.httpStatusCode]).toEqual([
          'RequestLimitExceeded',
          'Request limit exceeded.',
          503,
        ]);
        await ec2.send(
          new CreateRouteCommand({
            RouteTableId: ids.privateTableIds[1],
            DestinationCidrBlock: '10.20.0.0/16',
            NetworkInterfaceId: ids.eniIds[1],
          }),
        );
        await ec2.send(new DescribeRouteTablesCommand({}));
        await clock.advance(200); // mutating refill: 5 tokens/s
        await ec2.send(replace);
        expect((await sdkError(ec2.send(replace))).name).toBe('RequestLimitExceeded');

        // Unfiltered, unpaginated DescribeInstances has its own 50/10 bucket; filtered calls use 100/20.
        for (let i = 0; i < 50; i++) await ec2.send(new DescribeInstancesCommand({}));
        expect((await sdkError(ec2.send(new DescribeInstancesCommand({})))).name).toBe(
          'RequestLimitExceeded',
        );
        await ec2.send(
          new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['running'] }] }),
        );
      });
    },
  );

  itEmulator(
    'rule 12: injected faults are countable — 2 failures then success is 3 attempts, visible in the journal',
    async () => {
      await withTarget({}, async (t2) => {
        t2.aws?.control.injectFault({ action: 'ReplaceRoute', count: 2, code: 'InternalError' });
        const ec2 = t2.ec2({ maxAttempts: 3 });
        const out = await ec2.send(
          new ReplaceRouteCommand({
            RouteTableId: ids.privateTableIds[0],
            DestinationCidrBlock: '0.0.0.0/0',
            NetworkInterfaceId: ids.eniIds[1],
          }),
        );
        expect(out.$metadata.attempts).toBe(3);
        const entries = t2.aws?.journal() ?? [];
        expect(entries.map((e) => [e.action, e.outcome, e.sdkRequest])).toEqual([
          ['ReplaceRoute', 'InternalError', 'attempt=1; max=3'],
          ['ReplaceRoute', 'InternalError', 'attempt=2; max=3'],
          ['ReplaceRoute', 'ok', 'attempt=3; max=3'],
        ]);
        expect(new Set(entries.map((e) => e.invocationId)).size).toBe(1);
        expect(t2.aws?.control.pendingFaults()).toEqual([]);
      });
    },
  );
});

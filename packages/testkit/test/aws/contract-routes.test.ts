// Routes: rules 19–29 of ec2-query-and-imds.md §7, through @aws-sdk/client-ec2.
import {
  CreateRouteCommand,
  DeleteRouteCommand,
  DescribeRouteTablesCommand,
  ReplaceRouteCommand,
  type EC2Client,
  type Route,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultWorld } from '../../src/world/default-world';
import { itEmulator, openTarget, sdkError, type ContractTarget } from './contract-target';
import { withSecondVpc, withSpareEni, worldIds } from './fixtures';

const world = withSpareEni(withSecondVpc(defaultWorld({ natGateways: true })));
const ids = worldIds(world);
const [rtbA, rtbB] = ids.privateTableIds as [string, string];
const [natA, natB] = ids.instanceIds as [string, string];
const [eniA, eniB] = ids.eniIds as [string, string];

describe('Routes (rules 19–29)', () => {
  let t: ContractTarget;
  let ec2: EC2Client;
  beforeEach(async () => {
    t = await openTarget({ world });
    ec2 = t.ec2();
  });
  afterEach(async () => {
    await t.close();
  });

  const route = async (tableId: string, cidr = '0.0.0.0/0'): Promise<Route | undefined> => {
    const out = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [tableId] }));
    return out.RouteTables?.[0]?.Routes?.find((r) => r.DestinationCidrBlock === cidr);
  };
  const replace = (tableId: string, target: Record<string, string>, cidr = '0.0.0.0/0') =>
    ec2.send(new ReplaceRouteCommand({ RouteTableId: tableId, DestinationCidrBlock: cidr, ...target }));

  it('rule 19: every table has a local route per VPC CIDR (gatewayId local, CreateRouteTable, active); user routes have origin CreateRoute', async () => {
    const out = await ec2.send(new DescribeRouteTablesCommand({}));
    for (const table of out.RouteTables ?? []) {
      const local = table.Routes?.filter((r) => r.GatewayId === 'local') ?? [];
      expect(local.length).toBeGreaterThan(0);
      for (const r of local) expect([r.Origin, r.State]).toEqual(['CreateRouteTable', 'active']);
      for (const r of table.Routes ?? [])
        if (r.GatewayId !== 'local') expect(['CreateRoute', 'EnableVgwRoutePropagation']).toContain(r.Origin);
    }
  });

  itEmulator(
    'rule 19: the local route carries the VPC CIDR; CreateRoute adds origin CreateRoute',
    async () => {
      const local = await route(rtbA, ids.vpcCidr);
      expect([local?.GatewayId, local?.Origin]).toEqual(['local', 'CreateRouteTable']);
      await ec2.send(
        new CreateRouteCommand({
          RouteTableId: rtbA,
          DestinationCidrBlock: '192.168.0.0/16',
          NetworkInterfaceId: eniB,
        }),
      );
      expect((await route(rtbA, '192.168.0.0/16'))?.Origin).toBe('CreateRoute');
    },
  );

  itEmulator(
    'rule 20: exactly one target; ReplaceRoute clears every previous target field and keeps origin',
    async () => {
      await replace(rtbA, { NatGatewayId: ids.natGatewayIds[0] as string });
      expect(await route(rtbA)).toEqual({
        DestinationCidrBlock: '0.0.0.0/0',
        NatGatewayId: ids.natGatewayIds[0],
        Origin: 'CreateRoute',
        State: 'active',
      });
      await replace(rtbA, { GatewayId: ids.igwId });
      expect(await route(rtbA)).toEqual({
        DestinationCidrBlock: '0.0.0.0/0',
        GatewayId: ids.igwId,
        Origin: 'CreateRoute',
        State: 'active',
      });
      await replace(rtbA, { NetworkInterfaceId: eniB });
      const r = await route(rtbA);
      expect(r?.GatewayId).toBeUndefined();
      expect(r?.NatGatewayId).toBeUndefined();
      expect([r?.NetworkInterfaceId, r?.Origin]).toEqual([eniB, 'CreateRoute']);
    },
  );

  itEmulator(
    'rule 21: an instance route shows instanceId, instanceOwnerId and the primary ENI; an ENI route shows its instance',
    async () => {
      await replace(rtbA, { InstanceId: natB });
      expect(await route(rtbA)).toEqual({
        DestinationCidrBlock: '0.0.0.0/0',
        InstanceId: natB,
        InstanceOwnerId: '123456789012',
        NetworkInterfaceId: eniB,
        Origin: 'CreateRoute',
        State: 'active',
      });
      await replace(rtbA, { NetworkInterfaceId: eniA });
      expect(await route(rtbA)).toMatchObject({
        InstanceId: natA,
        InstanceOwnerId: '123456789012',
        NetworkInterfaceId: eniA,
      });
    },
  );

  itEmulator(
    'rule 22: state is computed at read time — stopped, terminated, detached or gone targets are blackhole; restart makes it active',
    async () => {
      const control = t.aws?.control;
      expect((await route(rtbA))?.State).toBe('active');
      control?.stopInstance(natA);
      expect((await route(rtbA))?.State).toBe('blackhole');
      control?.startInstance(natA);
      expect((await route(rtbA))?.State).toBe('active'); // no route call in between

      control?.setInstanceState(natA, 'stopping');
      expect((await route(rtbA))?.State).toBe('blackhole'); // transitional states default to blackhole
      control?.setRouteStateDuringTransitions('active');
      expect((await route(rtbA))?.State).toBe('active');
      control?.setRouteStateDuringTransitions('blackhole');
      control?.setInstanceState(natA, 'running');

      control?.detachNetworkInterface(eniA);
      expect((await route(rtbA))?.State).toBe('blackhole');
      control?.attachNetworkInterface(eniA, natA, 0);
      expect((await route(rtbA))?.State).toBe('active');

      await replace(rtbB, { NatGatewayId: ids.natGatewayIds[1] as string });
      control?.setNatGatewayState(ids.natGatewayIds[1] as string, 'deleted');
      expect((await route(rtbB))?.State).toBe('blackhole');

      control?.terminateInstance(natA);
      const gone = await route(rtbA);
      expect([gone?.State, gone?.NetworkInterfaceId]).toEqual(['blackhole', eniA]); // the route stays, pointing at nothing
    },
  );

  it('rule 23: CreateRoute on an existing destination (any target) → RouteAlreadyExists; a malformed CIDR → InvalidParameterValue', async () => {
    const tables = (await ec2.send(new DescribeRouteTablesCommand({}))).RouteTables ?? [];
    const table =
      tables.find((x) =>
        x.Routes?.some((r) => r.DestinationCidrBlock === '0.0.0.0/0' && r.GatewayId != null),
      ) ?? tables[0];
    const existing = table?.Routes?.find((r) => r.GatewayId != null);
    const malformed = await sdkError(
      ec2.send(
        new CreateRouteCommand({
          DryRun: true,
          RouteTableId: table?.RouteTableId,
          DestinationCidrBlock: '10.0.0.0/40',
          GatewayId: existing?.GatewayId,
        }),
      ),
    );
    expect([malformed.name, malformed.$metadata.httpStatusCode]).toEqual(['InvalidParameterValue', 400]);
    if (t.kind === 'aws') return; // creating routes is not read-only
    for (const target of [
      { NetworkInterfaceId: eniA },
      { NetworkInterfaceId: eniB },
      { GatewayId: ids.igwId },
    ]) {
      const err = await sdkError(
        ec2.send(
          new CreateRouteCommand({ RouteTableId: rtbA, DestinationCidrBlock: '0.0.0.0/0', ...target }),
        ),
      );
      expect([err.name, err.message, err.$metadata.httpStatusCode]).toEqual([
        'RouteAlreadyExists',
        'The route identified by 0.0.0.0/0 already exists.',
        400,
      ]);
    }
    const bad = await sdkError(
      ec2.send(
        new CreateRouteCommand({
          RouteTableId: rtbA,
          DestinationCidrBlock: 'default',
          NetworkInterfaceId: eniA,
        }),
      ),
    );
    expect([bad.name, bad.message]).toEqual([
      'InvalidParameterValue',
      'Value (default) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.',
    ]);
  });

  itEmulator(
    'rule 24: ReplaceRoute on an absent destination → InvalidParameterValue "…Use CreateRoute instead.", not InvalidRoute.NotFound',
    async () => {
      const err = await sdkError(replace(rtbA, { NetworkInterfaceId: eniB }, '172.16.0.0/12'));
      expect([err.name, err.message, err.$metadata.httpStatusCode]).toEqual([
        'InvalidParameterValue',
        "There is no route defined for '172.16.0.0/12' in the route table. Use CreateRoute instead.",
        400,
      ]);
    },
  );

  itEmulator(
    'rule 25: DeleteRoute on an absent destination → InvalidRoute.NotFound; on an unknown table → InvalidRouteTableID.NotFound',
    async () => {
      const absent = await sdkError(
        ec2.send(new DeleteRouteCommand({ RouteTableId: rtbA, DestinationCidrBlock: '172.16.0.0/12' })),
      );
      expect([absent.name, absent.$metadata.httpStatusCode]).toEqual(['InvalidRoute.NotFound', 400]);
      const table = await sdkError(
        ec2.send(
          new DeleteRouteCommand({
            RouteTableId: 'rtb-0000000000000dead',
            DestinationCidrBlock: '0.0.0.0/0',
          }),
        ),
      );
      expect([table.name, table.message]).toEqual([
        'InvalidRouteTableID.NotFound',
        "The routeTable ID 'rtb-0000000000000dead' does not exist",
      ]);
      await ec2.send(new DeleteRouteCommand({ RouteTableId: rtbA, DestinationCidrBlock: '0.0.0.0/0' }));
      expect(await route(rtbA)).toBeUndefined();
    },
  );

  itEmulator(
    'rule 26: Create/ReplaceRoute with InstanceId of a multi-ENI instance → InvalidInstanceID (multiple interfaces)',
    async () => {
      t.aws?.control.attachNetworkInterface('eni-00000000000000c01', natA, 1);
      const message = `There are multiple interfaces attached to instance '${natA}'. Please specify an interface ID for the operation instead.`;
      const r = await sdkError(replace(rtbB, { InstanceId: natA }));
      expect([r.name, r.message, r.$metadata.httpStatusCode]).toEqual(['InvalidInstanceID', message, 400]);
      const c = await sdkError(
        ec2.send(
          new CreateRouteCommand({
            RouteTableId: rtbB,
            DestinationCidrBlock: '172.16.0.0/12',
            InstanceId: natA,
          }),
        ),
      );
      expect([c.name, c.message]).toEqual(['InvalidInstanceID', message]);
      await replace(rtbB, { NetworkInterfaceId: eniA }); // the ENI target works
    },
  );

  itEmulator(
    'rule 27: a target in another VPC → InvalidParameterValue "…belong to different networks"; unknown targets → their NotFound',
    async () => {
      const foreign = await sdkError(replace(rtbA, { NetworkInterfaceId: 'eni-00000000000000b01' }));
      expect([foreign.name, foreign.message]).toEqual([
        'InvalidParameterValue',
        `route table ${rtbA} and network interface eni-00000000000000b01 belong to different networks`,
      ]);
      const igw = await sdkError(
        ec2.send(
          new CreateRouteCommand({
            RouteTableId: 'rtb-00000000000000b01',
            DestinationCidrBlock: '0.0.0.0/0',
            GatewayId: ids.igwId,
          }),
        ),
      );
      expect([igw.name, igw.message]).toEqual([
        'InvalidParameterValue',
        `route table rtb-00000000000000b01 and network gateway ${ids.igwId} belong to different networks`,
      ]);
      const cases = [
        [{ NetworkInterfaceId: 'eni-0000000000000dead' }, 'InvalidNetworkInterfaceID.NotFound'],
        [{ InstanceId: 'i-0000000000000dead' }, 'InvalidInstanceID.NotFound'],
        [{ NatGatewayId: 'nat-0000000000000dead' }, 'InvalidNatGatewayID.NotFound'],
        [{ GatewayId: 'igw-0000000000000dead' }, 'InvalidGatewayID.NotFound'],
        [{ TransitGatewayId: 'tgw-0000000000000dead' }, 'InvalidTransitGatewayID.NotFound'],
      ] as const;
      for (const [target, code] of cases) expect((await sdkError(replace(rtbA, target))).name).toBe(code);
    },
  );

  itEmulator('rule 28: ReplaceRoute to the current target → 200 and nothing changes', async () => {
    const before = await route(rtbA);
    const out = await replace(rtbA, { NetworkInterfaceId: eniA });
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(await route(rtbA)).toEqual(before);
    expect(t.aws?.journal().map((e) => [e.action, e.outcome])).toEqual([['ReplaceRoute', 'ok']]);
  });

  it('rule 29: DescribeRouteTables supports the agent\'s filters, with "any route matches" for route.*', async () => {
    const all = (await ec2.send(new DescribeRouteTablesCommand({}))).RouteTables ?? [];
    const sample = all.find((x) => (x.Associations ?? []).some((a) => a.SubnetId != null)) ?? all[0];
    const names = [
      'route-table-id',
      'vpc-id',
      'association.subnet-id',
      'association.main',
      'route.destination-cidr-block',
      'route.instance-id',
      'route.state',
      'tag:Name',
      'tag-key',
    ];
    for (const name of names) {
      // Accepted (no InvalidParameterValue) for every name the agent uses.
      await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: name, Values: ['x'] }] }));
    }
    const byId = await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [{ Name: 'route-table-id', Values: [sample?.RouteTableId as string] }],
      }),
    );
    expect(byId.RouteTables?.map((x) => x.RouteTableId)).toEqual([sample?.RouteTableId]);
    const subnet = sample?.Associations?.find((a) => a.SubnetId != null)?.SubnetId;
    if (subnet != null) {
      const bySubnet = await ec2.send(
        new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnet] }] }),
      );
      expect(bySubnet.RouteTables?.map((x) => x.RouteTableId)).toEqual([sample?.RouteTableId]);
    }
    const main = await ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.main', Values: ['true'] }] }),
    );
    for (const x of main.RouteTables ?? []) expect(x.Associations?.some((a) => a.Main === true)).toBe(true);
  });

  itEmulator(
    'rule 29: route.* filters match when any route matches (route.state, route.instance-id, route.destination-cidr-block)',
    async () => {
      const filtered = async (name: string, values: string[]): Promise<string[]> =>
        (
          (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: name, Values: values }] })))
            .RouteTables ?? []
        ).map((x) => x.RouteTableId as string);
      t.aws?.control.stopInstance(natB);
      expect(await filtered('route.state', ['blackhole'])).toEqual([rtbB]);
      expect((await filtered('route.state', ['active'])).length).toBe(ids.privateTableIds.length + 3); // local routes are active everywhere
      expect(await filtered('route.instance-id', [natA])).toEqual([rtbA]);
      expect(await filtered('route.destination-cidr-block', ['0.0.0.0/0'])).toEqual([
        ids.publicTableId,
        ...ids.privateTableIds,
      ]);
      expect(await filtered('association.main', ['true'])).toEqual([
        ids.mainTableId,
        'rtb-00000000000000b01',
      ]);
      expect(await filtered('association.subnet-id', [ids.privateSubnetIds[2] as string])).toEqual([
        ids.privateTableIds[2],
      ]);
    },
  );
});

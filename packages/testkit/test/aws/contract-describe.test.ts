// Describe semantics: rules 13–18 of ec2-query-and-imds.md §7, through @aws-sdk/client-ec2.
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  paginateDescribeInstances,
  paginateDescribeNetworkInterfaces,
  paginateDescribeRouteTables,
  paginateDescribeSubnets,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORLD_TAGS, defaultWorld } from '../../src/world/default-world';
import { itEmulator, openTarget, sdkError, type ContractTarget } from './contract-target';
import { worldIds } from './fixtures';

// Enough resources that every paginated Describe has several pages of 5.
const world = defaultWorld({ natInstances: 12, privateRouteTables: 12 });
const ids = worldIds(world);

describe('Describe semantics (rules 13–18)', () => {
  let t: ContractTarget;
  let ec2: EC2Client;
  beforeAll(async () => {
    t = await openTarget({ world });
    ec2 = t.ec2();
  });
  afterAll(async () => {
    await t.close();
  });

  const tableIds = async (filters: { Name: string; Values: string[] }[]): Promise<string[]> =>
    ((await ec2.send(new DescribeRouteTablesCommand({ Filters: filters }))).RouteTables ?? []).map(
      (x) => x.RouteTableId as string,
    );

  itEmulator(
    'rule 13: values OR-ed, filters AND-ed, case-sensitive, * and ? wildcards, backslash escapes, tag:<key> and tag-key',
    async () => {
      const az = `tag:${WORLD_TAGS.az}`;
      expect(await tableIds([{ Name: az, Values: ['us-east-1a', 'us-east-1b'] }])).toHaveLength(8);
      expect(
        await tableIds([
          { Name: az, Values: ['us-east-1a'] },
          { Name: 'tag:Name', Values: ['private-001', 'private-002'] },
        ]),
      ).toEqual([ids.privateTableIds[0]]);
      expect(await tableIds([{ Name: az, Values: ['us-east-1*'] }])).toHaveLength(12);
      expect(await tableIds([{ Name: az, Values: ['us-east-?c'] }])).toHaveLength(4);
      expect(await tableIds([{ Name: az, Values: ['US-EAST-1A'] }])).toEqual([]);
      expect(await tableIds([{ Name: 'tag:Name', Values: ['private-00\\*'] }])).toEqual([]);
      expect(await tableIds([{ Name: 'tag-key', Values: [WORLD_TAGS.managed] }])).toHaveLength(12);
      expect(await tableIds([{ Name: 'tag:Name', Values: ['main', 'public'] }])).toEqual([
        ids.mainTableId,
        ids.publicTableId,
      ]);
    },
  );

  it('rule 14: an unsupported filter name is 400 InvalidParameterValue "The filter \'<name>\' is invalid"', async () => {
    for (const command of [
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.colour', Values: ['x'] }] }),
      new DescribeInstancesCommand({ Filters: [{ Name: 'route.colour', Values: ['x'] }] }),
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'route.colour', Values: ['x'] }] }),
      new DescribeAddressesCommand({ Filters: [{ Name: 'route.colour', Values: ['x'] }] }),
      new DescribeSubnetsCommand({ Filters: [{ Name: 'route.colour', Values: ['x'] }] }),
    ]) {
      const err = await sdkError(ec2.send(command as never));
      expect([err.name, err.message, err.$metadata.httpStatusCode]).toEqual([
        'InvalidParameterValue',
        "The filter 'route.colour' is invalid",
        400,
      ]);
    }
  });

  it('rule 15: an explicit id list with any unknown id fails with the matching *.NotFound naming it — never a partial list', async () => {
    const known = (await ec2.send(new DescribeRouteTablesCommand({}))).RouteTables?.[0]
      ?.RouteTableId as string;
    const cases = [
      [
        new DescribeRouteTablesCommand({ RouteTableIds: [known, 'rtb-0000000000000dead'] }),
        'InvalidRouteTableID.NotFound',
        'rtb-0000000000000dead',
      ],
      [
        new DescribeInstancesCommand({ InstanceIds: ['i-0000000000000dead'] }),
        'InvalidInstanceID.NotFound',
        'i-0000000000000dead',
      ],
      [
        new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-0000000000000dead'] }),
        'InvalidNetworkInterfaceID.NotFound',
        'eni-0000000000000dead',
      ],
      [
        new DescribeAddressesCommand({ AllocationIds: ['eipalloc-0000000000000dead'] }),
        'InvalidAllocationID.NotFound',
        'eipalloc-0000000000000dead',
      ],
      [
        new DescribeSubnetsCommand({ SubnetIds: ['subnet-0000000000000dead'] }),
        'InvalidSubnetID.NotFound',
        'subnet-0000000000000dead',
      ],
    ] as const;
    for (const [command, code, id] of cases) {
      const err = await sdkError(ec2.send(command as never));
      expect(err.name).toBe(code);
      expect(err.message).toContain(id);
    }
  });

  it('rule 16: DescribeInstances rejects InstanceId.N with MaxResults; MaxResults pages with NextToken until exhausted', async () => {
    const combo = await sdkError(
      ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-00000000000000100'], MaxResults: 5 })),
    );
    expect([combo.name, combo.$metadata.httpStatusCode]).toEqual(['InvalidParameterCombination', 400]);

    const all = await ec2.send(new DescribeInstancesCommand({}));
    const reservationIds: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeInstances({ client: ec2, pageSize: 5 }, {})) {
      pages++;
      expect(page.Reservations?.length ?? 0).toBeLessThanOrEqual(5);
      reservationIds.push(...(page.Reservations ?? []).map((r) => r.ReservationId as string));
    }
    expect(reservationIds).toEqual((all.Reservations ?? []).map((r) => r.ReservationId));
    expect(pages).toBe(Math.max(1, Math.ceil(reservationIds.length / 5)));
  });

  it('rule 16: the same NextToken/MaxResults contract for DescribeRouteTables, DescribeNetworkInterfaces and DescribeSubnets', async () => {
    const collect = async <T>(pages: AsyncIterable<T>, pick: (p: T) => unknown[]): Promise<number> => {
      let n = 0;
      for await (const page of pages) {
        const items = pick(page);
        expect(items.length).toBeLessThanOrEqual(5);
        n += items.length;
      }
      return n;
    };
    const tables = await collect(
      paginateDescribeRouteTables({ client: ec2, pageSize: 5 }, {}),
      (p) => p.RouteTables ?? [],
    );
    expect(tables).toBe((await ec2.send(new DescribeRouteTablesCommand({}))).RouteTables?.length);
    const enis = await collect(
      paginateDescribeNetworkInterfaces({ client: ec2, pageSize: 5 }, {}),
      (p) => p.NetworkInterfaces ?? [],
    );
    expect(enis).toBe((await ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces?.length);
    const subnets = await collect(
      paginateDescribeSubnets({ client: ec2, pageSize: 5 }, {}),
      (p) => p.Subnets ?? [],
    );
    expect(subnets).toBe((await ec2.send(new DescribeSubnetsCommand({}))).Subnets?.length);
  });

  itEmulator(
    'rule 16: the world has more than one page of everything (so the paging tests above page)',
    async () => {
      expect(ids.instanceIds.length).toBeGreaterThan(5);
      expect((await ec2.send(new DescribeRouteTablesCommand({ MaxResults: 5 }))).NextToken).toBeDefined();
      expect(
        (await ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 5 }))).NextToken,
      ).toBeDefined();
      expect((await ec2.send(new DescribeSubnetsCommand({ MaxResults: 5 }))).NextToken).toBeDefined();
    },
  );

  it('rule 17: instances grouped under reservationSet/instancesSet with exact state code/name pairs', async () => {
    const codes: Record<string, number> = {
      pending: 0,
      running: 16,
      'shutting-down': 32,
      terminated: 48,
      stopping: 64,
      stopped: 80,
    };
    const out = await ec2.send(new DescribeInstancesCommand({}));
    for (const r of out.Reservations ?? []) {
      expect(r.ReservationId).toMatch(/^r-/);
      for (const i of r.Instances ?? [])
        expect(i.State?.Code != null && i.State.Code & 0xff).toBe(codes[i.State?.Name as string]);
    }
  });

  itEmulator('rule 17: every state name maps to its code', async () => {
    const states = ['pending', 'running', 'shutting-down', 'stopping', 'stopped', 'terminated'] as const;
    states.forEach((s, k) => t.aws?.control.setInstanceState(ids.instanceIds[k + 3] as string, s));
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids.instanceIds.slice(3, 9) }));
    const pairs = (out.Reservations ?? [])
      .flatMap((r) => r.Instances ?? [])
      .map((i) => [i.State?.Name, i.State?.Code]);
    expect(pairs).toEqual([
      ['pending', 0],
      ['running', 16],
      ['shutting-down', 32],
      ['stopping', 64],
      ['stopped', 80],
      ['terminated', 48],
    ]);
  });

  it('rule 18: networkInterfaceSet lists every attached ENI with MAC, device index and flag; instance sourceDestCheck = device-0 ENI', async () => {
    const out = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [{ Name: 'instance-state-name', Values: ['running', 'stopped'] }],
      }),
    );
    for (const inst of (out.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
      const enis = inst.NetworkInterfaces ?? [];
      expect(enis.length).toBeGreaterThan(0);
      for (const e of enis) {
        expect(e.MacAddress).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
        expect(typeof e.Attachment?.DeviceIndex).toBe('number');
        expect(typeof e.SourceDestCheck).toBe('boolean');
      }
      expect(inst.SourceDestCheck).toBe(enis.find((e) => e.Attachment?.DeviceIndex === 0)?.SourceDestCheck);
    }
  });
});

/**
 * An in-memory EC2 behind aws-sdk-client-mock, for the decision-logic unit tests (§5: the mock
 * replaces `send`, no middleware runs). It keeps just enough state to answer the calls this package
 * makes with the semantics of ec2-query-and-imds.md §7 (rules 15, 16, 20–26, 28, 29, 31, 32), so a
 * test asserts on the calls made and on the resulting routes, not on canned replies.
 * Wire, retry and timing fidelity are the testkit emulator's job (test/*.test.ts).
 */
import {
  AssociateAddressCommand,
  CreateRouteCommand,
  DescribeAddressesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  EC2Client,
  EC2ServiceException,
  ModifyNetworkInterfaceAttributeCommand,
  ReplaceRouteCommand,
  type Filter,
  type Route,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import type { VirtualClock } from '@nat-ha/testkit';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';

export function ec2Error(name: string, status: number, message = name): EC2ServiceException {
  return new EC2ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    message,
    $metadata: { httpStatusCode: status },
  });
}

export interface FakeRoute {
  networkInterfaceId?: string;
  instanceId?: string;
  natGatewayId?: string;
  gatewayId?: string;
}

export interface FakeTable {
  id: string;
  vpcId?: string;
  main?: boolean;
  subnetIds?: string[];
  tags?: Record<string, string>;
  routes?: Record<string, FakeRoute>;
}

export interface FakeEni {
  id: string;
  instanceId?: string;
  sourceDestCheck?: boolean;
  subnetId?: string;
  vpcId?: string;
}

interface TableState {
  id: string;
  vpcId: string;
  main: boolean;
  subnetIds: string[];
  tags: Record<string, string>;
  routes: Map<string, FakeRoute>;
}

export interface FakeEc2Options {
  clock?: VirtualClock;
  /** Virtual latency of every call, ms. */
  latencyMs?: number;
}

export interface FakeEc2 {
  client: EC2Client;
  mock: AwsClientStub<EC2Client>;
  tables: Map<string, TableState>;
  enis: Map<string, FakeEni & { sourceDestCheck: boolean }>;
  /** Instances with their ENIs (device order); an instance with > 1 ENI rejects InstanceId targets. */
  instances: Map<string, string[]>;
  addresses: Map<
    string,
    { publicIp: string; networkInterfaceId?: string; privateIp?: string; associationId?: string }
  >;
  subnets: Map<string, { vpcId: string; az: string; tags: Record<string, string> }>;
  addTable(t: FakeTable): void;
  addEni(e: FakeEni): void;
  /** The route's target id as stored. */
  routeTarget(tableId: string, cidr: string): string | undefined;
  /** Every mutating command sent, in order: [action, input]. */
  writes(): { action: string; input: Record<string, unknown> }[];
  /** How many commands of a kind were sent. */
  count(action: string): number;
  /**
   * Makes the next `reads` DescribeRouteTables answers show the state from before each write
   * (eventual consistency, §3.3).
   */
  staleReads(reads: number): void;
  /**
   * Answers the next call of `action` with `handler` (once), which may call `next(input)` for the
   * normal behaviour. (aws-sdk-client-mock's `callsFakeOnce` would make later calls resolve
   * `undefined` instead of falling back to the fake.)
   */
  onNext(
    action: string,
    handler: (
      input: Record<string, unknown>,
      next: (input: Record<string, unknown>) => Promise<unknown>,
    ) => Promise<unknown>,
  ): void;
}

const WRITE_ACTIONS = new Set([
  'ReplaceRoute',
  'CreateRoute',
  'AssociateAddress',
  'ModifyNetworkInterfaceAttribute',
]);

function matches(filters: Filter[] | undefined, t: TableState): boolean {
  for (const f of filters ?? []) {
    const values = f.Values ?? [];
    const name = f.Name ?? '';
    let ok: boolean;
    if (name === 'route-table-id') ok = values.includes(t.id);
    else if (name === 'vpc-id') ok = values.includes(t.vpcId);
    else if (name === 'association.subnet-id') ok = t.subnetIds.some((s) => values.includes(s));
    else if (name === 'association.main') ok = values.includes(String(t.main));
    else if (name.startsWith('tag:')) ok = values.includes(t.tags[name.slice(4)] ?? '\u0000');
    else throw ec2Error('InvalidParameterValue', 400, `The filter '${name}' is invalid`);
    if (!ok) return false;
  }
  return true;
}

export function createFakeEc2(options: FakeEc2Options = {}): FakeEc2 {
  const client = new EC2Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const mock = mockClient(client);
  const tables = new Map<string, TableState>();
  const enis = new Map<string, FakeEni & { sourceDestCheck: boolean }>();
  const instances = new Map<string, string[]>();
  const addresses: FakeEc2['addresses'] = new Map();
  const subnets: FakeEc2['subnets'] = new Map();
  let snapshot: Map<string, Map<string, FakeRoute>> | undefined;
  type Handler = (
    input: Record<string, unknown>,
    next: (input: Record<string, unknown>) => Promise<unknown>,
  ) => Promise<unknown>;
  const once = new Map<string, Handler[]>();
  const hook =
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each fake types its own command input
    (action: string, impl: (input: any) => Promise<unknown>) => (input: Record<string, unknown>) => {
      const h = once.get(action)?.shift();
      return h == null ? impl(input) : h(input, impl);
    };
  let staleLeft = 0;

  const delay = async (): Promise<void> => {
    if (options.clock != null && (options.latencyMs ?? 0) > 0)
      await options.clock.sleep(options.latencyMs as number);
  };

  const toRoute = (cidr: string, r: FakeRoute): Route => {
    const route: Route = cidr.includes(':')
      ? { DestinationIpv6CidrBlock: cidr }
      : { DestinationCidrBlock: cidr };
    let state = 'active';
    if (r.networkInterfaceId != null) {
      route.NetworkInterfaceId = r.networkInterfaceId;
      const eni = enis.get(r.networkInterfaceId);
      // Rule 21: a route to an attached ENI also shows the instance.
      if (eni?.instanceId != null) route.InstanceId = eni.instanceId;
      if (eni == null) state = 'blackhole';
    }
    if (r.instanceId != null) {
      route.InstanceId = r.instanceId;
      route.NetworkInterfaceId = instances.get(r.instanceId)?.[0];
    }
    if (r.natGatewayId != null) route.NatGatewayId = r.natGatewayId;
    if (r.gatewayId != null) route.GatewayId = r.gatewayId;
    route.State = state as Route['State'];
    route.Origin = r.gatewayId === 'local' ? 'CreateRouteTable' : 'CreateRoute';
    return route;
  };

  const view = (t: TableState, routes: Map<string, FakeRoute>): RouteTable => ({
    RouteTableId: t.id,
    VpcId: t.vpcId,
    Routes: [...routes.entries()].map(([cidr, r]) => toRoute(cidr, r)),
    Associations: [
      ...(t.main
        ? [{ Main: true, RouteTableId: t.id, RouteTableAssociationId: `rtbassoc-m${t.id.slice(4)}` }]
        : []),
      ...t.subnetIds.map((s, i) => ({
        Main: false,
        RouteTableId: t.id,
        SubnetId: s,
        RouteTableAssociationId: `rtbassoc-${i}${t.id.slice(4)}`,
      })),
    ],
    Tags: Object.entries(t.tags).map(([Key, Value]) => ({ Key, Value })),
  });

  const takeSnapshotBeforeWrite = (): void => {
    if (staleLeft > 0 && snapshot == null) {
      snapshot = new Map([...tables.values()].map((t) => [t.id, new Map(t.routes)]));
    }
  };

  const paginate = <T>(
    items: T[],
    maxResults: number | undefined,
    nextToken: string | undefined,
  ): { page: T[]; next?: string } => {
    const start = nextToken == null ? 0 : Number(nextToken);
    const size = maxResults ?? items.length;
    const page = items.slice(start, start + size);
    return start + size < items.length ? { page, next: String(start + size) } : { page };
  };

  mock.on(DescribeRouteTablesCommand).callsFake(
    hook(
      'DescribeRouteTables',
      async (input: { Filters?: Filter[]; MaxResults?: number; NextToken?: string; DryRun?: boolean }) => {
        await delay();
        if (input.DryRun === true)
          throw ec2Error('DryRunOperation', 412, 'Request would have succeeded, but DryRun flag is set.');
        const useStale = snapshot != null && staleLeft > 0;
        if (useStale) staleLeft--;
        const all = [...tables.values()].filter((t) => matches(input.Filters, t));
        const { page, next } = paginate(all, input.MaxResults, input.NextToken);
        const out = page.map((t) => view(t, useStale ? (snapshot?.get(t.id) ?? t.routes) : t.routes));
        if (staleLeft === 0) snapshot = undefined;
        return { RouteTables: out, NextToken: next };
      },
    ),
  );

  const routeWrite = (kind: 'ReplaceRoute' | 'CreateRoute') => async (input: Record<string, unknown>) => {
    await delay();
    if (input.DryRun === true)
      throw ec2Error('DryRunOperation', 412, 'Request would have succeeded, but DryRun flag is set.');
    const t = tables.get(input.RouteTableId as string);
    if (t == null)
      throw ec2Error(
        'InvalidRouteTableID.NotFound',
        400,
        `The routeTable ID '${String(input.RouteTableId)}' does not exist`,
      );
    const cidr = (input.DestinationCidrBlock ?? input.DestinationIpv6CidrBlock) as string;
    if (input.InstanceId != null && (instances.get(input.InstanceId as string)?.length ?? 0) > 1) {
      throw ec2Error(
        'InvalidInstanceID',
        400,
        `There are multiple interfaces attached to instance '${input.InstanceId as string}'. Please specify an interface ID for the operation instead.`,
      );
    }
    if (input.NetworkInterfaceId != null && !enis.has(input.NetworkInterfaceId as string)) {
      throw ec2Error(
        'InvalidNetworkInterfaceID.NotFound',
        400,
        `The networkInterface ID '${input.NetworkInterfaceId as string}' does not exist`,
      );
    }
    const exists = t.routes.has(cidr);
    if (kind === 'ReplaceRoute' && !exists) {
      throw ec2Error(
        'InvalidParameterValue',
        400,
        `There is no route defined for '${cidr}' in the route table. Use CreateRoute instead.`,
      );
    }
    if (kind === 'CreateRoute' && exists)
      throw ec2Error('RouteAlreadyExists', 400, `The route identified by ${cidr} already exists`);
    takeSnapshotBeforeWrite();
    // Rule 20: the new target replaces every previous target field.
    const r: FakeRoute = {};
    if (input.NetworkInterfaceId != null) r.networkInterfaceId = input.NetworkInterfaceId as string;
    if (input.NatGatewayId != null) r.natGatewayId = input.NatGatewayId as string;
    if (input.InstanceId != null) r.instanceId = input.InstanceId as string;
    if (input.GatewayId != null) r.gatewayId = input.GatewayId as string;
    t.routes.set(cidr, r);
    return kind === 'CreateRoute' ? { Return: true } : {};
  };
  mock.on(ReplaceRouteCommand).callsFake(hook('ReplaceRoute', routeWrite('ReplaceRoute')));
  mock.on(CreateRouteCommand).callsFake(hook('CreateRoute', routeWrite('CreateRoute')));

  mock.on(DescribeNetworkInterfacesCommand).callsFake(
    hook('DescribeNetworkInterfaces', async (input: { NetworkInterfaceIds?: string[]; DryRun?: boolean }) => {
      await delay();
      if (input.DryRun === true) throw ec2Error('DryRunOperation', 412);
      const ids = input.NetworkInterfaceIds ?? [...enis.keys()];
      const missing = ids.filter((id) => !enis.has(id));
      if (missing.length > 0)
        throw ec2Error(
          'InvalidNetworkInterfaceID.NotFound',
          400,
          `The networkInterface ID '${missing[0]}' does not exist`,
        );
      return {
        NetworkInterfaces: ids.map((id) => {
          const e = enis.get(id)!;
          return {
            NetworkInterfaceId: id,
            SourceDestCheck: e.sourceDestCheck,
            Attachment: e.instanceId == null ? undefined : { InstanceId: e.instanceId },
          };
        }),
      };
    }),
  );
  mock.on(ModifyNetworkInterfaceAttributeCommand).callsFake(
    hook(
      'ModifyNetworkInterfaceAttribute',
      async (input: {
        NetworkInterfaceId: string;
        SourceDestCheck?: { Value?: boolean };
        DryRun?: boolean;
      }) => {
        await delay();
        if (input.DryRun === true) throw ec2Error('DryRunOperation', 412);
        const e = enis.get(input.NetworkInterfaceId);
        if (e == null) throw ec2Error('InvalidNetworkInterfaceID.NotFound', 400);
        if (input.SourceDestCheck?.Value != null) e.sourceDestCheck = input.SourceDestCheck.Value;
        return {};
      },
    ),
  );
  mock.on(DescribeAddressesCommand).callsFake(
    hook('DescribeAddresses', async (input: { AllocationIds?: string[]; DryRun?: boolean }) => {
      await delay();
      if (input.DryRun === true) throw ec2Error('DryRunOperation', 412);
      const ids = input.AllocationIds ?? [...addresses.keys()];
      const missing = ids.filter((id) => !addresses.has(id));
      if (missing.length > 0)
        throw ec2Error('InvalidAllocationID.NotFound', 400, `Allocation ID '${missing[0]}' not found.`);
      return {
        Addresses: ids.map((id) => {
          const a = addresses.get(id)!;
          return {
            AllocationId: id,
            PublicIp: a.publicIp,
            NetworkInterfaceId: a.networkInterfaceId,
            PrivateIpAddress: a.privateIp,
            AssociationId: a.associationId,
            InstanceId: a.networkInterfaceId == null ? undefined : enis.get(a.networkInterfaceId)?.instanceId,
          };
        }),
      };
    }),
  );
  let assocSeq = 0;
  mock.on(AssociateAddressCommand).callsFake(
    hook(
      'AssociateAddress',
      async (input: {
        AllocationId: string;
        NetworkInterfaceId: string;
        PrivateIpAddress?: string;
        AllowReassociation?: boolean;
        DryRun?: boolean;
      }) => {
        await delay();
        if (input.DryRun === true) throw ec2Error('DryRunOperation', 412);
        const a = addresses.get(input.AllocationId);
        if (a == null) throw ec2Error('InvalidAllocationID.NotFound', 400);
        if (
          a.networkInterfaceId != null &&
          a.networkInterfaceId !== input.NetworkInterfaceId &&
          input.AllowReassociation === false
        ) {
          throw ec2Error('Resource.AlreadyAssociated', 400, `Resource ${a.publicIp} is already associated.`);
        }
        a.networkInterfaceId = input.NetworkInterfaceId;
        a.privateIp = input.PrivateIpAddress ?? '10.0.1.10';
        a.associationId = `eipassoc-${++assocSeq}`;
        return { AssociationId: a.associationId };
      },
    ),
  );
  mock.on(DescribeSubnetsCommand).callsFake(
    hook('DescribeSubnets', async (input: { Filters?: Filter[] }) => {
      await delay();
      const out = [...subnets.entries()].filter(([id, s]) =>
        (input.Filters ?? []).every((f) => {
          const v = f.Values ?? [];
          if (f.Name === 'subnet-id') return v.includes(id);
          if (f.Name === 'vpc-id') return v.includes(s.vpcId);
          if (f.Name === 'availability-zone') return v.includes(s.az);
          if (f.Name?.startsWith('tag:') === true) return v.includes(s.tags[f.Name.slice(4)] ?? '\u0000');
          throw ec2Error('InvalidParameterValue', 400, `The filter '${String(f.Name)}' is invalid`);
        }),
      );
      return { Subnets: out.map(([id, s]) => ({ SubnetId: id, VpcId: s.vpcId, AvailabilityZone: s.az })) };
    }),
  );

  const fake: FakeEc2 = {
    client,
    mock,
    tables,
    enis,
    instances,
    addresses,
    subnets,
    addTable(t) {
      const routes = new Map<string, FakeRoute>([['10.0.0.0/16', { gatewayId: 'local' }]]);
      for (const [cidr, r] of Object.entries(t.routes ?? {})) routes.set(cidr, r);
      tables.set(t.id, {
        id: t.id,
        vpcId: t.vpcId ?? 'vpc-1',
        main: t.main ?? false,
        subnetIds: t.subnetIds ?? [],
        tags: t.tags ?? {},
        routes,
      });
    },
    addEni(e) {
      enis.set(e.id, { ...e, sourceDestCheck: e.sourceDestCheck ?? true });
      if (e.instanceId != null) instances.set(e.instanceId, [...(instances.get(e.instanceId) ?? []), e.id]);
    },
    routeTarget(tableId, cidr) {
      const r = tables.get(tableId)?.routes.get(cidr);
      return r?.networkInterfaceId ?? r?.natGatewayId ?? r?.instanceId ?? r?.gatewayId;
    },
    writes() {
      return mock
        .calls()
        .map((c) => ({
          action: c.args[0].constructor.name.replace(/Command$/, ''),
          input: c.args[0].input as Record<string, unknown>,
        }))
        .filter((c) => WRITE_ACTIONS.has(c.action) && c.input.DryRun !== true);
    },
    count(action) {
      return mock.calls().filter((c) => c.args[0].constructor.name === `${action}Command`).length;
    },
    staleReads(reads) {
      staleLeft = reads;
    },
    onNext(action, handler) {
      once.set(action, [...(once.get(action) ?? []), handler]);
    },
  };
  return fake;
}

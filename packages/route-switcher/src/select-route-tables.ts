import { DescribeSubnetsCommand, type Filter } from '@aws-sdk/client-ec2';
import { checkTableIds, checkSignal } from './claim-input';
import type { SwitcherContext } from './context';
import { throwIfAborted } from './ec2-error';
import { RouteSwitcherError } from './errors';
import { invalid } from './options';
import {
  describeRouteTables,
  MAX_FILTER_VALUES,
  readRouteTablesById,
  type RouteTableView,
} from './read-route-tables';

/** Tag filter: every key must match; a list of values matches any of them (§2.1 filter semantics). */
export type TagFilter = Readonly<Record<string, string | readonly string[]>>;

/** Which route tables a group manages. Exactly one form. */
export type RouteTableSelector =
  /** Explicit ids; every one must exist. */
  | { routeTableIds: readonly string[] }
  /** Tables carrying these tags (optionally in one VPC); at least one must match. */
  | { tags: TagFilter; vpcId?: string }
  /** The tables these subnets use: their explicit association, or their VPC's main table. */
  | { subnetIds: readonly string[] }
  /**
   * The private subnets of one AZ: subnets of `vpcId` in `availabilityZone` (optionally with
   * `subnetTags`), mapped to their tables; with `privateOnly` (default true) tables with a route to
   * an Internet gateway (`igw-…`) are public and left out.
   */
  | { vpcId: string; availabilityZone: string; subnetTags?: TagFilter; privateOnly?: boolean };

export interface SelectedTable {
  routeTableId: string;
  vpcId: string | undefined;
  /** The table is its VPC's main table. */
  main: boolean;
  /** For subnet/AZ selectors: the selected subnets that use this table. */
  subnetIds: string[];
  tags: Readonly<Record<string, string>>;
}

export interface SelectedRouteTables {
  /** The ids to pass to `claim` / `checkDrift`. */
  routeTableIds: string[];
  tables: SelectedTable[];
  /** EC2 calls made (DescribeRouteTables and DescribeSubnets pages). */
  describeCalls: number;
}

const SUBNET_ID = /^subnet-[0-9a-z]+$/;
const VPC_ID = /^vpc-[0-9a-z]+$/;

function tagFilters(name: string, tags: unknown): Filter[] {
  if (tags == null || typeof tags !== 'object' || Array.isArray(tags))
    throw invalid(name, 'must be an object of tag key → value(s)');
  const entries = Object.entries(tags as Record<string, unknown>);
  if (entries.length === 0) throw invalid(name, 'must name at least one tag');
  return entries.map(([key, value]) => {
    const values = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'string')) {
      throw invalid(`${name}.${key}`, 'must be a string or a non-empty array of strings');
    }
    return { Name: `tag:${key}`, Values: values as string[] };
  });
}

function checkId(name: string, value: unknown, pattern: RegExp, example: string): string {
  if (typeof value !== 'string' || !pattern.test(value))
    throw invalid(name, `must look like ${example}, got ${JSON.stringify(value)}`);
  return value;
}

function selected(t: RouteTableView, subnetIds: string[] = []): SelectedTable {
  return { routeTableId: t.routeTableId, vpcId: t.vpcId, main: t.main, subnetIds, tags: t.tags };
}

function describeTags(tags: TagFilter): string {
  return Object.entries(tags)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : v.join('|')}`)
    .join(', ');
}

interface SubnetRef {
  subnetId: string;
  vpcId: string | undefined;
}

async function describeSubnets(
  ctx: SwitcherContext,
  filters: Filter[],
  signal: AbortSignal | undefined,
): Promise<{ subnets: SubnetRef[]; calls: number }> {
  const subnets: SubnetRef[] = [];
  let calls = 0;
  let nextToken: string | undefined;
  do {
    const input = { Filters: filters, MaxResults: 1000, NextToken: nextToken };
    const out = await ctx.caller.call(
      'DescribeSubnets',
      (s) => ctx.ec2.send(new DescribeSubnetsCommand(input), { abortSignal: s }),
      {
        signal,
        timeoutMs: ctx.config.readTimeoutMs,
      },
    );
    calls++;
    for (const s of out.Subnets ?? [])
      if (s.SubnetId != null) subnets.push({ subnetId: s.SubnetId, vpcId: s.VpcId });
    nextToken = out.NextToken != null && out.NextToken !== '' ? out.NextToken : undefined;
  } while (nextToken != null);
  return { subnets, calls };
}

/**
 * Maps subnets to the tables they use: an explicit association wins; a subnet without one uses its
 * VPC's main table (`association.main=true`). Unknown subnets fail with SUBNET_NOT_FOUND naming them.
 */
async function tablesForSubnets(
  ctx: SwitcherContext,
  subnetIds: readonly string[],
  known: ReadonlyMap<string, SubnetRef>,
  signal: AbortSignal | undefined,
): Promise<{ tables: Map<string, SelectedTable>; views: Map<string, RouteTableView>; calls: number }> {
  let calls = 0;
  const tables = new Map<string, SelectedTable>();
  const views = new Map<string, RouteTableView>();
  const use = (view: RouteTableView, subnetId: string): void => {
    views.set(view.routeTableId, view);
    const t = tables.get(view.routeTableId) ?? selected(view);
    t.subnetIds.push(subnetId);
    tables.set(view.routeTableId, t);
  };
  const associated = new Set<string>();
  for (let i = 0; i < subnetIds.length; i += MAX_FILTER_VALUES) {
    const chunk = subnetIds.slice(i, i + MAX_FILTER_VALUES);
    const r = await describeRouteTables(ctx, [{ Name: 'association.subnet-id', Values: chunk }], signal);
    calls += r.calls;
    for (const view of r.tables) {
      for (const s of view.subnetIds) {
        if (chunk.includes(s) && !associated.has(s)) {
          associated.add(s);
          use(view, s);
        }
      }
    }
  }
  const implicit = subnetIds.filter((s) => !associated.has(s));
  if (implicit.length > 0) {
    // Subnets without an explicit association: confirm they exist and find their VPC.
    const refs = new Map<string, SubnetRef>();
    const unknown = implicit.filter((s) => known.get(s)?.vpcId == null);
    for (const s of implicit) if (known.get(s)?.vpcId != null) refs.set(s, known.get(s) as SubnetRef);
    for (let i = 0; i < unknown.length; i += MAX_FILTER_VALUES) {
      const r = await describeSubnets(
        ctx,
        [{ Name: 'subnet-id', Values: unknown.slice(i, i + MAX_FILTER_VALUES) }],
        signal,
      );
      calls += r.calls;
      for (const s of r.subnets) refs.set(s.subnetId, s);
    }
    const missing = implicit.filter((s) => !refs.has(s));
    if (missing.length > 0) {
      throw new RouteSwitcherError('SUBNET_NOT_FOUND', `subnet(s) not found: ${missing.join(', ')}`, {
        details: { subnetIds: missing },
      });
    }
    const vpcs = [...new Set([...refs.values()].map((r) => r.vpcId as string))];
    const r = await describeRouteTables(
      ctx,
      [
        { Name: 'vpc-id', Values: vpcs },
        { Name: 'association.main', Values: ['true'] },
      ],
      signal,
    );
    calls += r.calls;
    for (const s of implicit) {
      const vpc = refs.get(s)?.vpcId;
      const main = r.tables.find((t) => t.vpcId === vpc && t.main);
      if (main == null) {
        throw new RouteSwitcherError(
          'NO_ROUTE_TABLES',
          `subnet ${s} has no explicit route table association and VPC ${String(vpc)} has no main route table`,
          {
            details: { subnetId: s, vpcId: vpc },
          },
        );
      }
      use(main, s);
    }
  }
  return { tables, views, calls };
}

/**
 * Resolves a selector to route table ids at start-up, so a typo fails before the agent contends,
 * with an error naming what is wrong (AWSnycast's lesson: report configuration errors up front).
 */
export async function selectRouteTables(
  ctx: SwitcherContext,
  selector: RouteTableSelector,
  options: { signal?: AbortSignal } = {},
): Promise<SelectedRouteTables> {
  const signal = checkSignal('selectTables.signal', options.signal);
  if (selector == null || typeof selector !== 'object') throw invalid('selector', 'must be an object');
  const forms = ['routeTableIds', 'tags', 'subnetIds', 'availabilityZone'].filter((k) => k in selector);
  if (forms.length !== 1) {
    throw invalid(
      'selector',
      `must have exactly one of routeTableIds, tags, subnetIds, availabilityZone (got ${forms.join(', ') || 'none'})`,
    );
  }
  throwIfAborted(signal, 'selectTables');

  if ('routeTableIds' in selector) {
    const ids = checkTableIds('selector.routeTableIds', selector.routeTableIds);
    const r = await readRouteTablesById(ctx, ids, signal);
    if (r.missing.length > 0) {
      throw new RouteSwitcherError(
        'ROUTE_TABLE_NOT_FOUND',
        `route table(s) not found: ${r.missing.join(', ')}`,
        {
          details: { routeTableIds: r.missing },
        },
      );
    }
    const tables = ids.map((id) => selected(r.found.get(id) as RouteTableView));
    return { routeTableIds: ids, tables, describeCalls: r.calls };
  }

  if ('tags' in selector) {
    const filters = tagFilters('selector.tags', selector.tags);
    if (selector.vpcId !== undefined)
      filters.push({ Name: 'vpc-id', Values: [checkId('selector.vpcId', selector.vpcId, VPC_ID, 'vpc-…')] });
    const r = await describeRouteTables(ctx, filters, signal);
    if (r.tables.length === 0) {
      throw new RouteSwitcherError(
        'NO_ROUTE_TABLES',
        `no route table has tags ${describeTags(selector.tags)}${selector.vpcId === undefined ? '' : ` in ${selector.vpcId}`}`,
        { details: { tags: selector.tags } },
      );
    }
    const tables = r.tables
      .map((t) => selected(t))
      .sort((a, b) => a.routeTableId.localeCompare(b.routeTableId));
    return { routeTableIds: tables.map((t) => t.routeTableId), tables, describeCalls: r.calls };
  }

  if ('subnetIds' in selector) {
    const ids = selector.subnetIds;
    if (!Array.isArray(ids) || ids.length === 0)
      throw invalid('selector.subnetIds', 'must be a non-empty array of subnet ids');
    ids.forEach((s, i) => checkId(`selector.subnetIds[${i}]`, s, SUBNET_ID, 'subnet-…'));
    const r = await tablesForSubnets(ctx, [...new Set(ids)], new Map(), signal);
    const tables = [...r.tables.values()].sort((a, b) => a.routeTableId.localeCompare(b.routeTableId));
    return { routeTableIds: tables.map((t) => t.routeTableId), tables, describeCalls: r.calls };
  }

  const vpcId = checkId('selector.vpcId', selector.vpcId, VPC_ID, 'vpc-…');
  if (typeof selector.availabilityZone !== 'string' || selector.availabilityZone === '') {
    throw invalid('selector.availabilityZone', 'must be an availability zone name, e.g. us-east-1a');
  }
  const filters: Filter[] = [
    { Name: 'vpc-id', Values: [vpcId] },
    { Name: 'availability-zone', Values: [selector.availabilityZone] },
  ];
  if (selector.subnetTags !== undefined)
    filters.push(...tagFilters('selector.subnetTags', selector.subnetTags));
  const s = await describeSubnets(ctx, filters, signal);
  if (s.subnets.length === 0) {
    throw new RouteSwitcherError(
      'NO_ROUTE_TABLES',
      `no subnet of ${vpcId} in ${selector.availabilityZone} matches the selector`,
      {
        details: { vpcId, availabilityZone: selector.availabilityZone },
      },
    );
  }
  const known = new Map(s.subnets.map((x) => [x.subnetId, x]));
  const r = await tablesForSubnets(
    ctx,
    s.subnets.map((x) => x.subnetId),
    known,
    signal,
  );
  const privateOnly = selector.privateOnly ?? true;
  // A table with a route to an Internet gateway makes its subnets public: never point its default route at a NAT.
  const isPublic = (id: string): boolean =>
    [...(r.views.get(id)?.routes.values() ?? [])].some((v) => v.gatewayId?.startsWith('igw-') === true);
  const tables = [...r.tables.values()]
    .filter((t) => !privateOnly || !isPublic(t.routeTableId))
    .sort((a, b) => a.routeTableId.localeCompare(b.routeTableId));
  if (tables.length === 0) {
    throw new RouteSwitcherError(
      'NO_ROUTE_TABLES',
      `no private route table for the subnets of ${vpcId} in ${selector.availabilityZone}`,
      {
        details: { vpcId, availabilityZone: selector.availabilityZone },
      },
    );
  }
  return { routeTableIds: tables.map((t) => t.routeTableId), tables, describeCalls: s.calls + r.calls };
}

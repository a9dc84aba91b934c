import { DescribeRouteTablesCommand, type Filter, type RouteTable } from '@aws-sdk/client-ec2';
import type { SwitcherContext } from './context';
import { toRouteView, type RouteView } from './route-target';

/** A route table as this package needs it: routes keyed by destination CIDR. */
export interface RouteTableView {
  routeTableId: string;
  vpcId: string | undefined;
  /** Routes keyed by destination CIDR (IPv6 lower-cased); prefix-list routes are not included. */
  routes: ReadonlyMap<string, RouteView>;
  /** Subnets explicitly associated with the table. */
  subnetIds: readonly string[];
  /** Whether this is its VPC's main route table (used by subnets without an explicit association). */
  main: boolean;
  tags: Readonly<Record<string, string>>;
}

export interface ReadResult {
  tables: RouteTableView[];
  /** DescribeRouteTables calls made (one per page). */
  calls: number;
}

/**
 * EC2 accepts at most 200 values per filter; a group larger than that costs one extra call per 200
 * tables (AWS "Using filtering": "You can specify up to 200 values for a filter").
 */
export const MAX_FILTER_VALUES = 200;

export function toRouteTableView(table: RouteTable): RouteTableView {
  const routes = new Map<string, RouteView>();
  for (const r of table.Routes ?? []) {
    const key = r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock?.toLowerCase();
    if (key != null) routes.set(key, toRouteView(r));
  }
  const subnetIds: string[] = [];
  let main = false;
  for (const a of table.Associations ?? []) {
    if (a.Main === true) main = true;
    if (a.SubnetId != null) subnetIds.push(a.SubnetId);
  }
  const tags: Record<string, string> = {};
  for (const t of table.Tags ?? []) if (t.Key != null) tags[t.Key] = t.Value ?? '';
  return { routeTableId: table.RouteTableId ?? '', vpcId: table.VpcId, routes, subnetIds, main, tags };
}

/**
 * Reads every route table matching `filters`, following `NextToken` (rule 16). One call per page of
 * `pageSize` tables; filtered calls stay in EC2's 100/20 non-mutating bucket (§3.4).
 */
export async function describeRouteTables(
  ctx: SwitcherContext,
  filters: Filter[],
  signal: AbortSignal | undefined,
): Promise<ReadResult> {
  const tables: RouteTableView[] = [];
  let calls = 0;
  let nextToken: string | undefined;
  do {
    const input = { Filters: filters, MaxResults: ctx.config.pageSize, NextToken: nextToken };
    const out = await ctx.caller.call(
      'DescribeRouteTables',
      (abortSignal) => ctx.ec2.send(new DescribeRouteTablesCommand(input), { abortSignal }),
      { signal, timeoutMs: ctx.config.readTimeoutMs },
    );
    calls++;
    for (const t of out.RouteTables ?? []) tables.push(toRouteTableView(t));
    nextToken = out.NextToken != null && out.NextToken !== '' ? out.NextToken : undefined;
  } while (nextToken != null);
  return { tables, calls };
}

/**
 * Reads the given tables with one `route-table-id`-filtered, paginated DescribeRouteTables — not one
 * call per table. A filter (rather than `RouteTableId.N`) is used on purpose: an unknown id then
 * simply does not appear, instead of failing the whole read with `InvalidRouteTableID.NotFound`
 * (rule 15), so one deleted table cannot stop a claim of the others.
 */
export async function readRouteTablesById(
  ctx: SwitcherContext,
  ids: readonly string[],
  signal: AbortSignal | undefined,
): Promise<{ found: Map<string, RouteTableView>; missing: string[]; calls: number }> {
  const unique = [...new Set(ids)];
  const found = new Map<string, RouteTableView>();
  let calls = 0;
  for (let i = 0; i < unique.length; i += MAX_FILTER_VALUES) {
    const chunk = unique.slice(i, i + MAX_FILTER_VALUES);
    const r = await describeRouteTables(ctx, [{ Name: 'route-table-id', Values: chunk }], signal);
    calls += r.calls;
    for (const t of r.tables) found.set(t.routeTableId, t);
  }
  return { found, missing: unique.filter((id) => !found.has(id)), calls };
}

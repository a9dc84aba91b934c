/**
 * Catalog reads served by the servers (spec §6.6, §6.7): `/v1/health/service/:name` (with
 * `?passing` and `?tag`), `/v1/catalog/nodes` (with `?node-meta`), and `/v1/status/leader|peers`.
 * The first two block like any read; the status endpoints never block and need no ACL.
 */
import { blockingQuery } from './blocking-query';
import type { ConsulCluster } from './cluster';
import type { GoJsonValue } from './go-json';
import { goParseBool } from './go-url';
import { HttpError } from './http-errors';
import { authorizerFor } from './kv-endpoint';
import { renderCheck } from './agent-endpoint';
import { json, type Reply } from './reply';
import { parseQueryOptions, requestToken, type RequestContext } from './request-context';
import type { CatalogCheck, CatalogNode, CatalogService, ConsulState } from './state';

/** Every emulated node carries Consul's default node meta and nothing else. */
const NODE_META = new Map([['consul-network-segment', '']]);

/**
 * `maxIndexForService`: a service's own health index when it exists, else the nodes/services table
 * index, so a blocking health query wakes only for changes that concern the service.
 */
function serviceIndexFor(state: ConsulState, name: string): number {
  const own = state.serviceIndexes.get(name);
  const exists = [...state.services.values()].some((m) => [...m.values()].some((s) => s.service === name));
  if (exists && own != null) return own;
  return state.tableIndex('nodes', 'services');
}

function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function renderNode(n: CatalogNode): GoJsonValue {
  return {
    ID: n.id,
    Node: n.node,
    Address: n.address,
    Datacenter: n.datacenter,
    TaggedAddresses: new Map([
      ['lan', n.address],
      ['lan_ipv4', n.address],
      ['wan', n.address],
      ['wan_ipv4', n.address],
    ]),
    Meta: NODE_META,
    CreateIndex: n.createIndex,
    ModifyIndex: n.modifyIndex,
  };
}

function renderService(s: CatalogService): GoJsonValue {
  return {
    ID: s.id,
    Service: s.service,
    Tags: s.tags,
    Address: s.address,
    Meta: s.meta,
    Port: s.port,
    Weights: s.weights,
    EnableTagOverride: s.enableTagOverride,
    Proxy: { Mode: '', MeshGateway: {}, Expose: {} },
    Connect: {},
    CreateIndex: s.createIndex,
    ModifyIndex: s.modifyIndex,
  };
}

function renderCatalogCheck(c: CatalogCheck): GoJsonValue {
  return renderCheck(c);
}

/** `getBoolQueryParam`: present without value is true; otherwise Go's ParseBool. */
function boolParam(ctx: RequestContext, name: string): boolean {
  if (!ctx.query.has(name)) return false;
  const v = ctx.query.get(name);
  if (v === '') return true;
  try {
    return goParseBool(v);
  } catch {
    throw new HttpError(400, `Invalid value for ?${name}`);
  }
}

function rejectFilter(ctx: RequestContext): void {
  if (ctx.query.get('filter') !== '') {
    throw new HttpError(
      400,
      'Failed to create boolean expression evaluator: ?filter is not supported by the nat-ha Consul emulator',
    );
  }
}

interface ServiceInstance {
  node: CatalogNode;
  service: CatalogService;
  checks: CatalogCheck[];
}

function instancesOf(cluster: ConsulCluster, name: string): ServiceInstance[] {
  const out: ServiceInstance[] = [];
  const { state } = cluster;
  for (const [nodeName, services] of state.services) {
    const node = state.nodes.get(nodeName);
    if (node == null) continue;
    for (const svc of services.values()) {
      if (svc.service !== name) continue;
      const checks = [...(state.checks.get(nodeName)?.values() ?? [])]
        .filter((c) => c.serviceId === '' || c.serviceId === svc.id)
        .sort((a, b) => byBytes(a.checkId, b.checkId));
      out.push({ node, service: svc, checks });
    }
  }
  return out.sort((a, b) => byBytes(a.node.node, b.node.node) || byBytes(a.service.id, b.service.id));
}

export async function healthService(ctx: RequestContext): Promise<Reply> {
  const opts = parseQueryOptions(ctx);
  const name = ctx.path.slice('/v1/health/service/'.length);
  if (name === '') throw new HttpError(400, 'Missing service name');
  const passing = boolParam(ctx, 'passing');
  rejectFilter(ctx);
  const tags = ctx.query.getAll('tag');
  let authz: ReturnType<typeof authorizerFor> | undefined;
  let filtered = false;
  const result = await blockingQuery(
    ctx,
    opts,
    (e) => e.kind === 'catalog',
    () => {
      let list = instancesOf(ctx.cluster, name).filter((i) => tags.every((t) => i.service.tags.includes(t)));
      const before = list.length;
      list = list.filter(
        (i) =>
          authz?.allowed('service', name, 'read') !== false &&
          authz?.allowed('node', i.node.node, 'read') !== false,
      );
      filtered = list.length !== before;
      if (passing) list = list.filter((i) => i.checks.every((c) => c.status === 'passing'));
      return { index: serviceIndexFor(ctx.cluster.state, name), value: list };
    },
    () => {
      authz = authorizerFor(ctx);
    },
  );
  return json(
    result.value.map((i) => ({
      Node: renderNode(i.node),
      Service: renderService(i.service),
      Checks: i.checks.map(renderCatalogCheck),
    })),
    {
      index: result.index,
      ...ctx.cluster.queryMeta(),
      consistency: opts.consistency,
      filtered: filtered && requestToken(ctx) !== '',
    },
  );
}

export async function catalogNodes(ctx: RequestContext): Promise<Reply> {
  const opts = parseQueryOptions(ctx);
  rejectFilter(ctx);
  const meta: [string, string][] = ctx.query.getAll('node-meta').map((kv) => {
    const at = kv.indexOf(':');
    return at < 0 ? [kv, ''] : [kv.slice(0, at), kv.slice(at + 1)];
  });
  let authz: ReturnType<typeof authorizerFor> | undefined;
  let filtered = false;
  const result = await blockingQuery(
    ctx,
    opts,
    (e) => e.kind === 'catalog',
    () => {
      const all = [...ctx.cluster.state.nodes.values()].sort((a, b) => byBytes(a.node, b.node));
      const matching = all.filter(() => meta.every(([k, v]) => NODE_META.get(k) === v));
      const visible = matching.filter((n) => authz?.allowed('node', n.node, 'read') !== false);
      filtered = visible.length !== matching.length;
      return { index: ctx.cluster.state.tableIndex('nodes'), value: visible };
    },
    () => {
      authz = authorizerFor(ctx);
    },
  );
  return json(result.value.map(renderNode), {
    index: result.index,
    ...ctx.cluster.queryMeta(),
    consistency: opts.consistency,
    filtered: filtered && requestToken(ctx) !== '',
  });
}

/** `/v1/status/leader`: `""` without a leader (rule 67); a partitioned agent cannot ask. */
export async function statusLeader(ctx: RequestContext): Promise<Reply> {
  await ctx.cluster.gate(ctx.agent, 'stale', ctx.signal);
  return json(ctx.cluster.leaderAddress());
}

export async function statusPeers(ctx: RequestContext): Promise<Reply> {
  await ctx.cluster.gate(ctx.agent, 'stale', ctx.signal);
  return json(ctx.cluster.peerAddresses());
}

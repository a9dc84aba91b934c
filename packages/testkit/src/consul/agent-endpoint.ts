/**
 * `/v1/agent/*` (spec §6.1–§6.5): the agent's own view (self, members, services, checks) and its
 * local registrations and TTL updates. These are answered by the agent itself: they carry no query
 * meta headers and keep working while the agent is partitioned or the cluster has no leader.
 */
import { requireAcl, type Authorizer } from './acl';
import type { ConsulAgent, LocalCheck } from './agent';
import { parseCheckRegistration, parseServiceDefinition } from './check-definition';
import { SERVER_RPC_PORT } from './cluster';
import { decodeGoJsonBody, GoJsonError, goStructFields, goString, type GoJsonValue } from './go-json';
import { goParseBool } from './go-url';
import { HttpError } from './http-errors';
import type { ConsulCheckStatus } from './journal';
import { authorizerFor } from './kv-endpoint';
import { json, type Reply } from './reply';
import type { RequestContext } from './request-context';

/** The Consul version whose HTTP API the emulator follows. */
export const EMULATED_CONSUL_VERSION = '1.20.2';
const REVISION = 'nat-ha-testkit';

const SERF_STATUS = { alive: 1, leaving: 2, left: 3, failed: 4 } as const;

function memberStatus(viewer: ConsulAgent, member: ConsulAgent): number {
  if (member === viewer) return SERF_STATUS.alive;
  // A partitioned agent that has been declared failed sees the others as failed too.
  if (viewer.partitioned && viewer.member === 'failed') return SERF_STATUS.failed;
  return SERF_STATUS[member.member];
}

function renderMember(ctx: RequestContext, viewer: ConsulAgent, a: ConsulAgent): GoJsonValue {
  const tags = new Map<string, string>([
    ['acls', ctx.cluster.options.acl == null ? '0' : '1'],
    ['build', `${EMULATED_CONSUL_VERSION}:${REVISION}`],
    ['dc', ctx.cluster.options.datacenter],
    ['id', a.nodeId],
    ['role', a.isServer ? 'consul' : 'node'],
    ['segment', ''],
    ['vsn', '2'],
    ['vsn_max', '3'],
    ['vsn_min', '2'],
  ]);
  if (a.isServer) tags.set('port', String(SERVER_RPC_PORT));
  return {
    Name: a.name,
    Addr: a.address,
    Port: 8301,
    Tags: tags,
    Status: memberStatus(viewer, a),
    ProtocolMin: 1,
    ProtocolMax: 5,
    ProtocolCur: 2,
    DelegateMin: 2,
    DelegateMax: 5,
    DelegateCur: 4,
  };
}

export function agentSelf(ctx: RequestContext): Reply {
  const { agent, cluster } = ctx;
  requireAcl(authorizerFor(ctx), 'agent', agent.name, 'read');
  const o = cluster.options;
  return json({
    Config: {
      Datacenter: o.datacenter,
      PrimaryDatacenter: o.datacenter,
      NodeName: agent.name,
      NodeID: agent.nodeId,
      Revision: REVISION,
      Server: agent.isServer,
      Version: EMULATED_CONSUL_VERSION,
      BuildDate: '1970-01-01T00:00:01Z',
    },
    DebugConfig: new Map<string, GoJsonValue>([
      ['ACLsEnabled', o.acl != null],
      ['Datacenter', o.datacenter],
      ['NodeName', agent.name],
      ['RPCHoldTimeout', `${o.rpcHoldTimeoutMs}ms`],
      ['ServerMode', agent.isServer],
      ['SessionTTLMin', `${o.sessionTtlMinMs}ms`],
    ]),
    Coord: { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 0.00001 },
    Member: renderMember(ctx, agent, agent),
    Stats: new Map<string, GoJsonValue>([
      [
        'agent',
        new Map([
          ['check_monitors', '0'],
          ['check_ttls', String([...agent.checks.values()].filter((c) => c.def.kind === 'ttl').length)],
          ['checks', String(agent.checks.size)],
          ['services', String(agent.services.size)],
        ]),
      ],
      ['consul', new Map([['server', String(agent.isServer)]])],
    ]),
    Meta: new Map([['consul-network-segment', '']]),
  });
}

export function agentMembers(ctx: RequestContext): Reply {
  const authz = authorizerFor(ctx);
  const members = [...ctx.cluster.agents.values()].filter((a) => authz.allowed('node', a.name, 'read'));
  return json(members.map((a) => renderMember(ctx, ctx.agent, a)));
}

export function agentServices(ctx: RequestContext): Reply {
  const authz = authorizerFor(ctx);
  const out = new Map<string, GoJsonValue>();
  for (const s of ctx.agent.services.values()) {
    if (!authz.allowed('service', s.name, 'read')) continue;
    out.set(s.id, {
      ID: s.id,
      Service: s.name,
      Tags: s.tags,
      Meta: s.meta,
      Port: s.port,
      Address: s.address,
      Weights: s.weights,
      EnableTagOverride: s.enableTagOverride,
      Datacenter: ctx.cluster.options.datacenter,
    });
  }
  return json(out);
}

/** A check as `/v1/agent/checks` and `/v1/health/*` render it (structs.HealthCheck). */
export function renderCheck(c: {
  node: string;
  checkId: string;
  name: string;
  status: string;
  notes: string;
  output: string;
  serviceId: string;
  serviceName: string;
  serviceTags: string[];
  type: string;
  interval: string;
  timeout: string;
  createIndex: number;
  modifyIndex: number;
}): GoJsonValue {
  return {
    Node: c.node,
    CheckID: c.checkId,
    Name: c.name,
    Status: c.status,
    Notes: c.notes,
    Output: c.output,
    ServiceID: c.serviceId,
    ServiceName: c.serviceName,
    ServiceTags: c.serviceTags,
    Type: c.type,
    Interval: c.interval,
    Timeout: c.timeout,
    ExposedPort: 0,
    Definition: {},
    CreateIndex: c.createIndex,
    ModifyIndex: c.modifyIndex,
  };
}

function checkAllowed(
  authz: Authorizer,
  agent: ConsulAgent,
  c: LocalCheck,
  level: 'read' | 'write',
): boolean {
  return c.def.serviceId !== ''
    ? authz.allowed('service', c.serviceName, level)
    : authz.allowed('node', agent.name, level);
}

export function agentChecks(ctx: RequestContext): Reply {
  const authz = authorizerFor(ctx);
  const out = new Map<string, GoJsonValue>();
  for (const c of ctx.agent.checks.values()) {
    if (!checkAllowed(authz, ctx.agent, c, 'read')) continue;
    out.set(
      c.def.id,
      renderCheck({ ...ctx.agent.catalogDraft(c, c.output), createIndex: 0, modifyIndex: 0 }),
    );
  }
  return json(out);
}

async function jsonBody(ctx: RequestContext): Promise<unknown> {
  const { body } = await ctx.readBody();
  try {
    return decodeGoJsonBody(body);
  } catch (err) {
    if (err instanceof GoJsonError) throw new HttpError(400, `Request decode failed: ${err.message}`);
    throw err;
  }
}

export async function agentServiceRegister(ctx: RequestContext): Promise<Reply> {
  const def = parseServiceDefinition(await jsonBody(ctx));
  requireAcl(authorizerFor(ctx), 'service', def.name, 'write');
  const replace = ctx.query.has('replace-existing-checks');
  let replaceChecks = false;
  if (replace) {
    const v = ctx.query.get('replace-existing-checks');
    try {
      replaceChecks = v === '' || goParseBool(v);
    } catch {
      throw new HttpError(400, `Invalid value for ?replace-existing-checks`);
    }
  }
  ctx.agent.registerService(def, replaceChecks);
  return { kind: 'empty' };
}

export function agentServiceDeregister(ctx: RequestContext): Reply {
  const id = ctx.path.slice('/v1/agent/service/deregister/'.length);
  const svc = ctx.agent.services.get(id);
  if (svc != null) requireAcl(authorizerFor(ctx), 'service', svc.name, 'write');
  ctx.agent.deregisterService(id);
  return { kind: 'empty' };
}

export async function agentCheckRegister(ctx: RequestContext): Promise<Reply> {
  const def = parseCheckRegistration(await jsonBody(ctx));
  const authz = authorizerFor(ctx);
  if (def.serviceId !== '') {
    const svc = ctx.agent.services.get(def.serviceId);
    if (svc != null) requireAcl(authz, 'service', svc.name, 'write');
  } else {
    requireAcl(authz, 'node', ctx.agent.name, 'write');
  }
  ctx.agent.registerCheck(def);
  return { kind: 'empty' };
}

/** `vetCheckUpdateWithAuthorizer`: 404 for an unknown id, then the write ACL for the check. */
function vetCheck(ctx: RequestContext, id: string): void {
  const check = ctx.agent.checks.get(id);
  if (check == null) {
    // deregisterCheck / updateTtlCheck produce the exact 404.
    return;
  }
  const authz = authorizerFor(ctx);
  if (check.def.serviceId !== '') requireAcl(authz, 'service', check.serviceName, 'write');
  else requireAcl(authz, 'node', ctx.agent.name, 'write');
}

export function agentCheckDeregister(ctx: RequestContext): Reply {
  const id = ctx.path.slice('/v1/agent/check/deregister/'.length);
  vetCheck(ctx, id);
  ctx.agent.deregisterCheck(id);
  return { kind: 'empty' };
}

export function agentCheckTtl(status: ConsulCheckStatus, prefix: string): (ctx: RequestContext) => Reply {
  return (ctx) => {
    const id = ctx.path.slice(prefix.length);
    vetCheck(ctx, id);
    ctx.agent.updateTtlCheck(id, status, ctx.query.get('note'));
    return { kind: 'empty' };
  };
}

export async function agentCheckUpdate(ctx: RequestContext): Promise<Reply> {
  const raw = await jsonBody(ctx);
  let status: string;
  let output: string;
  try {
    const f = goStructFields(raw, 'checkUpdate', ['Status', 'Output'], true);
    status = goString('checkUpdate', 'Status', f.get('Status'), '');
    output = goString('checkUpdate', 'Output', f.get('Output'), '');
  } catch (err) {
    if (err instanceof GoJsonError) throw new HttpError(400, `Request decode failed: ${err.message}`);
    throw err;
  }
  if (status !== 'passing' && status !== 'warning' && status !== 'critical') {
    throw new HttpError(400, `Invalid check status: '${status}'`);
  }
  const id = ctx.path.slice('/v1/agent/check/update/'.length);
  vetCheck(ctx, id);
  ctx.agent.updateTtlCheck(id, status, output);
  return { kind: 'empty' };
}

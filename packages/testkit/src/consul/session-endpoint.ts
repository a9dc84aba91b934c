/**
 * `/v1/session/*` (spec §2): create, destroy, renew, info, node and list, with the agent's defaults,
 * `Session.Apply`'s validation order, the FSM's checks, TTL timers on the leader, and `[]` rather
 * than `null` for empty lists.
 */
import { randomUUID } from 'node:crypto';
import { requireAcl } from './acl';
import { blockingQuery } from './blocking-query';
import { GoJsonError } from './go-json';
import { FsmError, HttpError, RpcError } from './http-errors';
import { authorizerFor } from './kv-endpoint';
import { json, type QueryMeta, type Reply } from './reply';
import { parseQueryOptions, requestToken, type QueryOptions, type RequestContext } from './request-context';
import {
  decodeSessionCreateBody,
  fixupEmptySessionChecks,
  renderSession,
  sessionCreateDefaults,
  validateSessionApply,
} from './session-codec';
import { createSessionTxn, destroySessionTxn } from './session-store';
import type { SessionRecord } from './state';

function meta(ctx: RequestContext, opts: QueryOptions, index: number | bigint, filtered = false): QueryMeta {
  return {
    index,
    ...ctx.cluster.queryMeta(),
    consistency: opts.consistency,
    filtered: filtered && requestToken(ctx) !== '',
  };
}

export async function sessionCreate(ctx: RequestContext): Promise<Reply> {
  const { cluster, agent } = ctx;
  let req = sessionCreateDefaults(agent.name);
  // The body is decoded only when Content-Length > 0; a chunked body is ignored (spec §2.2).
  if (ctx.contentLength != null && ctx.contentLength > 0) {
    const { body } = await ctx.readBody();
    try {
      req = decodeSessionCreateBody(body, req);
    } catch (err) {
      if (err instanceof GoJsonError) throw new HttpError(400, `Request decode failed: ${err.message}`);
      throw err;
    }
  } else {
    await ctx.readBody(0);
  }
  req = fixupEmptySessionChecks(req);
  await cluster.gate(agent, 'write', ctx.signal);
  if (req.node === '') throw new RpcError('Must provide Node');
  requireAcl(authorizerFor(ctx), 'session', req.node, 'write');
  const { behavior } = validateSessionApply(req, cluster.options.sessionTtlMinMs);
  let record: SessionRecord;
  try {
    record = cluster.state.apply((tx) =>
      createSessionTxn(
        tx,
        {
          id: randomUUID(),
          name: req.name,
          node: req.node,
          lockDelayNs: req.lockDelayNs,
          behavior,
          ttl: req.ttl,
          nodeChecks: req.nodeChecks,
          serviceChecks: req.serviceChecks,
          checks: req.checks,
        },
        agent.name,
      ),
    );
  } catch (err) {
    if (err instanceof FsmError) throw new RpcError(`apply failed: ${err.message}`);
    throw err;
  }
  cluster.resetSessionTimer(record.id, record.ttl);
  return json({ ID: record.id });
}

function sessionId(ctx: RequestContext, prefix: string): string {
  const id = ctx.path.slice(prefix.length);
  if (id === '') throw new HttpError(400, 'Missing session');
  return id;
}

export async function sessionDestroy(ctx: RequestContext): Promise<Reply> {
  const { cluster, agent } = ctx;
  const id = sessionId(ctx, '/v1/session/destroy/');
  await cluster.gate(agent, 'write', ctx.signal);
  const existing = cluster.state.sessions.get(id);
  // Destroying an unknown session is not an error and writes nothing (rule 11).
  if (existing != null) {
    requireAcl(authorizerFor(ctx), 'session', existing.node, 'write');
    cluster.state.apply((tx) => destroySessionTxn(tx, id, 'explicit', agent.name));
  }
  return json(true);
}

export async function sessionRenew(ctx: RequestContext): Promise<Reply> {
  const { cluster, agent } = ctx;
  parseQueryOptions(ctx);
  const id = sessionId(ctx, '/v1/session/renew/');
  await cluster.gate(agent, 'write', ctx.signal);
  const authz = authorizerFor(ctx);
  const session = cluster.state.sessions.get(id);
  if (session == null) throw new HttpError(404, `Session id '${id}' not found`);
  requireAcl(authz, 'session', session.node, 'write');
  cluster.resetSessionTimer(id, session.ttl);
  cluster.state.note({ op: 'session-renew', session: id, node: session.node, via: agent.name });
  return json([renderSession(session)]);
}

function byId(a: SessionRecord, b: SessionRecord): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

async function sessionQuery(
  ctx: RequestContext,
  select: () => { sessions: SessionRecord[]; notFound?: boolean },
): Promise<Reply> {
  const opts = parseQueryOptions(ctx);
  let filtered = false;
  let resolved: ReturnType<typeof authorizerFor> | undefined;
  const result = await blockingQuery(
    ctx,
    opts,
    (e) => e.kind === 'sessions',
    () => {
      const { sessions, notFound } = select();
      const visible = sessions.filter((s) => resolved?.allowed('session', s.node, 'read') !== false);
      filtered = visible.length !== sessions.length;
      return {
        index: ctx.cluster.state.tableIndex('sessions'),
        ...(notFound === true ? { notFound: true } : {}),
        value: visible.sort(byId),
      };
    },
    () => {
      resolved = authorizerFor(ctx);
    },
  );
  return json(result.value.map(renderSession), meta(ctx, opts, result.index, filtered));
}

export function sessionInfo(ctx: RequestContext): Promise<Reply> {
  const id = ctx.path.slice('/v1/session/info/'.length);
  if (id === '') {
    parseQueryOptions(ctx);
    throw new HttpError(400, 'Missing session');
  }
  return sessionQuery(ctx, () => {
    const s = ctx.cluster.state.sessions.get(id);
    // An unknown session keeps a blocking query waiting until it appears (spec §2.4).
    return s == null ? { sessions: [], notFound: true } : { sessions: [s] };
  });
}

export function sessionNode(ctx: RequestContext): Promise<Reply> {
  const node = ctx.path.slice('/v1/session/node/'.length);
  if (node === '') {
    parseQueryOptions(ctx);
    throw new HttpError(400, 'Missing node name');
  }
  return sessionQuery(ctx, () => ({
    sessions: [...ctx.cluster.state.sessions.values()].filter((s) => s.node === node),
  }));
}

export function sessionList(ctx: RequestContext): Promise<Reply> {
  return sessionQuery(ctx, () => ({ sessions: [...ctx.cluster.state.sessions.values()] }));
}

/**
 * `/v1/kv/*` (spec §3): GET (single key, `?recurse`, `?keys&separator`, `?raw`, blocking), PUT
 * (set, `?cas`, `?acquire`, `?release`, `?flags`) and DELETE (`?recurse`, `?cas`), with Consul's
 * request checks in Consul's order and lock-delay enforced before raft (spec §2.8).
 */
import { permissionDenied, requireAcl, resolveAclToken, type Authorizer } from './acl';
import { blockingQuery } from './blocking-query';
import { FsmError, HttpError, RpcError } from './http-errors';
import type { GoJsonValue } from './go-json';
import { applyKvOp, kvGet, kvKeys, kvList, lockDelayUntil, type KvOp } from './kv-store';
import { json, type QueryMeta, type Reply } from './reply';
import {
  parseQueryOptions,
  requestToken,
  uintParam,
  type QueryOptions,
  type RequestContext,
} from './request-context';
import type { KvEntry } from './state';

export const KV_PREFIX = '/v1/kv/';

function renderEntry(e: KvEntry): GoJsonValue {
  return {
    LockIndex: e.lockIndex,
    Key: e.key,
    Flags: e.flags,
    Value: e.value == null ? null : e.value.toString('base64'),
    Session: e.session === '' ? undefined : e.session,
    CreateIndex: e.createIndex,
    ModifyIndex: e.modifyIndex,
  };
}

export function authorizerFor(ctx: RequestContext): Authorizer {
  return resolveAclToken(ctx.cluster.options.acl, requestToken(ctx));
}

function meta(ctx: RequestContext, opts: QueryOptions, index: number | bigint, filtered = false): QueryMeta {
  return {
    index,
    ...ctx.cluster.queryMeta(),
    consistency: opts.consistency,
    filtered: filtered && requestToken(ctx) !== '',
  };
}

async function getKeys(ctx: RequestContext, prefix: string, opts: QueryOptions): Promise<Reply> {
  const sep = ctx.query.get('separator') || ctx.query.get('seperator');
  let authz: Authorizer | undefined;
  let filtered = false;
  const result = await blockingQuery(
    ctx,
    opts,
    (e) => e.kind === 'kv' && e.key.startsWith(prefix),
    () => {
      const { index, keys } = kvKeys(ctx.cluster.state, prefix, sep);
      const visible = keys.filter((k) => authz?.allowed('key', k, 'list') !== false);
      filtered = visible.length !== keys.length;
      return { index, value: visible };
    },
    () => {
      authz = authorizerFor(ctx);
    },
  );
  const m = meta(ctx, opts, result.index, filtered);
  if (result.value.length === 0 && prefix !== '') return { kind: 'empty', status: 404, meta: m };
  return json(result.value, m);
}

async function get(ctx: RequestContext, key: string): Promise<Reply> {
  const opts = parseQueryOptions(ctx);
  if (ctx.query.has('keys')) return getKeys(ctx, key, opts);
  const recurse = ctx.query.has('recurse');
  if (!recurse && key === '') throw new HttpError(400, 'Missing key name');
  let authz: Authorizer | undefined;
  if (recurse) {
    let filtered = false;
    const result = await blockingQuery(
      ctx,
      opts,
      (e) => e.kind === 'kv' && e.key.startsWith(key),
      () => {
        const { index, entries } = kvList(ctx.cluster.state, key);
        const visible = entries.filter((e) => authz?.allowed('key', e.key, 'read') !== false);
        filtered = visible.length !== entries.length;
        return { index, value: visible };
      },
      () => {
        authz = authorizerFor(ctx);
      },
    );
    const m = meta(ctx, opts, result.index, filtered);
    if (result.value.length === 0) return { kind: 'empty', status: 404, meta: m };
    return json(result.value.map(renderEntry), m);
  }
  const result = await blockingQuery(
    ctx,
    opts,
    // A missing key's memdb watch sits on the nearest radix-tree node and fires for unrelated writes
    // too; the "not found keeps waiting" rule is what keeps such a query blocked (rule 59).
    (e) => e.kind === 'kv' && (e.key === key || !ctx.cluster.state.kv.has(key)),
    () => {
      const { index, entry } = kvGet(ctx.cluster.state, key);
      return entry == null ? { index, notFound: true, value: undefined } : { index, value: entry };
    },
    () => {
      // KVS.Get checks key:read before blocking; a single key answers 403, not a filtered 404.
      requireAcl(authorizerFor(ctx), 'key', key, 'read');
    },
  );
  const m = meta(ctx, opts, result.index);
  const entry = result.value;
  if (entry == null) return { kind: 'empty', status: 404, meta: m };
  if (ctx.query.has('raw')) return { kind: 'raw', body: entry.value ?? Buffer.alloc(0), meta: m };
  return json([renderEntry(entry)], m);
}

function conflictingFlags(ctx: RequestContext, flags: string[]): void {
  if (flags.filter((f) => ctx.query.has(f)).length > 1) {
    throw new HttpError(400, `Conflicting flags: ${ctx.query.encode()}`);
  }
}

/** Submits a KV write to the leader: ACL, lock-delay (acquire only), then raft. */
async function applyWrite(ctx: RequestContext, op: KvOp): Promise<boolean> {
  const { cluster, agent } = ctx;
  await cluster.gate(agent, 'write', ctx.signal);
  const authz = authorizerFor(ctx);
  if (op.op === 'delete-tree') {
    if (!authz.keyWritePrefix(op.key)) throw permissionDenied(authz, 'key', 'write', op.key);
  } else {
    requireAcl(authz, 'key', op.key, 'write');
  }
  if (op.op === 'lock') {
    const until = lockDelayUntil(cluster.state, op.key);
    if (until != null) {
      // "Rejecting lock of key due to lock-delay": no raft entry, no index (rule 46).
      cluster.state.note({
        op: 'kv-acquire-rejected',
        key: op.key,
        session: op.session,
        reason: 'lock-delay',
        lockDelayUntil: until,
        via: agent.name,
      });
      return false;
    }
  }
  try {
    return cluster.state.apply((tx) => applyKvOp(tx, op, agent.name));
  } catch (err) {
    if (err instanceof FsmError) throw new RpcError(`raft apply failed: ${err.message}`);
    throw err;
  }
}

async function put(ctx: RequestContext, key: string): Promise<Reply> {
  parseQueryOptions(ctx);
  if (key === '') throw new HttpError(400, 'Missing key name');
  conflictingFlags(ctx, ['cas', 'acquire', 'release']);
  const flags = uintParam(ctx, 'flags') ?? 0n;
  const cas = uintParam(ctx, 'cas');
  const max = ctx.cluster.options.kvMaxValueSizeBytes;
  const tooLarge = (n: number): HttpError =>
    new HttpError(
      413,
      `Request body(${n} bytes) too large, max size: ${max} bytes. See https://www.consul.io/docs/agent/config/config-files#kv_max_value_size.`,
    );
  if (ctx.contentLength != null && ctx.contentLength > max) throw tooLarge(ctx.contentLength);
  const { body, total } = await ctx.readBody(max);
  if (total > max) throw tooLarge(total);
  // An empty body is stored as nil and rendered as "Value": null (rule 20).
  const value = body.length === 0 ? null : body;
  let op: KvOp;
  if (ctx.query.has('acquire')) op = { op: 'lock', key, value, flags, session: ctx.query.get('acquire') };
  else if (ctx.query.has('release'))
    op = { op: 'unlock', key, value, flags, session: ctx.query.get('release') };
  else if (cas != null) op = { op: 'cas', key, value, flags, cas };
  else op = { op: 'set', key, value, flags };
  const ok = await applyWrite(ctx, op);
  // A plain set always answers true (spec §3.3).
  return json(op.op === 'set' ? true : ok);
}

async function del(ctx: RequestContext, key: string): Promise<Reply> {
  parseQueryOptions(ctx);
  conflictingFlags(ctx, ['recurse', 'cas']);
  const recurse = ctx.query.has('recurse');
  if (!recurse && key === '') throw new HttpError(400, 'Missing key name');
  const cas = uintParam(ctx, 'cas');
  let op: KvOp;
  if (recurse) op = { op: 'delete-tree', key };
  else if (cas != null) op = { op: 'delete-cas', key, cas };
  else op = { op: 'delete', key };
  const ok = await applyWrite(ctx, op);
  return json(op.op === 'delete-cas' ? ok : true);
}

export async function kvEndpoint(ctx: RequestContext): Promise<Reply> {
  const key = ctx.path.slice(KV_PREFIX.length);
  switch (ctx.method) {
    case 'GET':
      return get(ctx, key);
    case 'PUT':
      return put(ctx, key);
    default:
      return del(ctx, key);
  }
}

/**
 * One HTTP request as an endpoint sees it, plus the request parsing Consul's `HTTPHandlers.parse`
 * does before any RPC (spec §1.3–§1.6): token precedence, consistency flags and their conflicts,
 * `wait` and `index`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ConsulAgent } from './agent';
import type { ConsulCluster, RpcMode } from './cluster';
import { GoDurationError, parseGoDuration } from './go-duration';
import { goParseUint, GoStrconvError, type GoValues } from './go-url';
import { HttpError } from './http-errors';

export interface RequestContext {
  readonly cluster: ConsulCluster;
  readonly agent: ConsulAgent;
  readonly method: string;
  /** The URL-decoded path (Go's `req.URL.Path`). */
  readonly path: string;
  readonly rawQuery: string;
  readonly query: GoValues;
  readonly headers: IncomingHttpHeaders;
  /** `Content-Length`, or `undefined` when the body is chunked or absent (Go's `-1`). */
  readonly contentLength: number | undefined;
  /** Aborted when the client goes away or the agent stops. */
  readonly signal: AbortSignal;
  /** Reads the whole body; keeps at most `keep` bytes and reports the total size. */
  readBody(keep?: number): Promise<{ body: Buffer; total: number }>;
}

export type Consistency = 'leader' | 'consistent' | 'stale';

export interface QueryOptions {
  consistency: Consistency;
  /** `?index`, exact (uint64); 0 means "do not block". */
  minIndex: bigint;
  /** `?wait` in ms, or `undefined` when absent or not positive. */
  waitMs: number | undefined;
}

function header(ctx: RequestContext, name: string): string {
  const v = ctx.headers[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

/** `parseTokenInternal` + `parseTokenWithDefault` (spec §1.6). */
export function requestToken(ctx: RequestContext): string {
  const fromQuery = ctx.query.get('token');
  if (fromQuery !== '') return fromQuery;
  const fromHeader = header(ctx, 'x-consul-token');
  if (fromHeader !== '') return fromHeader;
  const auth = header(ctx, 'authorization');
  if (auth !== '') {
    const parts = auth.split(' ');
    if (parts.length > 1) {
      const scheme = parts[0] ?? '';
      const value = parts.slice(1).join(' ').trim();
      if (scheme.toLowerCase() === 'bearer') return (value.split(' ')[0] ?? '').trim();
    }
  }
  return ctx.cluster.options.acl?.defaultToken ?? '';
}

/** `parseConsistency`. `cached` counts because `http_config.use_cache` defaults to true. */
export function parseConsistency(ctx: RequestContext): Consistency {
  const q = ctx.query;
  let stale = q.has('stale');
  const consistent = q.has('consistent');
  const cached = q.has('cached');
  const maxStale = q.get('max_stale');
  if (maxStale !== '') {
    let ns: bigint;
    try {
      ns = parseGoDuration(maxStale);
    } catch {
      throw new HttpError(400, `Invalid max_stale value ${JSON.stringify(maxStale)}`);
    }
    if (ns > 0n) stale = true;
  }
  if (stale && consistent)
    throw new HttpError(400, 'Cannot specify ?stale with ?consistent, conflicting semantics.');
  if (cached && consistent)
    throw new HttpError(400, 'Cannot specify ?cached with ?consistent, conflicting semantics.');
  return consistent ? 'consistent' : stale ? 'stale' : 'leader';
}

/** `parseWait` (spec §4.1): `wait` needs a unit, `index` is a uint64. */
export function parseWait(ctx: RequestContext): { minIndex: bigint; waitMs: number | undefined } {
  let waitMs: number | undefined;
  const wait = ctx.query.get('wait');
  if (wait !== '') {
    let ns: bigint;
    try {
      ns = parseGoDuration(wait);
    } catch (err) {
      if (err instanceof GoDurationError) throw new HttpError(400, 'Invalid wait time');
      throw err;
    }
    if (ns > 0n) waitMs = Number(ns) / 1e6;
  }
  let minIndex = 0n;
  const index = ctx.query.get('index');
  if (index !== '') {
    try {
      minIndex = goParseUint(index);
    } catch (err) {
      if (err instanceof GoStrconvError) throw new HttpError(400, 'Invalid index');
      throw err;
    }
  }
  return { minIndex, waitMs };
}

/** `HTTPHandlers.parse`: consistency first, then wait (their 400s in that order). */
export function parseQueryOptions(ctx: RequestContext): QueryOptions {
  const consistency = parseConsistency(ctx);
  return { consistency, ...parseWait(ctx) };
}

export function rpcModeFor(consistency: Consistency): RpcMode {
  return consistency === 'stale' ? 'stale' : consistency === 'consistent' ? 'consistent' : 'read';
}

/** Parses an optional uint64 query parameter; a bad value is a plain 500 with strconv's text. */
export function uintParam(ctx: RequestContext, name: string): bigint | undefined {
  if (!ctx.query.has(name)) return undefined;
  try {
    return goParseUint(ctx.query.get(name));
  } catch (err) {
    if (err instanceof GoStrconvError) throw new HttpError(500, err.message);
    throw err;
  }
}

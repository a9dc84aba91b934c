/**
 * What an endpoint answers, and how it goes on the wire the way Consul's `wrap` writes it (spec
 * §1.2–§1.4): compact JSON with `Content-Type: application/json` (indented with `?pretty`), an empty
 * 200 for handlers that return nothing, plain-text errors without a trailing newline, the query
 * meta headers on reads only, `X-Consul-Index` never 0, `X-Consul-Default-ACL-Policy` on every
 * wrapped response, and gzip above 1400 bytes when the client accepts it (Consul's gziphandler).
 */
import type { ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { Consistency } from './request-context';
import { encodeGoJson, type GoJsonValue } from './go-json';

export interface QueryMeta {
  index: number | bigint;
  knownLeader: boolean;
  lastContactMs: number;
  consistency: Consistency;
  /** Results were filtered by ACLs and the request carried a token. */
  filtered?: boolean;
}

export type Reply =
  | { kind: 'json'; value: GoJsonValue; status?: number; meta?: QueryMeta }
  | { kind: 'empty'; status?: number; meta?: QueryMeta }
  | { kind: 'raw'; body: Buffer; meta?: QueryMeta }
  | { kind: 'text'; status: number; body: string; headers?: Readonly<Record<string, string>> };

export const json = (value: GoJsonValue, meta?: QueryMeta): Reply =>
  meta == null ? { kind: 'json', value } : { kind: 'json', value, meta };

/** gziphandler's `DefaultMinSize`. */
const GZIP_MIN_SIZE = 1400;

export function metaHeaders(meta: QueryMeta): Record<string, string> {
  const index = typeof meta.index === 'bigint' ? meta.index : BigInt(Math.max(0, Math.floor(meta.index)));
  // Header names in Go's canonical form (`http.CanonicalHeaderKey`), as Consul sends them.
  const out: Record<string, string> = {
    'X-Consul-Lastcontact': String(Math.max(0, Math.floor(meta.lastContactMs))),
    // setIndex: "If we ever return X-Consul-Index of 0 blocking clients will go into a busy loop" (rule 63).
    'X-Consul-Index': (index === 0n ? 1n : index).toString(10),
    'X-Consul-Knownleader': meta.knownLeader ? 'true' : 'false',
    'X-Consul-Effective-Consistency': meta.consistency,
  };
  if (meta.filtered === true) out['X-Consul-Results-Filtered-By-Acls'] = 'true';
  return out;
}

function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (acceptEncoding == null) return false;
  return acceptEncoding.split(',').some((part) => {
    const [coding, ...params] = part.trim().split(';');
    if (coding?.trim().toLowerCase() !== 'gzip') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q == null || Number(q.slice(2)) > 0;
  });
}

export interface WriteOptions {
  pretty: boolean;
  acceptEncoding: string | undefined;
  aclDefaultPolicy: string;
  method: string;
}

/** Writes `body` with the common headers, compressing when worthwhile. */
export function writeRaw(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Buffer | undefined,
  opts: Pick<WriteOptions, 'acceptEncoding' | 'method'>,
): void {
  let payload = body ?? Buffer.alloc(0);
  const h: Record<string, string> = { ...headers };
  if (payload.length >= GZIP_MIN_SIZE && acceptsGzip(opts.acceptEncoding)) {
    payload = gzipSync(payload);
    h['Content-Encoding'] = 'gzip';
  }
  h['Content-Length'] = String(payload.length);
  res.writeHead(status, h);
  res.end(opts.method === 'HEAD' ? undefined : payload);
}

export function writeReply(res: ServerResponse, reply: Reply, opts: WriteOptions): void {
  const headers: Record<string, string> = {
    Vary: 'Accept-Encoding',
    'X-Consul-Default-Acl-Policy': opts.aclDefaultPolicy,
  };
  if (reply.kind !== 'text' && reply.meta != null) Object.assign(headers, metaHeaders(reply.meta));
  switch (reply.kind) {
    case 'json': {
      headers['Content-Type'] = 'application/json';
      writeRaw(res, reply.status ?? 200, headers, Buffer.from(encodeGoJson(reply.value, opts.pretty)), opts);
      return;
    }
    case 'empty':
      writeRaw(res, reply.status ?? 200, headers, undefined, opts);
      return;
    case 'raw':
      headers['Content-Type'] = 'text/plain';
      headers['X-Content-Type-Options'] = 'nosniff';
      headers['Content-Security-Policy'] = 'sandbox';
      writeRaw(res, 200, headers, reply.body, opts);
      return;
    case 'text':
      Object.assign(headers, reply.headers ?? {});
      // Go sniffs a plain-text body written without a Content-Type.
      if (reply.body !== '') headers['Content-Type'] = 'text/plain; charset=utf-8';
      writeRaw(res, reply.status, headers, Buffer.from(reply.body), opts);
      return;
  }
}

/**
 * One agent's HTTP endpoint: a real `node:http` server on the emulator's host, bound to one node.
 * Killing the node closes the listener and resets every open connection, so clients see
 * `ECONNREFUSED` as with a dead agent; reviving listens again on the same port.
 *
 * `handleRequest` is Consul's request path: URL decoding and the printable-path check, the control
 * plane prefix, `ServeMux` cleaning and matching, then `wrap` — ACL policy header, query parsing,
 * OPTIONS, 405 with `Allow`, the handler, and the error mapping of spec §1.3.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { listenError } from '../port-base';
import type { ConsulAgent } from './agent';
import type { ConsulCluster } from './cluster';
import { CONSUL_CONTROL_PREFIX, handleControl } from './control-endpoint';
import { goParseQuery, goPathUnescape, goServeMuxCleanPath, isGoPrintable } from './go-url';
import { HttpError, RpcError, statusForRpcError } from './http-errors';
import { writeRaw, writeReply, type Reply } from './reply';
import type { RequestContext } from './request-context';
import { matchRoute } from './router';

export interface AgentServer {
  /** Base URL, e.g. `http://127.0.0.1:34567`. Stable across kill and revive. */
  readonly url: string;
  readonly port: number;
  readonly listening: boolean;
  listen(): Promise<void>;
  stop(): Promise<void>;
}

function isControlPath(rawPath: string): boolean {
  return rawPath === CONSUL_CONTROL_PREFIX || rawPath.startsWith(`${CONSUL_CONTROL_PREFIX}/`);
}

const UI_DISABLED =
  'Consul Agent: UI disabled. To enable, set ui_config.enabled=true in the agent configuration and restart.';

function readBodyFrom(req: IncomingMessage, signal: AbortSignal) {
  let consumed = false;
  return async (keep = Number.POSITIVE_INFINITY): Promise<{ body: Buffer; total: number }> => {
    if (consumed) return { body: Buffer.alloc(0), total: 0 };
    consumed = true;
    const chunks: Buffer[] = [];
    let kept = 0;
    let total = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      signal.throwIfAborted();
      total += chunk.length;
      if (kept < keep) {
        const part = chunk.subarray(0, Math.max(0, Math.min(chunk.length, keep - kept)));
        chunks.push(part);
        kept += part.length;
      }
    }
    return { body: Buffer.concat(chunks), total };
  };
}

function errorReply(cluster: ConsulCluster, err: unknown, viaRpc: boolean): Reply {
  if (err instanceof HttpError)
    return { kind: 'text', status: err.status, body: err.reason, headers: err.headers };
  if (err instanceof RpcError) {
    // Only errors that crossed an RPC get a client agent's prefix; agent-local ACL denials do not.
    const text = err.prefixed || !viaRpc ? err.message : cluster.rpcErrorPrefix + err.message;
    return { kind: 'text', status: statusForRpcError(text), body: text };
  }
  return { kind: 'text', status: 500, body: err instanceof Error ? err.message : String(err) };
}

export async function handleRequest(
  cluster: ConsulCluster,
  agent: ConsulAgent,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const method = req.method ?? 'GET';
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
  const plain = { acceptEncoding: undefined, method };

  if (isControlPath(rawPath)) {
    await handleControl(cluster, req, res, rawPath.slice(CONSUL_CONTROL_PREFIX.length), rawQuery);
    return;
  }

  let path: string;
  try {
    path = goPathUnescape(rawPath);
  } catch {
    // net/http refuses a request-target it cannot parse.
    writeRaw(
      res,
      400,
      { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' },
      Buffer.from('400 Bad Request'),
      plain,
    );
    return;
  }
  if (!isGoPrintable(path)) {
    // cleanhttp.PrintablePathCheckHandler
    writeRaw(res, 400, {}, undefined, plain);
    return;
  }
  const clean = goServeMuxCleanPath(path);
  if (clean !== path) {
    writeRaw(
      res,
      301,
      { Location: encodeURI(clean) + (rawQuery === '' ? '' : `?${rawQuery}`) },
      undefined,
      plain,
    );
    return;
  }
  const match = matchRoute(path);
  if (match != null && 'redirect' in match) {
    writeRaw(
      res,
      301,
      { Location: match.redirect + (rawQuery === '' ? '' : `?${rawQuery}`) },
      undefined,
      plain,
    );
    return;
  }
  if (match == null) {
    // HTTPHandlers.Index
    if (path === '/') {
      writeRaw(res, 200, { 'Content-Type': 'text/plain; charset=utf-8' }, Buffer.from(UI_DISABLED), plain);
      return;
    }
    const text = path.includes('/v1/')
      ? 'Invalid URL path: not a recognized HTTP API endpoint\n'
      : "Invalid URL path: if attempting to use the HTTP API, ensure the path starts with '/v1/'\n";
    writeRaw(res, 404, { 'Content-Type': 'text/plain; charset=utf-8' }, Buffer.from(text), plain);
    return;
  }

  const { route } = match;
  const parsed = goParseQuery(rawQuery);
  const opts = {
    pretty: parsed.values.has('pretty'),
    acceptEncoding: req.headers['accept-encoding'],
    aclDefaultPolicy: cluster.options.acl?.defaultPolicy ?? 'allow',
    method,
  };
  if (parsed.error != null) {
    writeReply(res, { kind: 'empty', status: 500 }, opts);
    return;
  }
  if (method === 'OPTIONS') {
    res.setHeader('Allow', ['OPTIONS', ...route.methods].join(','));
    writeReply(res, { kind: 'empty' }, opts);
    return;
  }
  if (!route.methods.includes(method)) {
    writeReply(
      res,
      {
        kind: 'text',
        status: 405,
        body: `method ${method} not allowed`,
        headers: { Allow: ['OPTIONS', ...route.methods].join(',') },
      },
      opts,
    );
    return;
  }

  const dc = parsed.values.get('dc');
  if (route.rpc && dc !== '' && dc !== cluster.options.datacenter) {
    // The emulator has one datacenter; RPCs for another have nowhere to go (spec §7.2).
    writeReply(res, errorReply(cluster, new RpcError('No path to datacenter'), true), opts);
    return;
  }
  const ac = new AbortController();
  const onClose = (): void => {
    if (!res.writableFinished) ac.abort(new Error('client went away'));
  };
  res.once('close', onClose);
  const contentLengthHeader = req.headers['content-length'];
  const ctx: RequestContext = {
    cluster,
    agent,
    method,
    path,
    rawQuery,
    query: parsed.values,
    headers: req.headers,
    contentLength: contentLengthHeader == null ? undefined : Number(contentLengthHeader),
    signal: ac.signal,
    readBody: readBodyFrom(req, ac.signal),
  };
  let reply: Reply;
  try {
    reply = await route.handler(ctx);
  } catch (err) {
    if (ac.signal.aborted || res.destroyed) return;
    reply = errorReply(cluster, err, route.rpc);
  } finally {
    res.off('close', onClose);
  }
  if (res.destroyed) return;
  writeReply(res, reply, opts);
}

/** Names the emulator in a listen error. */
export const CONSUL_LISTEN_PREFIX = 'consul emulator: ';

/** `port` 0: an ephemeral port, kept across kill and revive. */
export function createAgentServer(cluster: ConsulCluster, agent: ConsulAgent, initialPort = 0): AgentServer {
  const sockets = new Set<Socket>();
  let port = initialPort;
  let server: http.Server | undefined;

  // Sockets answering a control-plane request: such a request may kill the very agent serving
  // it, so stopping lets it finish its answer and closes the socket afterwards.
  const controlSockets = new Set<Socket>();

  const create = (): http.Server => {
    const s = http.createServer((req, res) => {
      const control = isControlPath((req.url ?? '/').split('?')[0] ?? '/');
      if (control) {
        controlSockets.add(req.socket);
        res.once('close', () => {
          controlSockets.delete(req.socket);
          if (server !== s) req.socket.destroy();
        });
      }
      handleRequest(cluster, agent, req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end(err instanceof Error ? err.message : String(err));
        }
      });
    });
    s.on('connection', (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    // Blocking queries hold a request open for minutes (spec §4.1).
    s.requestTimeout = 0;
    s.headersTimeout = 60_000;
    s.keepAliveTimeout = 30_000;
    return s;
  };

  return {
    get url() {
      return `http://${cluster.options.host.includes(':') ? `[${cluster.options.host}]` : cluster.options.host}:${port}`;
    },
    get port() {
      return port;
    },
    get listening() {
      return server != null;
    },
    async listen() {
      if (server != null) return;
      const s = create();
      await new Promise<void>((resolve, reject) => {
        const onError = (err: NodeJS.ErrnoException): void =>
          reject(listenError(cluster.options.host, port, err, CONSUL_LISTEN_PREFIX));
        s.once('error', onError);
        s.listen(port, cluster.options.host, () => {
          s.off('error', onError);
          resolve();
        });
      });
      port = (s.address() as AddressInfo).port;
      server = s;
    },
    async stop() {
      const s = server;
      if (s == null) return;
      server = undefined;
      // Closing the listener frees the port at once (a revive listens on it again); open
      // connections are reset: a dead agent answers nothing, blocking queries included.
      s.close();
      for (const socket of sockets) if (!controlSockets.has(socket)) socket.destroy();
      sockets.clear();
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
  };
}

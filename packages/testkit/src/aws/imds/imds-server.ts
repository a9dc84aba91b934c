/**
 * One IMDS endpoint per instance (spec §4; rules 38–48), on its own loopback port so that
 * `AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:<port>` makes an SDK on "that instance"
 * see its own identity and role credentials.
 */
import type http from 'node:http';
import type { TestClock } from '../../clock';
import { listenLoopback, type LoopbackServer } from '../http/loopback-server';
import type { WorldState } from '../state/world-state';
import { ImdsTokens, parseTtlHeader } from './imds-tokens';
import { buildMetadataTree, listDirectory, resolveMetadataPath } from './metadata-tree';

export type ImdsOutageMode = 'hang' | 'reset' | 'error';

export interface ImdsOutage {
  /** `hang`: accept and never answer; `reset`: destroy the connection; `error`: answer `status`. */
  mode: ImdsOutageMode;
  /** For `error`: the HTTP status. Default 500. */
  status?: number;
  /** Clock ms after which the outage ends by itself; undefined = until cleared. */
  until?: number;
}

/** Runtime IMDS knobs beyond the instance's MetadataOptions (HttpTokens/HttpEndpoint). */
export interface ImdsRuntimeOptions {
  /** IMDSv1-only service: the token PUT answers 404 (as an IMDS without v2 support would). */
  v1Only: boolean;
  /** Hop limit exceeded: accept token PUTs but never deliver the answer (rule 48). */
  hopLimitDrop: boolean;
  outage: ImdsOutage | null;
}

export interface ImdsRequestRecord {
  time: number;
  method: string;
  path: string;
  /** HTTP status answered; null when none (hang, reset, dropped PUT). */
  status: number | null;
  /** `v2` for token PUTs and requests carrying a token header, else `v1`. */
  version: 'v1' | 'v2';
}

export interface ImdsEndpoint {
  readonly instanceId: string;
  readonly url: string;
  readonly options: ImdsRuntimeOptions;
  readonly tokens: ImdsTokens;
  requests(): ImdsRequestRecord[];
  clearRequests(): void;
  close(): Promise<void>;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function errorPage(status: number): string {
  const title = `${status} - ${STATUS_TEXT[status] ?? 'Error'}`;
  return (
    '<?xml version="1.0" encoding="iso-8859-1"?>\n' +
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n' +
    '\t"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n' +
    '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n' +
    ` <head>\n  <title>${title}</title>\n </head>\n <body>\n  <h1>${title}</h1>\n </body>\n</html>\n`
  );
}

const REQUEST_LOG_LIMIT = 10_000;

export interface ImdsServerOptions {
  state: WorldState;
  clock: TestClock;
  instanceId: string;
  host: string;
  port: number;
  latencyMs: () => number;
}

export async function startImdsEndpoint(o: ImdsServerOptions): Promise<ImdsEndpoint> {
  const { state, clock, instanceId } = o;
  const tokens = new ImdsTokens(() => clock.now());
  const options: ImdsRuntimeOptions = { v1Only: false, hopLimitDrop: false, outage: null };
  const log: ImdsRequestRecord[] = [];

  const handler = (req: http.IncomingMessage, res: http.ServerResponse, signal: AbortSignal): void => {
    void handle(req, res, signal);
  };

  async function handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    signal: AbortSignal,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://imds').pathname;
    const tokenHeader = req.headers['x-aws-ec2-metadata-token'];
    const rec: ImdsRequestRecord = {
      time: clock.now(),
      method,
      path,
      status: null,
      version: tokenHeader != null || (method === 'PUT' && path.endsWith('/api/token')) ? 'v2' : 'v1',
    };
    log.push(rec);
    if (log.length > REQUEST_LOG_LIMIT) log.splice(0, log.length - REQUEST_LOG_LIMIT);
    req.resume();

    const answer = (status: number, body: string, headers: Record<string, string> = {}): void => {
      rec.status = status;
      if (res.destroyed || res.writableEnded) return;
      const text = status === 200 ? body : errorPage(status);
      res.writeHead(status, {
        'content-type': status === 200 ? 'text/plain' : 'text/html',
        server: 'EC2ws',
        ...headers,
      });
      res.end(method === 'HEAD' ? undefined : text);
    };

    let outage = options.outage;
    if (outage?.until != null && clock.now() >= outage.until) {
      options.outage = null;
      outage = null;
    }
    if (outage != null) {
      if (outage.mode === 'hang') return;
      if (outage.mode === 'reset') {
        req.socket.destroy();
        return;
      }
      answer(outage.status ?? 500, '');
      return;
    }
    const latency = o.latencyMs();
    if (latency > 0) {
      try {
        await clock.sleep(latency, signal);
      } catch {
        res.destroy();
        return;
      }
    }

    const inst = state.data.instances.get(instanceId);
    // Rule 39: a disabled endpoint refuses everything with 403.
    if (inst == null || inst.imds.httpEndpoint === 'disabled') return answer(403, '');

    const versioned = /^\/(latest|\d{4}-\d{2}-\d{2})(\/.*)?$/.exec(path);
    if (method === 'PUT') {
      if (path === '/latest/api/token') {
        if (options.v1Only) return answer(404, '');
        // Rule 39: PUTs carrying X-Forwarded-For are rejected [D-IMDS2].
        if (req.headers['x-forwarded-for'] != null) return answer(403, '');
        const ttl = parseTtlHeader(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
        if (ttl == null) return answer(400, '');
        // Rule 48: past the hop limit the answer never reaches the caller.
        if (options.hopLimitDrop) return;
        return answer(200, tokens.issue(ttl), { 'x-aws-ec2-metadata-token-ttl-seconds': String(ttl) });
      }
      if (versioned != null && versioned[2] === '/api/token') return answer(403, '');
      return answer(405, '', { allow: 'GET, HEAD' });
    }
    if (method !== 'GET' && method !== 'HEAD') return answer(405, '', { allow: 'GET, HEAD, PUT' });

    // Rule 40: a token header makes the request IMDSv2 — it must be valid in either mode.
    if (tokenHeader != null) {
      if (typeof tokenHeader !== 'string' || !tokens.isValid(tokenHeader)) return answer(401, '');
    } else if (inst.imds.httpTokens === 'required') return answer(401, '');

    if (path === '/' || path === '')
      return answer(200, ['latest', '2021-03-23', '2016-09-02', '1.0'].join('\n'));
    if (versioned == null) return answer(404, '');
    const rest = versioned[2] ?? '/';
    if (rest === '/api/token') return answer(405, '', { allow: 'PUT' });
    const tree = buildMetadataTree(state, instanceId, clock.now());
    const node = resolveMetadataPath(tree, rest);
    if (node == null) return answer(404, '');
    if (typeof node === 'string') return answer(200, node);
    return answer(200, listDirectory(node));
  }

  const server: LoopbackServer = await listenLoopback(o.host, o.port, handler);
  return {
    instanceId,
    url: server.url.replace(/\/$/, ''),
    options,
    tokens,
    requests: () => log.map((r) => ({ ...r })),
    clearRequests: () => {
      log.length = 0;
    },
    close: () => server.close(),
  };
}

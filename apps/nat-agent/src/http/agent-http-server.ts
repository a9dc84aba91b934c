import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReportedHealth } from '../core/health-report';

/** What the endpoints read; each is called per request, so they always show the current belief. */
export interface HttpSources {
  live(): { live: boolean; stallMs: number };
  health(): ReportedHealth & { detail?: Record<string, unknown> };
  status(): unknown;
  metrics(): Promise<{ contentType: string; body: string }>;
}

export interface AgentHttpServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * `/health/live` (the check the session is tied to), `/health` (path health, 200/429/503, the
 * candidate check), `/status` (JSON) and `/metrics` (Prometheus). Loopback by default: the local Consul
 * agent and Prometheus' node-local scrape are the only clients.
 */
export async function startAgentHttpServer(options: {
  host: string;
  port: number;
  sources: HttpSources;
}): Promise<AgentHttpServer> {
  const { sources } = options;
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error: String(error) });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, { error: 'method not allowed' });
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    switch (path) {
      case '/health/live': {
        const l = sources.live();
        send(res, l.live ? 200 : 503, { status: l.live ? 'alive' : 'stalled', stallMs: l.stallMs });
        return;
      }
      case '/health': {
        const h = sources.health();
        send(res, h.httpStatus, { status: h.status, reasons: h.reasons, ...h.detail });
        return;
      }
      case '/status':
        send(res, 200, sources.status());
        return;
      case '/metrics': {
        const m = await sources.metrics();
        res.writeHead(200, { 'content-type': m.contentType });
        res.end(m.body);
        return;
      }
      default:
        send(res, 404, {
          error: `no such endpoint ${path}`,
          endpoints: ['/health/live', '/health', '/status', '/metrics'],
        });
    }
  }

  // Consul polls every second over a fresh connection; keep-alive sockets would only sit idle.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

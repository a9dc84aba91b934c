import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NetHealthError } from './errors';
import type { HealthHandler } from './health-handler';
import { abortedError } from './run-attempt';
import { integerOption, stringOption } from './validate';

export interface ListenHealthOptions {
  handler: HealthHandler;
  /** Address to bind. Default `127.0.0.1`: only the local Consul agent needs to reach the check. */
  host?: string;
  /** Port to bind. Default 0 (a free port, for tests); set a fixed one for the Consul check definition. */
  port?: number;
  /** Aborting closes the server (as `close()` does). */
  signal?: AbortSignal;
}

export interface HealthServer {
  readonly server: Server;
  readonly host: string;
  readonly port: number;
  /** `http://host:port<path>`-ready base, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** Stops listening and closes open connections. Idempotent. */
  close(): Promise<void>;
}

/** Starts a small dedicated HTTP server for the health handler. Rejects `HEALTH_LISTEN_FAILED` if it cannot bind. */
export function listenHealth(options: ListenHealthOptions): Promise<HealthServer> {
  const host = stringOption('host', options.host ?? '127.0.0.1');
  const port = integerOption('port', options.port, 0, 0, 65535);
  const { handler, signal } = options;
  if (handler == null || typeof handler.listener !== 'function') {
    return Promise.reject(
      new NetHealthError('INVALID_OPTION', 'handler must be a HealthHandler from createHealthHandler()'),
    );
  }
  if (signal?.aborted === true) return Promise.reject(abortedError(signal));

  const server = createServer(
    // A check answer is tiny: short timeouts keep a stuck client from holding sockets.
    { requestTimeout: 5_000, headersTimeout: 5_000, keepAliveTimeout: 5_000 },
    handler.listener,
  );
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      signal?.removeEventListener('abort', onAbort);
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  };
  const onAbort = (): void => {
    void close();
  };

  return new Promise<HealthServer>((resolve, reject) => {
    const onError = (err: Error): void => {
      reject(
        new NetHealthError('HEALTH_LISTEN_FAILED', `cannot listen on ${host}:${port}: ${err.message}`, {
          cause: err,
        }),
      );
    };
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      // After a successful bind the server has nothing left to fail on; keep a stray error from crashing the app.
      server.on('error', () => {});
      if (signal?.aborted === true) {
        void close().then(() => reject(abortedError(signal)));
        return;
      }
      const address = server.address() as AddressInfo;
      const urlHost =
        address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
      signal?.addEventListener('abort', onAbort, { once: true });
      resolve({
        server,
        host: address.address,
        port: address.port,
        url: `http://${urlHost}:${address.port}`,
        close,
      });
    });
  });
}

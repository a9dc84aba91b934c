/**
 * A real HTTP server on loopback with a clean shutdown: `close()` stops listening, destroys kept-
 * alive and hung connections (injected hangs hold responses open on purpose) and aborts the
 * `signal` every in-flight handler waits on.
 */
import { setMaxListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestkitError } from '../../errors';
import { listenError } from '../../port-base';

export type RequestHandler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  signal: AbortSignal,
) => void;

export interface LoopbackServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function listenLoopback(
  host: string,
  port: number,
  handler: RequestHandler,
): Promise<LoopbackServer> {
  const shutdown = new AbortController();
  // Every in-flight request waits its latency on this one signal (and removes its listener when the
  // wait settles), so a burst of concurrent calls legitimately holds more than Node's default 10.
  setMaxListeners(0, shutdown.signal);
  const server = http.createServer((req, res) => handler(req, res, shutdown.signal));
  // Agents keep connections alive for seconds; the SDK's default is longer than a test.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => reject(listenError(host, port, err));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${address.port}/`,
    port: address.port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        shutdown.abort(new TestkitError('ABORTED', 'emulator closed'));
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Reads a request body (bounded: the Query APIs never send megabytes). */
export function readBody(req: http.IncomingMessage, limitBytes = 1 << 20): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        reject(new Error(`request body over ${limitBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * A loopback TCP server standing in for "the Internet" in an agent's health probes: the test breaks
 * an agent's path by closing its target (connection refused fails a probe at once) and heals it by
 * listening again on the same port.
 */
import { createServer, type Server } from 'node:net';

export interface HealthTarget {
  readonly port: number;
  up(): Promise<void>;
  down(): Promise<void>;
  close(): Promise<void>;
}

export async function startHealthTarget(): Promise<HealthTarget> {
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((socket) => socket.end());
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as { port: number }).port;
        server = s;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = undefined;
      if (s === undefined) return resolve();
      s.close(() => resolve());
    });
  await listen();
  return {
    get port() {
      return port;
    },
    up: async () => {
      if (server === undefined) await listen();
    },
    down: stop,
    close: stop,
  };
}

/**
 * The non-root lab's Internet: one loopback TCP listener per NAT instance (the agent's TCP probe
 * passes when the connection is accepted). `down()` closes the listener, so the next probe is
 * refused; `up()` listens again on the same port.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { LabError } from '../errors';
import { sleep } from '../util/wait';
import type { InternetPath } from './internet-path';

function listen(port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.end();
    });
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

export async function startLoopbackInternet(instanceId: string, host = '127.0.0.1'): Promise<InternetPath> {
  let server: Server | undefined = await listen(0, host);
  const port = (server.address() as { port: number }).port;
  const close = async (): Promise<void> => {
    const s = server;
    server = undefined;
    if (s == null) return;
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  return {
    instanceId,
    targets: [{ host, port }],
    get isUp() {
      return server != null;
    },
    async up(signal) {
      if (server != null) return;
      // The port was free a moment ago; another process may grab it meanwhile (rare): retry briefly.
      let lastError: unknown;
      for (let attempt = 0; attempt < 50; attempt++) {
        try {
          server = await listen(port, host);
          return;
        } catch (error) {
          lastError = error;
          await sleep(100, signal);
        }
      }
      throw new LabError('COMMAND_FAILED', `cannot listen on ${host}:${port} again for ${instanceId}`, {
        cause: lastError,
      });
    },
    down: close,
    close,
  };
}

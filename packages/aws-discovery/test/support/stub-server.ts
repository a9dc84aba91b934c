import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

/**
 * A loopback HTTP server (port 0) whose handler may answer or leave a request hanging forever,
 * the way a metadata service behind a too-low hop limit looks from the client.
 */
export async function startStubServer(handle: (req: StubRequest, res: ServerResponse) => void) {
  const requests: StubRequest[] = [];
  const server = createServer((req, res) => {
    const recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers };
    requests.push(recorded);
    req.resume();
    handle(recorded, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close(): Promise<void> {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

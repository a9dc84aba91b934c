import { MockAgent } from 'undici';

export interface RecordedImdsCall {
  method: string;
  path: string;
  headers: Record<string, string>;
}

export interface MockImdsReply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Fail at the transport level instead of answering. */
  error?: Error;
}

export type MockImdsHandler = (call: RecordedImdsCall) => MockImdsReply;

export const MOCK_IMDS_ORIGIN = 'http://169.254.169.254';

/**
 * An undici MockAgent that answers every request to the IMDS origin through `handler` and
 * records it. Net connect is disabled: nothing can leave the process (test hygiene rule 1).
 */
export function createMockImds(handler: MockImdsHandler, origin = MOCK_IMDS_ORIGIN) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const calls: RecordedImdsCall[] = [];
  const pool = agent.get(origin);
  const record = (opts: { method: string; path: string; headers?: unknown }): RecordedImdsCall => {
    const headers: Record<string, string> = {};
    const raw = opts.headers;
    if (raw != null && typeof raw === 'object') {
      for (const [k, v] of Object.entries(raw as Record<string, unknown>))
        headers[k.toLowerCase()] = String(v);
    }
    const call = { method: opts.method, path: opts.path, headers };
    calls.push(call);
    return call;
  };
  // A throw inside the reply callback reaches the client as a transport error (like ECONNRESET).
  pool
    .intercept({ path: () => true, method: () => true })
    .reply((opts) => {
      const reply = handler(record(opts));
      if (reply.error != null) throw reply.error;
      return {
        statusCode: reply.status,
        data: reply.body ?? '',
        responseOptions: { headers: reply.headers ?? {} },
      };
    })
    .persist();
  return {
    agent,
    calls,
    gets: () => calls.filter((c) => c.method === 'GET'),
    puts: () => calls.filter((c) => c.method === 'PUT'),
  };
}

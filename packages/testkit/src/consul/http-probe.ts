/**
 * One run of an HTTP check, as Consul's `CheckHTTP.check` does it (spec §6.3): a real request to
 * the target with `User-Agent: Consul Health Check`, redirects followed (up to 10) unless disabled,
 * the whole exchange bounded by `Timeout` on the emulator clock; 2xx is passing, 429 warning,
 * anything else — including a refused connection or a timeout — critical. The output reproduces
 * Consul's text (`HTTP GET <url>: 200 OK Output: <last 4 KiB of the body>`, or Go's error strings).
 */
import http from 'node:http';
import https from 'node:https';
import type { TestClock } from '../clock';
import type { ConsulCheckStatus } from './journal';

export interface HttpProbeSpec {
  url: string;
  method: string;
  header: ReadonlyMap<string, readonly string[]>;
  body: string;
  disableRedirects: boolean;
  tlsSkipVerify: boolean;
  tlsServerName: string;
  timeoutMs: number;
  outputMaxSize: number;
}

export interface ProbeResult {
  status: ConsulCheckStatus;
  output: string;
}

const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);

/** Go's `url.Error` op: the method with only its first letter capitalised ("Get", "Post"). */
function goOp(method: string): string {
  const m = method.toLowerCase();
  return m.charAt(0).toUpperCase() + m.slice(1);
}

function hostPort(url: URL): string {
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  const host = url.hostname.startsWith('[')
    ? url.hostname
    : url.hostname.includes(':')
      ? `[${url.hostname}]`
      : url.hostname;
  return `${host}:${port}`;
}

/** Go's `net` error text for a Node socket error. */
export function goDialError(err: NodeJS.ErrnoException, target: string): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${target}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `dial tcp ${target}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${target}: connect: network is unreachable`;
    case 'ECONNRESET':
      return `read tcp ${target}: read: connection reset by peer`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${target.replace(/:\d+$/, '')}: no such host`;
    case 'EPIPE':
      return `write tcp ${target}: write: broken pipe`;
    default:
      return err.message === 'socket hang up' ? 'EOF' : err.message;
  }
}

class ProbeTimeout extends Error {
  constructor(readonly phase: 'headers' | 'body') {
    super('timeout');
  }
}

function lastBytes(chunks: Buffer[], max: number): string {
  const all = Buffer.concat(chunks);
  return (all.length > max ? all.subarray(all.length - max) : all).toString('utf8');
}

interface Exchange {
  statusCode: number;
  statusMessage: string;
  location: string | undefined;
  body: string;
}

function requestOnce(
  url: URL,
  spec: HttpProbeSpec,
  method: string,
  body: string,
  signal: AbortSignal,
): Promise<Exchange> {
  return new Promise<Exchange>((resolve, reject) => {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of spec.header) headers[k] = [...v];
    const lower = new Set(Object.keys(headers).map((k) => k.toLowerCase()));
    if (!lower.has('user-agent')) headers['User-Agent'] = 'Consul Health Check';
    if (!lower.has('accept')) headers.Accept = 'text/plain, text/*, */*';
    if (body !== '') headers['Content-Length'] = String(Buffer.byteLength(body));
    const options: https.RequestOptions = { method, headers, signal, agent: false };
    if (url.protocol === 'https:') {
      options.rejectUnauthorized = !spec.tlsSkipVerify;
      if (spec.tlsServerName !== '') options.servername = spec.tlsServerName;
    }
    const req = (url.protocol === 'https:' ? https : http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        size += c.length;
        // Keep memory bounded: only the tail is reported (Consul uses a circular buffer).
        while (size - (chunks[0]?.length ?? 0) > spec.outputMaxSize && chunks.length > 1)
          size -= chunks.shift()!.length;
      });
      res.on('end', () =>
        resolve({
          statusCode: res.statusCode ?? 0,
          statusMessage: res.statusMessage ?? '',
          location: res.headers.location,
          body: lastBytes(chunks, spec.outputMaxSize),
        }),
      );
      res.on('error', (err) => reject(signal.aborted ? new ProbeTimeout('body') : err));
      res.on('aborted', () =>
        reject(signal.aborted ? new ProbeTimeout('body') : new Error('unexpected EOF')),
      );
    });
    req.on('error', (err) => reject(signal.aborted ? new ProbeTimeout('headers') : err));
    req.end(body === '' ? undefined : body);
  });
}

/**
 * Runs the check once. `signal` aborts it (the agent stopped); the timeout runs on `clock`, so under
 * a virtual clock a hung target only times out when the test advances time.
 */
export async function runHttpProbe(
  spec: HttpProbeSpec,
  clock: TestClock,
  signal: AbortSignal,
): Promise<ProbeResult> {
  const method = spec.method === '' ? 'GET' : spec.method.toUpperCase();
  const ac = new AbortController();
  let timedOut = false;
  const timer = clock.setTimer(() => {
    timedOut = true;
    ac.abort(new Error('timeout'));
  }, spec.timeoutMs);
  const onStop = (): void => ac.abort(signal.reason);
  signal.addEventListener('abort', onStop, { once: true });
  let url: URL;
  try {
    url = new URL(spec.url);
  } catch {
    clock.clearTimer(timer);
    signal.removeEventListener('abort', onStop);
    return { status: 'critical', output: `parse ${JSON.stringify(spec.url)}: invalid URL` };
  }
  const original = spec.url;
  let currentMethod = method;
  let currentBody = spec.body;
  try {
    for (let hops = 0; ; hops++) {
      let ex: Exchange;
      try {
        ex = await requestOnce(url, spec, currentMethod, currentBody, ac.signal);
      } catch (err) {
        if (timedOut || err instanceof ProbeTimeout) {
          const phase = err instanceof ProbeTimeout ? err.phase : 'headers';
          const why =
            phase === 'headers'
              ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
              : 'context deadline exceeded (Client.Timeout or context cancellation while reading body)';
          return { status: 'critical', output: `${goOp(currentMethod)} "${url.href}": ${why}` };
        }
        return {
          status: 'critical',
          output: `${goOp(currentMethod)} "${url.href}": ${goDialError(err as NodeJS.ErrnoException, hostPort(url))}`,
        };
      }
      if (!spec.disableRedirects && REDIRECT_CODES.has(ex.statusCode) && ex.location != null) {
        if (hops >= 9) {
          return {
            status: 'critical',
            output: `${goOp(currentMethod)} "${ex.location}": stopped after 10 redirects`,
          };
        }
        url = new URL(ex.location, url);
        if (
          ex.statusCode === 303 ||
          ((ex.statusCode === 301 || ex.statusCode === 302) && currentMethod !== 'HEAD')
        ) {
          if (currentMethod !== 'GET' && currentMethod !== 'HEAD') {
            currentMethod = 'GET';
            currentBody = '';
          }
        }
        continue;
      }
      const result = `HTTP ${method} ${original}: ${ex.statusCode} ${ex.statusMessage} Output: ${ex.body}`;
      if (ex.statusCode >= 200 && ex.statusCode <= 299) return { status: 'passing', output: result };
      if (ex.statusCode === 429) return { status: 'warning', output: result };
      return { status: 'critical', output: result };
    }
  } finally {
    clock.clearTimer(timer);
    signal.removeEventListener('abort', onStop);
  }
}

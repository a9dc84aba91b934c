import { Agent, type Dispatcher } from 'undici';
import { NetHealthError } from './errors';
import type { CommonProbeOptions, Probe } from './probe';
import { probeLabel, resolveCommonOptions } from './probe-options';
import { runAttempt } from './run-attempt';
import { resolveSourceAddress } from './source-address';
import { booleanOption, hostOption, integerOption, invalid } from './validate';

/** TLS settings for the probe's own connector (ignored with an injected dispatcher, which owns TLS). */
export interface HttpProbeTlsOptions {
  /** Extra trusted CA certificates (PEM). */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** SNI and certificate name to check, when it differs from the URL host. */
  servername?: string;
  /** Default true. Turning it off proves only that something answered TLS on that address. */
  rejectUnauthorized?: boolean;
}

export interface HttpProbeOptions extends CommonProbeOptions {
  /** `http:` or `https:` URL. A host name is resolved for `family` only. */
  url: string | URL;
  /** Default `GET`. */
  method?: 'GET' | 'HEAD';
  /** Statuses that pass. Default: any 2xx. Redirects are not followed: list 301/302 to accept them. */
  expectedStatus?: readonly number[];
  /**
   * Any HTTP response passes, whatever its status: the request went out and an answer came back,
   * which is what an Internet-path check needs (alterNAT's lesson: a 403 or 503 from a far web
   * server still proves the path). Default false.
   */
  anyResponse?: boolean;
  /** Extra request headers. `user-agent` defaults to `nat-ha-net-health`. */
  headers?: Readonly<Record<string, string>>;
  /**
   * An undici Dispatcher to send through (a proxy agent, a MockAgent in tests). When set, the
   * dispatcher owns connection settings: `localAddress`, `interface` and `tls` are rejected.
   * Default: a fresh undici Agent per run, bound to the source, so every round makes a new TCP (and
   * TLS) handshake over the path instead of reusing a socket that predates a fault.
   */
  dispatcher?: Dispatcher;
  tls?: HttpProbeTlsOptions;
}

function statusMatcher(options: HttpProbeOptions): {
  accepts: (status: number) => boolean;
  describe: string;
} {
  if (booleanOption('httpProbe.anyResponse', options.anyResponse, false)) {
    return { accepts: () => true, describe: 'any status' };
  }
  if (options.expectedStatus == null) {
    return { accepts: (s) => s >= 200 && s <= 299, describe: 'a 2xx status' };
  }
  if (!Array.isArray(options.expectedStatus) || options.expectedStatus.length === 0) {
    throw invalid(
      'httpProbe.expectedStatus',
      'a non-empty array of HTTP status codes',
      options.expectedStatus,
    );
  }
  const set = new Set(
    options.expectedStatus.map((s, i) =>
      integerOption(`httpProbe.expectedStatus[${i}]`, s, Number.NaN, 100, 599),
    ),
  );
  return { accepts: (s) => set.has(s), describe: `status ${[...set].join(' or ')}` };
}

/**
 * An HTTP(S) probe through undici: passes when the response headers arrive with an accepted status.
 * The body is not waited for (drained up to 64 KiB in the background) and the connection is closed.
 */
export function createHttpProbe(options: HttpProbeOptions): Probe {
  const common = resolveCommonOptions('httpProbe', options);
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw invalid('httpProbe.url', 'an absolute http: or https: URL', String(options.url));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid('httpProbe.url', 'an http: or https: URL', url.href);
  }
  hostOption('httpProbe.url', url.hostname.replace(/^\[|\]$/g, ''), common.family);
  const method = options.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') throw invalid('httpProbe.method', 'GET or HEAD', method);
  const status = statusMatcher(options);
  const dispatcher = options.dispatcher;
  if (dispatcher != null) {
    if (typeof (dispatcher as { request?: unknown }).request !== 'function') {
      throw invalid('httpProbe.dispatcher', 'an undici Dispatcher', typeof dispatcher);
    }
    for (const key of ['localAddress', 'interface', 'tls'] as const) {
      if (options[key] != null) {
        throw invalid(
          `httpProbe.${key}`,
          'unset with an injected dispatcher (configure the dispatcher instead)',
          'set',
        );
      }
    }
  }
  const headers: Record<string, string> = { 'user-agent': 'nat-ha-net-health', ...options.headers };
  const tls = options.tls ?? {};
  const target = probeLabel(url.href, common);

  const attempt = async (signal: AbortSignal): Promise<number> => {
    const startedAt = common.clock.now();
    const localAddress = dispatcher == null ? resolveSourceAddress(common, common.family) : undefined;
    const agent =
      dispatcher ??
      new Agent({
        ...(localAddress == null ? {} : { localAddress }),
        connect: {
          family: common.family,
          autoSelectFamily: false,
          timeout: common.timeoutMs,
          ...(tls.ca == null ? {} : { ca: tls.ca as string | Buffer | Array<string | Buffer> }),
          ...(tls.servername == null ? {} : { servername: tls.servername }),
          ...(tls.rejectUnauthorized == null ? {} : { rejectUnauthorized: tls.rejectUnauthorized }),
        },
        headersTimeout: common.timeoutMs,
        bodyTimeout: common.timeoutMs,
        connections: 1,
      });
    try {
      const response = await agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method,
        headers,
        signal,
        // `connection: close`: no socket outlives the probe, even on an injected dispatcher.
        reset: true,
      });
      const latencyMs = common.clock.now() - startedAt;
      // The verdict is the status line: the body is not waited for, so a slow or stalled body cannot
      // turn an answer into a timeout. dump() drains a small body in the background and destroys a
      // larger one; destroying our own Agent below ends it at once.
      response.body.dump({ limit: 65_536 }).catch(() => {});
      if (!status.accepts(response.statusCode)) {
        throw new NetHealthError(
          'PROBE_WRONG_STATUS',
          `expected ${status.describe}, got ${response.statusCode}`,
          { retryable: true },
        );
      }
      return latencyMs;
    } finally {
      if (dispatcher == null) await agent.destroy().catch(() => {});
    }
  };

  return {
    target,
    timeoutMs: common.timeoutMs,
    run: (runOptions = {}) => runAttempt(target, common.clock, common.timeoutMs, runOptions.signal, attempt),
  };
}

import { createSocket } from 'node:dgram';
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import { NetHealthError } from './errors';
import type { CommonProbeOptions, Probe } from './probe';
import { hostPort, probeLabel, resolveCommonOptions } from './probe-options';
import { runAttempt } from './run-attempt';
import { resolveSourceAddress } from './source-address';
import { booleanOption, integerOption, invalid, portOption, stringOption } from './validate';

export interface DnsProbeOptions extends Omit<CommonProbeOptions, 'family'> {
  /** The resolver to ask: an IP literal. Its family is the probe's family (and `localAddress`'s). */
  server: string;
  /** Default 53. */
  port?: number;
  /** The name to resolve. */
  hostname: string;
  /** Record type to ask for. Default `A`; `AAAA` needs an answer to exist for the name. */
  rrtype?: 'A' | 'AAAA';
  /**
   * Any DNS answer passes, including NXDOMAIN, NODATA, SERVFAIL and REFUSED: the query reached the
   * resolver and its reply came back. Default false (an address record is required).
   */
  anyResponse?: boolean;
  /**
   * Queries sent before giving up, each waiting `timeoutMs / tries`; only an unanswered query is
   * repeated. Default 1:
   * the monitor's next round is the retry, and one lost datagram then costs one round, not a probe.
   */
  tries?: number;
}

/** c-ares codes that are a DNS reply from the server (an rcode or an empty answer), not a transport failure. */
const DNS_REPLY_CODES = new Set(['ENOTFOUND', 'ENODATA', 'ESERVFAIL', 'EREFUSED', 'EFORMERR', 'ENOTIMP']);

/**
 * c-ares hides a failed bind behind ECONNREFUSED; binding a throwaway UDP socket first turns a
 * missing source address into the precise `PROBE_SOURCE_UNAVAILABLE`.
 */
function checkBindable(address: string, family: 4 | 6): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(family === 4 ? 'udp4' : 'udp6');
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind(0, address, () => {
      socket.close();
      resolve();
    });
  });
}

/**
 * A DNS probe: asks one chosen resolver (not the system's) for a name, over UDP, leaving through the
 * chosen source. Uses node:dns `Resolver` (c-ares) with one try; the round is the retry.
 */
export function createDnsProbe(options: DnsProbeOptions): Probe {
  const server = stringOption('dnsProbe.server', options.server);
  const family = isIP(server);
  if (family === 0) throw invalid('dnsProbe.server', 'an IP address literal', server);
  const common = resolveCommonOptions('dnsProbe', options, family as 4 | 6);
  const port = portOption('dnsProbe.port', options.port, 53);
  const hostname = stringOption('dnsProbe.hostname', options.hostname);
  const rrtype = options.rrtype ?? 'A';
  if (rrtype !== 'A' && rrtype !== 'AAAA') throw invalid('dnsProbe.rrtype', 'A or AAAA', rrtype);
  const anyResponse = booleanOption('dnsProbe.anyResponse', options.anyResponse, false);
  const tries = integerOption('dnsProbe.tries', options.tries, 1, 1, 10);
  const serverAddress = hostPort(server, port);
  const target = probeLabel(`dns://${serverAddress}/${hostname}?type=${rrtype}`, common);

  const perTryMs = common.timeoutMs / tries;

  /**
   * One query on a fresh resolver, cut off on the injected clock after `perTryMs`. The retries are
   * ours, not c-ares's: c-ares 1.34 stretches its per-try timeout (300 ms waits ~590 ms, a second
   * try of 500 ms starts at ~1 s), which would make `tries` useless inside a sub-second timeout.
   */
  const queryOnce = async (localAddress: string | undefined, signal: AbortSignal): Promise<void> => {
    const resolver = new dns.Resolver({ timeout: Math.max(1, Math.ceil(perTryMs)), tries: 1 });
    resolver.setServers([serverAddress]);
    if (localAddress != null) {
      if (common.family === 4) resolver.setLocalAddress(localAddress);
      else resolver.setLocalAddress('0.0.0.0', localAddress);
    }
    const timer = new AbortController();
    let timedOut = false;
    const cancel = (): void => resolver.cancel();
    signal.addEventListener('abort', cancel, { once: true });
    common.clock.sleep(perTryMs, timer.signal).then(
      () => {
        timedOut = true;
        resolver.cancel();
      },
      () => {},
    );
    try {
      const answers = rrtype === 'A' ? await resolver.resolve4(hostname) : await resolver.resolve6(hostname);
      if (answers.length === 0) {
        throw new NetHealthError('PROBE_DNS_FAILED', `no ${rrtype} records for ${hostname}`, {
          retryable: true,
        });
      }
    } catch (err) {
      if (timedOut) {
        throw new NetHealthError('PROBE_TIMEOUT', `no DNS answer within ${Math.round(perTryMs)} ms`, {
          cause: err,
        });
      }
      throw err;
    } finally {
      timer.abort();
      signal.removeEventListener('abort', cancel);
    }
  };

  const attempt = async (signal: AbortSignal): Promise<undefined> => {
    const localAddress = resolveSourceAddress(common, common.family);
    if (localAddress != null) await checkBindable(localAddress, common.family);
    for (let attemptNo = 1; ; attemptNo++) {
      signal.throwIfAborted();
      try {
        await queryOnce(localAddress, signal);
        return undefined;
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (anyResponse && typeof code === 'string' && DNS_REPLY_CODES.has(code)) return undefined;
        // Only a lost query is worth repeating; an answer (NXDOMAIN, SERVFAIL…) will not change.
        const lost = NetHealthError.isInstance(err) && err.code === 'PROBE_TIMEOUT';
        if (!lost || attemptNo >= tries) throw err;
      }
    }
  };

  return {
    target,
    timeoutMs: common.timeoutMs,
    run: (runOptions = {}) => runAttempt(target, common.clock, common.timeoutMs, runOptions.signal, attempt),
  };
}

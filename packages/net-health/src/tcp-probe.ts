import { connect } from 'node:net';
import type { CommonProbeOptions, Probe } from './probe';
import { hostPort, probeLabel, resolveCommonOptions } from './probe-options';
import { runAttempt } from './run-attempt';
import { resolveSourceAddress } from './source-address';
import { booleanOption, hostOption, portOption } from './validate';

export interface TcpProbeOptions extends CommonProbeOptions {
  /** Host name or IP literal of `family`. A name is resolved for `family` only. */
  host: string;
  port: number;
  /**
   * Count a refused connection (RST to our SYN) as a pass. The RST came back over the path, so the
   * path works even though nothing listens. Default false: a local firewall `reject` rule also
   * produces a refusal.
   */
  acceptRefused?: boolean;
}

/**
 * A TCP connect probe: passes when the three-way handshake completes, then closes the socket at
 * once. Exercises the same path (and NAT/conntrack state) as real traffic, unlike ICMP.
 */
export function createTcpProbe(options: TcpProbeOptions): Probe {
  const common = resolveCommonOptions('tcpProbe', options);
  const host = hostOption('tcpProbe.host', options.host, common.family);
  const port = portOption('tcpProbe.port', options.port);
  const acceptRefused = booleanOption('tcpProbe.acceptRefused', options.acceptRefused, false);
  const target = probeLabel(`tcp://${hostPort(host, port)}`, common);

  const attempt = (signal: AbortSignal): Promise<number | undefined> => {
    const localAddress = resolveSourceAddress(common, common.family);
    return new Promise<number | undefined>((resolve, reject) => {
      const socket = connect({
        host,
        port,
        family: common.family,
        // Happy eyeballs would silently fall back across families; a probe tests exactly one.
        autoSelectFamily: false,
        ...(localAddress == null ? {} : { localAddress }),
      });
      const done = (): void => {
        signal.removeEventListener('abort', onAbort);
        socket.removeAllListeners('connect');
        socket.on('error', () => {});
        socket.destroy();
      };
      const onAbort = (): void => {
        done();
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', () => {
        done();
        resolve(undefined);
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        done();
        if (acceptRefused && err.code === 'ECONNREFUSED') resolve(undefined);
        else reject(err);
      });
    });
  };

  return {
    target,
    timeoutMs: common.timeoutMs,
    run: (runOptions = {}) => runAttempt(target, common.clock, common.timeoutMs, runOptions.signal, attempt),
  };
}

/**
 * One run of a TCP check (Consul's `CheckTCP.check`): connect to `host:port` within `Timeout` on the
 * emulator clock. Connected is passing with `TCP connect <addr>: Success`; anything else is critical
 * with Go's dial error text.
 */
import net from 'node:net';
import type { TestClock } from '../clock';
import { goDialError, type ProbeResult } from './http-probe';

export async function runTcpProbe(
  target: string,
  timeoutMs: number,
  clock: TestClock,
  signal: AbortSignal,
): Promise<ProbeResult> {
  const at = target.lastIndexOf(':');
  const host = at < 0 ? target : target.slice(0, at).replace(/^\[|\]$/g, '');
  const port = at < 0 ? NaN : Number(target.slice(at + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    return { status: 'critical', output: `dial tcp: address ${target}: missing port in address` };
  }
  return new Promise<ProbeResult>((resolve) => {
    const socket = net.connect({ host, port });
    let settled = false;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clock.clearTimer(timer);
      signal.removeEventListener('abort', onStop);
      socket.destroy();
      resolve(result);
    };
    const timer = clock.setTimer(
      () => finish({ status: 'critical', output: `dial tcp ${target}: i/o timeout` }),
      timeoutMs,
    );
    const onStop = (): void =>
      finish({ status: 'critical', output: `dial tcp ${target}: operation was canceled` });
    signal.addEventListener('abort', onStop, { once: true });
    socket.once('connect', () => finish({ status: 'passing', output: `TCP connect ${target}: Success` }));
    socket.once('error', (err: NodeJS.ErrnoException) =>
      finish({ status: 'critical', output: goDialError(err, target) }),
    );
  });
}

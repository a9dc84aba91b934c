import { spawn } from 'node:child_process';
import { NetHealthError } from './errors';
import { parsePingOutput } from './ping-output';
import type { CommonProbeOptions, Probe } from './probe';
import { probeLabel, resolveCommonOptions } from './probe-options';
import { runAttempt } from './run-attempt';
import { hostOption, invalid } from './validate';

export interface IcmpProbeOptions extends CommonProbeOptions {
  /** Host name or IP literal of `family`. */
  host: string;
  /**
   * The ping command and any leading arguments. Default `['ping']` (iputils), found on a fixed
   * `PATH` of /usr/sbin:/usr/bin:/sbin:/bin. Use e.g. `['ip', 'netns', 'exec', 'ns1', 'ping']` to
   * probe from a network namespace, or an absolute path.
   */
  command?: readonly string[];
}

/** Fixed environment for the child: the C locale keeps the output parseable; nothing is inherited. */
const PING_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C', LANG: 'C' };
const MAX_OUTPUT = 16_384;

/**
 * An ICMP echo probe using the system `ping` from iputils: one echo request per run
 * (`ping -n -c 1 -W <timeout> -4|-6 [-I <source>] <host>`), RTT parsed from its output. `-I` with
 * an interface name binds the device (SO_BINDTODEVICE); with an address it sets the source.
 * README, "The ICMP choice", says why this rather than a raw-socket library.
 */
export function createIcmpProbe(options: IcmpProbeOptions): Probe {
  const common = resolveCommonOptions('icmpProbe', options);
  const host = hostOption('icmpProbe.host', options.host, common.family);
  const command = options.command ?? ['ping'];
  if (
    !Array.isArray(command) ||
    command.length === 0 ||
    command.some((c) => typeof c !== 'string' || c === '')
  ) {
    throw invalid('icmpProbe.command', 'a non-empty array of non-empty strings', JSON.stringify(command));
  }
  const [file, ...prefix] = command as [string, ...string[]];
  const source = common.localAddress ?? common.interface;
  // iputils takes fractional seconds for -W (time to wait for the reply).
  const waitSeconds = (Math.max(common.timeoutMs, 1) / 1000).toFixed(3).replace(/\.?0+$/, '');
  const args = [
    ...prefix,
    '-n',
    '-c',
    '1',
    '-W',
    waitSeconds,
    common.family === 6 ? '-6' : '-4',
    ...(source == null ? [] : ['-I', source]),
    host,
  ];
  const target = probeLabel(`icmp://${host}`, common);

  const attempt = (signal: AbortSignal): Promise<number | undefined> =>
    new Promise<number | undefined>((resolve, reject) => {
      const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: PING_ENV });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        if (stdout.length < MAX_OUTPUT) stdout += d;
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        if (stderr.length < MAX_OUTPUT) stderr += d;
      });
      const onAbort = (): void => {
        child.kill('SIGKILL');
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      child.once('error', (err: NodeJS.ErrnoException) => {
        signal.removeEventListener('abort', onAbort);
        if (err.code === 'ENOENT' || err.code === 'EACCES') {
          reject(
            new NetHealthError(
              'PROBE_PING_UNAVAILABLE',
              `cannot run ${file} (${err.code}): install iputils-ping`,
              {
                cause: err,
              },
            ),
          );
        } else {
          reject(err);
        }
      });
      child.once('close', (exitCode) => {
        signal.removeEventListener('abort', onAbort);
        const outcome = parsePingOutput({ exitCode, stdout, stderr });
        if (outcome.ok) resolve(outcome.rttMs);
        else {
          reject(
            new NetHealthError(outcome.code, outcome.message, {
              retryable: NetHealthError.isRetryableCode(outcome.code),
            }),
          );
        }
      });
    });

  return {
    target,
    timeoutMs: common.timeoutMs,
    run: (runOptions = {}) => runAttempt(target, common.clock, common.timeoutMs, runOptions.signal, attempt),
  };
}

import type { NetHealthErrorCode } from './errors';

export type PingOutcome =
  { ok: true; rttMs: number | undefined } | { ok: false; code: NetHealthErrorCode; message: string };

/**
 * Failure lines printed by iputils `ping` (and busybox), in the C locale, mapped to probe codes.
 * Order matters: the first pattern that matches wins.
 */
const FAILURE_PATTERNS: ReadonlyArray<readonly [RegExp, NetHealthErrorCode]> = [
  // Bad -I: an address not on this host, a device that does not exist.
  [
    /cannot assign requested address|no such device|unknown iface|SO_BINDTODEVICE|invalid source/i,
    'PROBE_SOURCE_UNAVAILABLE',
  ],
  // ICMP errors from a router on the path, or the kernel having no route.
  [
    /destination (host|net|network|port|protocol)? ?unreachable|network is unreachable|no route to host|host prohibited|net prohibited|communication prohibited|time to live exceeded|packet filtered/i,
    'PROBE_UNREACHABLE',
  ],
  // A local netfilter DROP on output (sendmsg EPERM) is a blocked path, not a missing tool.
  [/sendmsg: operation not permitted|sendto: operation not permitted/i, 'PROBE_UNREACHABLE'],
  // No raw or ping socket for this user: a set-up problem, not a path problem.
  [
    /socket: (operation not permitted|permission denied)|you must be root|lacking privilege|raw socket/i,
    'PROBE_PING_UNAVAILABLE',
  ],
  [/temporary failure in name resolution/i, 'PROBE_DNS_FAILED'],
  [/name or service not known|unknown host|no address associated|bad address/i, 'PROBE_NXDOMAIN'],
];

/** The first line matching `re`, trimmed, for the failure message. */
function lineMatching(text: string, re: RegExp): string | undefined {
  return text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => re.test(l));
}

/**
 * Parses one `ping -n -c 1` run. `exitCode` 0 means a reply arrived; iputils exits 1 when no reply
 * arrived (lost, or an ICMP error came back) and 2 on other errors (bad source, unknown host, no route).
 */
export function parsePingOutput(run: {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}): PingOutcome {
  const reply = /bytes from .*?time[=<]\s*([\d.]+)\s*ms/i.exec(run.stdout);
  if (run.exitCode === 0 || reply != null) {
    const rtt = reply?.[1] == null ? undefined : Number(reply[1]);
    return { ok: true, rttMs: rtt != null && Number.isFinite(rtt) ? rtt : undefined };
  }
  const text = `${run.stderr}\n${run.stdout}`;
  for (const [re, code] of FAILURE_PATTERNS) {
    const line = lineMatching(text, re);
    if (line != null) return { ok: false, code, message: line };
  }
  if (run.exitCode === 1) {
    return { ok: false, code: 'PROBE_TIMEOUT', message: 'no echo reply' };
  }
  const first = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
  return {
    ok: false,
    code: 'PROBE_FAILED',
    message: `ping exited with ${run.exitCode ?? 'a signal'}${first == null ? '' : `: ${first}`}`,
  };
}

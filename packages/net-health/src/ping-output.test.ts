import { describe, expect, it } from 'vitest';
import { parsePingOutput } from './ping-output';

// Real iputils 20221126 output (LC_ALL=C), captured in network namespaces.
const REPLY = `PING 127.0.0.1 (127.0.0.1) from 127.0.0.2 : 56(84) bytes of data.
64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.041 ms

--- 127.0.0.1 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = 0.041/0.041/0.041/0.000 ms
`;
const LOST = `PING 10.89.0.1 (10.89.0.1) 56(84) bytes of data.

--- 10.89.0.1 ping statistics ---
1 packets transmitted, 0 received, 100% packet loss, time 0ms
`;
const HOST_UNREACHABLE = `PING 10.89.0.9 (10.89.0.9) 56(84) bytes of data.
From 10.89.0.1 icmp_seq=1 Destination Host Unreachable

--- 10.89.0.9 ping statistics ---
1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms
`;

describe('parsePingOutput', () => {
  it('reads the RTT of a reply', () => {
    expect(parsePingOutput({ exitCode: 0, stdout: REPLY, stderr: '' })).toEqual({ ok: true, rttMs: 0.041 });
    expect(
      parsePingOutput({
        exitCode: 0,
        stdout: '64 bytes from 1.1.1.1: seq=0 ttl=57 time=12.3 ms',
        stderr: '',
      }),
    ).toEqual({ ok: true, rttMs: 12.3 }); // busybox
    expect(parsePingOutput({ exitCode: 0, stdout: 'odd output', stderr: '' })).toEqual({
      ok: true,
      rttMs: undefined,
    });
  });

  it.each([
    ['no reply (exit 1)', 1, LOST, '', 'PROBE_TIMEOUT', 'no echo reply'],
    [
      'ICMP host unreachable',
      1,
      HOST_UNREACHABLE,
      '',
      'PROBE_UNREACHABLE',
      'From 10.89.0.1 icmp_seq=1 Destination Host Unreachable',
    ],
    [
      'no route',
      2,
      '',
      'ping: connect: Network is unreachable\n',
      'PROBE_UNREACHABLE',
      'ping: connect: Network is unreachable',
    ],
    [
      'source not local',
      2,
      '',
      'ping: bind: Cannot assign requested address\n',
      'PROBE_SOURCE_UNAVAILABLE',
      'ping: bind: Cannot assign requested address',
    ],
    [
      'no such interface',
      2,
      '',
      'ping: SO_BINDTODEVICE nosuchif: No such device\n',
      'PROBE_SOURCE_UNAVAILABLE',
      'ping: SO_BINDTODEVICE nosuchif: No such device',
    ],
    [
      'unknown host',
      2,
      '',
      'ping: nosuch.invalid: Name or service not known\n',
      'PROBE_NXDOMAIN',
      'ping: nosuch.invalid: Name or service not known',
    ],
    [
      'resolver down',
      2,
      '',
      'ping: example.com: Temporary failure in name resolution\n',
      'PROBE_DNS_FAILED',
      'ping: example.com: Temporary failure in name resolution',
    ],
    [
      'local firewall drop',
      1,
      'PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.\n',
      'ping: sendmsg: Operation not permitted\n',
      'PROBE_UNREACHABLE',
      'ping: sendmsg: Operation not permitted',
    ],
    [
      'no ICMP socket permission',
      2,
      '',
      'ping: socket: Operation not permitted\n',
      'PROBE_PING_UNAVAILABLE',
      'ping: socket: Operation not permitted',
    ],
    [
      'anything else',
      2,
      '',
      'ping: something new\n',
      'PROBE_FAILED',
      'ping exited with 2: ping: something new',
    ],
    ['killed', null, '', '', 'PROBE_FAILED', 'ping exited with a signal'],
  ])('maps %s to its code', (_label, exitCode, stdout, stderr, code, message) => {
    expect(parsePingOutput({ exitCode, stdout, stderr })).toEqual({ ok: false, code, message });
  });
});

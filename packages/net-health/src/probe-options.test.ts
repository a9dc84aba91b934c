import { describe, expect, it } from 'vitest';
import { createDnsProbe } from './dns-probe';
import { createHttpProbe } from './http-probe';
import { createIcmpProbe } from './icmp-probe';
import { createTcpProbe } from './tcp-probe';

describe('probe options are validated eagerly, naming the option', () => {
  it.each([
    [
      'tcp: no port',
      () => createTcpProbe({ host: '1.1.1.1' } as never),
      /tcpProbe.port must be an integer from 1 to 65535/,
    ],
    [
      'tcp: IPv6 literal in an IPv4 probe',
      () => createTcpProbe({ host: '::1', port: 1 }),
      /tcpProbe.host must be a host name or an IPv4 address \(set family: 6/,
    ],
    [
      'tcp: both sources',
      () => createTcpProbe({ host: 'a', port: 1, localAddress: '10.0.0.1', interface: 'eth0' }),
      /tcpProbe.interface must be unset when localAddress is set/,
    ],
    [
      'tcp: bad family',
      () => createTcpProbe({ host: 'a', port: 1, family: 5 as never }),
      /tcpProbe.family must be 4 or 6/,
    ],
    [
      'tcp: bad interface',
      () => createTcpProbe({ host: 'a', port: 1, interface: 'a very long interface name' }),
      /tcpProbe.interface must be/,
    ],
    [
      'tcp: timeout too long',
      () => createTcpProbe({ host: 'a', port: 1, timeoutMs: 120_000 }),
      /tcpProbe.timeoutMs must be a number of milliseconds from 1 to 60000/,
    ],
    ['http: not a URL', () => createHttpProbe({ url: 'nope' }), /httpProbe.url must be an absolute/],
    [
      'http: ftp URL',
      () => createHttpProbe({ url: 'ftp://example.com/' }),
      /httpProbe.url must be an http: or https: URL/,
    ],
    [
      'http: IPv6 URL in IPv4 probe',
      () => createHttpProbe({ url: 'http://[::1]:80/' }),
      /httpProbe.url must be a host name or an IPv4/,
    ],
    [
      'http: bad status',
      () => createHttpProbe({ url: 'http://a/', expectedStatus: [200, 700] }),
      /httpProbe.expectedStatus\[1\] must be an integer from 100 to 599/,
    ],
    [
      'http: empty status set',
      () => createHttpProbe({ url: 'http://a/', expectedStatus: [] }),
      /httpProbe.expectedStatus must be a non-empty array/,
    ],
    [
      'http: method',
      () => createHttpProbe({ url: 'http://a/', method: 'POST' as never }),
      /httpProbe.method must be GET or HEAD/,
    ],
    [
      'http: source with dispatcher',
      () =>
        createHttpProbe({
          url: 'http://a/',
          dispatcher: { request() {} } as never,
          localAddress: '10.0.0.1',
        }),
      /httpProbe.localAddress must be unset with an injected dispatcher/,
    ],
    [
      'http: not a dispatcher',
      () => createHttpProbe({ url: 'http://a/', dispatcher: {} as never }),
      /httpProbe.dispatcher must be an undici Dispatcher/,
    ],
    [
      'dns: server name',
      () => createDnsProbe({ server: 'dns.google', hostname: 'a' }),
      /dnsProbe.server must be an IP address literal/,
    ],
    [
      'dns: source family',
      () => createDnsProbe({ server: '8.8.8.8', hostname: 'a', localAddress: '::1' }),
      /dnsProbe.localAddress must be an IPv4 address literal/,
    ],
    [
      'dns: rrtype',
      () => createDnsProbe({ server: '8.8.8.8', hostname: 'a', rrtype: 'MX' as never }),
      /dnsProbe.rrtype must be A or AAAA/,
    ],
    [
      'dns: no hostname',
      () => createDnsProbe({ server: '8.8.8.8' } as never),
      /dnsProbe.hostname must be a non-empty string/,
    ],
    [
      'icmp: empty command',
      () => createIcmpProbe({ host: '1.1.1.1', command: [] }),
      /icmpProbe.command must be a non-empty array/,
    ],
    [
      'icmp: whitespace host',
      () => createIcmpProbe({ host: '1.1.1.1 -f' }),
      /icmpProbe.host must be a host name without whitespace/,
    ],
  ])('%s', (_label, make, message) => {
    expect(make).toThrow(message);
    expect(make).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });

  it('expose their timeout so the monitor can check it fits in a round', () => {
    expect(createTcpProbe({ host: 'a', port: 1 }).timeoutMs).toBe(800);
    expect(createIcmpProbe({ host: 'a', timeoutMs: 500 }).timeoutMs).toBe(500);
  });

  it('labels targets by kind, with the source when bound, or by name', () => {
    expect(createTcpProbe({ host: '1.1.1.1', port: 443 }).target).toBe('tcp://1.1.1.1:443');
    expect(createTcpProbe({ host: '::1', port: 443, family: 6 }).target).toBe('tcp://[::1]:443');
    expect(createHttpProbe({ url: 'http://example.com/x?y=1', interface: 'eth1' }).target).toBe(
      'http://example.com/x?y=1 from eth1',
    );
    expect(createDnsProbe({ server: '9.9.9.9', hostname: 'example.com' }).target).toBe(
      'dns://9.9.9.9:53/example.com?type=A',
    );
    expect(createIcmpProbe({ host: '1.1.1.1', localAddress: '10.0.0.1' }).target).toBe(
      'icmp://1.1.1.1 from 10.0.0.1',
    );
    expect(createIcmpProbe({ host: '1.1.1.1', name: 'cloudflare-icmp' }).target).toBe('cloudflare-icmp');
  });
});

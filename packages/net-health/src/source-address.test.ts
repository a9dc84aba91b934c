import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { resolveSourceAddress } from './source-address';

const info = (address: string, family: 'IPv4' | 'IPv6'): NetworkInterfaceInfo =>
  ({ address, family, netmask: '', mac: '', internal: false, cidr: null }) as NetworkInterfaceInfo;

const ifaces = () => ({
  eth1: [
    info('fe80::1', 'IPv6'),
    info('2001:db8::5', 'IPv6'),
    info('10.0.1.5', 'IPv4'),
    info('10.0.1.6', 'IPv4'),
  ],
  eth2: [info('fe80::2', 'IPv6')],
});

describe('resolveSourceAddress', () => {
  it('returns localAddress as given, or nothing when unbound', () => {
    expect(resolveSourceAddress({ localAddress: '10.0.0.9', interface: undefined }, 4, ifaces)).toBe(
      '10.0.0.9',
    );
    expect(
      resolveSourceAddress({ localAddress: undefined, interface: undefined }, 4, ifaces),
    ).toBeUndefined();
  });

  it("binds the interface's first address of the family, skipping IPv6 link-local", () => {
    expect(resolveSourceAddress({ localAddress: undefined, interface: 'eth1' }, 4, ifaces)).toBe('10.0.1.5');
    expect(resolveSourceAddress({ localAddress: undefined, interface: 'eth1' }, 6, ifaces)).toBe(
      '2001:db8::5',
    );
  });

  it('fails with PROBE_SOURCE_UNAVAILABLE for a missing interface or address', () => {
    expect(() => resolveSourceAddress({ localAddress: undefined, interface: 'eth9' }, 4, ifaces)).toThrow(
      expect.objectContaining({ code: 'PROBE_SOURCE_UNAVAILABLE', message: 'interface eth9 does not exist' }),
    );
    expect(() => resolveSourceAddress({ localAddress: undefined, interface: 'eth2' }, 6, ifaces)).toThrow(
      expect.objectContaining({
        code: 'PROBE_SOURCE_UNAVAILABLE',
        message: 'interface eth2 has no global IPv6 address',
      }),
    );
    expect(() => resolveSourceAddress({ localAddress: undefined, interface: 'eth2' }, 4, ifaces)).toThrow(
      /has no IPv4 address/,
    );
  });
});

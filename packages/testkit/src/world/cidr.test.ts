import { describe, expect, it } from 'vitest';
import { availableIpv4Count, ipv4CidrWithin, ipv4InCidr, isIpv4, isIpv4Cidr, isIpv6Cidr } from './cidr';

describe('cidr', () => {
  it('accepts dotted quads and rejects everything else', () => {
    expect(isIpv4('10.0.1.10')).toBe(true);
    expect(isIpv4('0.0.0.0')).toBe(true);
    for (const bad of ['10.0.1', '10.0.1.256', '10.0.01.1', '10.0.1.1 ', 'a.b.c.d', ''])
      expect(isIpv4(bad)).toBe(false);
  });

  it('accepts IPv4 CIDRs with a 0–32 prefix (rule 23 decides malformed CIDRs with this)', () => {
    expect(isIpv4Cidr('0.0.0.0/0')).toBe(true);
    expect(isIpv4Cidr('10.0.0.0/16')).toBe(true);
    for (const bad of ['10.0.0.0', '10.0.0.0/33', '10.0.0.0/-1', '10.0.0/8', '0.0.0.0/0/0', 'x/8']) {
      expect(isIpv4Cidr(bad)).toBe(false);
    }
  });

  it('answers membership and containment', () => {
    expect(ipv4InCidr('10.0.1.10', '10.0.1.0/24')).toBe(true);
    expect(ipv4InCidr('10.0.2.10', '10.0.1.0/24')).toBe(false);
    expect(ipv4InCidr('8.8.8.8', '0.0.0.0/0')).toBe(true);
    expect(ipv4CidrWithin('10.0.1.0/24', '10.0.0.0/16')).toBe(true);
    expect(ipv4CidrWithin('10.1.1.0/24', '10.0.0.0/16')).toBe(false);
    expect(ipv4CidrWithin('10.0.0.0/8', '10.0.0.0/16')).toBe(false);
    expect(availableIpv4Count('10.0.1.0/24')).toBe(251);
  });

  it('checks IPv6 CIDR syntax', () => {
    expect(isIpv6Cidr('::/0')).toBe(true);
    expect(isIpv6Cidr('2600:1f18:abcd::/56')).toBe(true);
    expect(isIpv6Cidr('1:2:3:4:5:6:7:8/128')).toBe(true);
    for (const bad of ['::', '::/129', '1::2::3/64', '12345::/64', 'g::/64', '1:2:3:4:5:6:7/64'])
      expect(isIpv6Cidr(bad)).toBe(false);
  });
});

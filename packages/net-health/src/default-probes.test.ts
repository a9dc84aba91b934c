import { describe, expect, it } from 'vitest';
import { createDefaultProbes, DEFAULT_TARGETS } from './default-probes';

describe('createDefaultProbes', () => {
  it('is IPv4-only by default: four TCP 443 targets run by four different operators', () => {
    const probes = createDefaultProbes();
    expect(probes.map((p) => p.target)).toEqual([
      'tcp://1.1.1.1:443',
      'tcp://8.8.8.8:443',
      'tcp://9.9.9.9:443',
      'tcp://208.67.222.222:443',
    ]);
    const operators = new Set(DEFAULT_TARGETS.filter((t) => t.family === 4).map((t) => t.operator));
    expect(operators.size).toBe(4);
  });

  it('adds the IPv6 targets only when asked', () => {
    const probes = createDefaultProbes({
      ipv6: true,
      localAddress: '10.0.1.5',
      localAddress6: '2001:db8::5',
    });
    expect(probes).toHaveLength(8);
    expect(probes[0]!.target).toBe('tcp://1.1.1.1:443 from 10.0.1.5');
    expect(probes[4]!.target).toBe('tcp://[2606:4700:4700::1111]:443 from 2001:db8::5');
  });

  it('binds an interface and validates its options', () => {
    expect(createDefaultProbes({ interface: 'eth1' })[0]!.target).toBe('tcp://1.1.1.1:443 from eth1');
    expect(() => createDefaultProbes({ localAddress6: '2001:db8::5' })).toThrow(
      /localAddress6 must be unset unless ipv6/,
    );
    expect(() => createDefaultProbes({ localAddress: '2001:db8::5' })).toThrow(
      /tcpProbe.localAddress must be an IPv4/,
    );
    expect(() => createDefaultProbes({ timeoutMs: 0 })).toThrow(/tcpProbe.timeoutMs must be/);
  });
});

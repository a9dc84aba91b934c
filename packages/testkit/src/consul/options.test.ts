import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../clock';
import { CONSUL_DEFAULTS, defaultFailureDetectionMs, resolveConsulOptions } from './options';

describe('resolveConsulOptions', () => {
  it('fills in the documented defaults', () => {
    const o = resolveConsulOptions();
    expect(o.nodes).toEqual([{ name: 'node1', address: '127.0.0.10' }]);
    expect(o).toMatchObject({
      datacenter: 'dc1',
      host: '127.0.0.1',
      rpcHoldTimeoutMs: CONSUL_DEFAULTS.rpcHoldTimeoutMs,
      sessionTtlMinMs: 10_000,
      minCheckIntervalMs: 1000,
      agentErrorStyle: 'server',
      kvMaxValueSizeBytes: 524_288,
      failureDetectionMs: undefined,
    });
  });

  it('gives nodes distinct loopback addresses unless told otherwise', () => {
    const clock = createVirtualClock(0);
    const o = resolveConsulOptions({ nodes: ['a', { name: 'b', address: '10.0.0.5' }, 'c'], clock });
    expect(o.nodes.map((n) => n.address)).toEqual(['127.0.0.10', '10.0.0.5', '127.0.0.11']);
    expect(o.clock).toBe(clock);
  });

  it('names the option in every validation error', () => {
    expect(() => resolveConsulOptions({ failureDetectionMs: Number.NaN })).toThrow(/failureDetectionMs/);
    expect(() => resolveConsulOptions({ nodes: [{ name: 'x', address: '0.0.0.0' }] })).toThrow(/address/);
    expect(() => resolveConsulOptions({ maxQueryTimeMs: 0 })).toThrow(/maxQueryTimeMs/);
  });
});

describe('defaultFailureDetectionMs', () => {
  it('is probe time plus memberlist’s minimum suspicion timeout (spec §8.6)', () => {
    expect(defaultFailureDetectionMs(3)).toBe(6000);
    expect(defaultFailureDetectionMs(1000)).toBe(14_000);
  });
});

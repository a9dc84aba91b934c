import { describe, expect, it } from 'vitest';
import { REALISTIC_LATENCY, latencyFor, resolveLatency } from './latency';

describe('latency', () => {
  it('the realistic preset: describe ~80 ms, mutate ~150 ms', () => {
    const l = resolveLatency('realistic');
    expect(l).toBe(REALISTIC_LATENCY);
    expect(latencyFor(l, 'DescribeRouteTables', false)).toBe(80);
    expect(latencyFor(l, 'ReplaceRoute', true)).toBe(150);
  });

  it('per-action overrides win; none is zero', () => {
    const l = resolveLatency({ mutateMs: 100, actions: { ReplaceRoute: 400 } });
    expect(latencyFor(l, 'ReplaceRoute', true)).toBe(400);
    expect(latencyFor(l, 'CreateRoute', true)).toBe(100);
    expect(latencyFor(resolveLatency('none'), 'ReplaceRoute', true)).toBe(0);
  });

  it('rejects negative or unknown settings', () => {
    expect(() => resolveLatency({ describeMs: -1 })).toThrow(/describeMs/);
    expect(() => resolveLatency('slow' as never)).toThrow(/latency/);
  });
});

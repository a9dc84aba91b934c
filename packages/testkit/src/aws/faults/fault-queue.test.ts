import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../clock';
import { FaultQueue } from './fault-queue';

describe('FaultQueue', () => {
  it('rule 12: applies to exactly the next N matching calls, oldest fault first', () => {
    const clock = createVirtualClock();
    const q = new FaultQueue(() => clock.now());
    q.add({ action: 'ReplaceRoute', count: 2, code: 'RequestLimitExceeded' });
    q.add({ action: '*', code: 'InternalError' });
    expect(q.take('DescribeRouteTables', null)?.code).toBe('InternalError');
    expect(q.take('DescribeRouteTables', null)).toBeUndefined();
    expect(q.take('ReplaceRoute', null)?.code).toBe('RequestLimitExceeded');
    expect(q.take('ReplaceRoute', null)?.code).toBe('RequestLimitExceeded');
    expect(q.take('ReplaceRoute', null)).toBeUndefined();
  });

  it('matches a calling instance and expires duration faults on the clock', async () => {
    const clock = createVirtualClock();
    const q = new FaultQueue(() => clock.now());
    q.add({ action: 'ReplaceRoute', durationMs: 1000, code: 'Unavailable', callerInstanceId: 'i-1' });
    expect(q.take('ReplaceRoute', 'i-2')).toBeUndefined();
    expect(q.take('ReplaceRoute', 'i-1')?.code).toBe('Unavailable');
    expect(q.take('ReplaceRoute', 'i-1')?.code).toBe('Unavailable');
    expect(q.pending()).toHaveLength(1);
    await clock.advance(1000);
    expect(q.take('ReplaceRoute', 'i-1')).toBeUndefined();
    expect(q.pending()).toEqual([]);
  });

  it('validates specs, naming the field', () => {
    const q = new FaultQueue(() => 0);
    expect(() => q.add({ action: 'X' })).toThrow(/exactly one of 'code', 'hang: true' or 'delayMs'/);
    expect(() => q.add({ action: 'X', code: 'A', count: 0 })).toThrow(/'count'/);
    expect(() => q.add({ action: 'X', code: 'A', status: 200 })).toThrow(/'status'/);
    expect(() => q.add({ action: '', code: 'A' })).toThrow(/'action'/);
  });
});

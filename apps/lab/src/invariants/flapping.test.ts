import { describe, expect, it } from 'vitest';
import { createEc2Journal } from '../testing/journal-builders';
import { checkFlapping, countMoves } from './flapping';

const groups = [{ name: 'vpc', key: 'k', tableIds: ['rtb-1', 'rtb-2'] }];

describe('invariant 3: no more route moves than faults', () => {
  it('counts a claim over every table as one move', () => {
    const ec2 = createEc2Journal();
    ec2.replaceRoute({ caller: 'i-b', table: 'rtb-1', eni: 'eni-b', receivedAt: 1_000 });
    ec2.replaceRoute({ caller: 'i-b', table: 'rtb-2', eni: 'eni-b', receivedAt: 1_001 });
    const input = {
      groups,
      ec2Journal: ec2.entries,
      window: { from: 0, to: 10_000 },
      initialTargets: new Map([['vpc', 'eni-a']]),
    };
    expect(countMoves(input)).toEqual([{ group: 'vpc', moves: 1, targets: ['eni-b'] }]);
    expect(checkFlapping({ ...input, faults: 1 }).ok).toBe(true);
  });

  it('flags a flap: A → B → A → B for one fault', () => {
    const ec2 = createEc2Journal();
    for (const [t, eni] of [
      [1_000, 'eni-b'],
      [2_000, 'eni-a'],
      [3_000, 'eni-b'],
    ] as const) {
      ec2.replaceRoute({ caller: 'i-x', table: 'rtb-1', eni, receivedAt: t });
    }
    const r = checkFlapping({
      groups,
      ec2Journal: ec2.entries,
      window: { from: 0, to: 10_000 },
      initialTargets: new Map([['vpc', 'eni-a']]),
      faults: 1,
    });
    expect(r.ok).toBe(false);
    expect(r.violations[0]?.message).toBe(
      'group vpc: 3 route moves (eni-b → eni-a → eni-b) for 1 fault (allowed 1)',
    );
  });

  it('rewrites of the same target (drift repair, verification) are not moves; rescue doubles the allowance', () => {
    const ec2 = createEc2Journal();
    ec2.replaceRoute({ caller: 'i-a', table: 'rtb-1', eni: 'eni-a', receivedAt: 1_000 });
    ec2.replaceRoute({ caller: 'i-b', table: 'rtb-1', eni: 'eni-b', receivedAt: 2_000 });
    ec2.replaceRoute({ caller: 'i-a', table: 'rtb-1', eni: 'eni-a', receivedAt: 3_000 });
    const input = {
      groups,
      ec2Journal: ec2.entries,
      window: { from: 0, to: 10_000 },
      initialTargets: new Map([['vpc', 'eni-a']]),
      faults: 1,
    };
    expect(checkFlapping(input).ok).toBe(false);
    expect(checkFlapping({ ...input, movesPerFault: 2 }).ok).toBe(true);
  });
});

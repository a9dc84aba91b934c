import { describe, expect, it } from 'vitest';
import { checkConvergence, convergenceBoundMs, type BoundTiming, type GroupState } from './convergence';

const group = { name: 'vpc', key: 'k', tableIds: ['rtb-1', 'rtb-2'] };
const eniOf = (id: string) => ({ 'i-a': 'eni-a', 'i-b': 'eni-b' })[id];

function state(over: Partial<GroupState> = {}): GroupState {
  return {
    group,
    holder: 'i-b',
    routes: new Map([
      ['rtb-1', { target: 'eni-b', state: 'active' }],
      ['rtb-2', { target: 'eni-b', state: 'active' }],
    ]),
    claimedBy: ['i-b'],
    ...over,
  };
}

const base = {
  eniOf,
  healthy: new Set(['i-a', 'i-b']),
  quietAt: 10_000,
  convergedAt: 12_000,
  boundMs: 5_000,
};

describe('invariant 2: convergence to one healthy leader with all its routes', () => {
  it('passes a converged group within the bound', () => {
    expect(checkConvergence({ ...base, groups: [state()] })).toEqual({
      name: 'convergence',
      ok: true,
      checked: 1,
      violations: [],
    });
  });

  it('flags a group without a leader', () => {
    const r = checkConvergence({ ...base, groups: [state({ holder: null })] });
    expect(r.violations.map((v) => v.message)).toEqual(['group vpc has no leader']);
  });

  it('flags an unhealthy leader', () => {
    const r = checkConvergence({ ...base, healthy: new Set(['i-a']), groups: [state()] });
    expect(r.violations[0]?.message).toMatch(/leader i-b is not healthy/);
  });

  it('flags a table that points elsewhere or is blackhole', () => {
    const r = checkConvergence({
      ...base,
      groups: [
        state({
          routes: new Map([
            ['rtb-1', { target: 'eni-a', state: 'active' }],
            ['rtb-2', { target: 'eni-b', state: 'blackhole' }],
          ]),
        }),
      ],
    });
    expect(r.violations.map((v) => v.message)).toEqual([
      "group vpc: rtb-1 points at eni-a, not at leader i-b's ENI eni-b",
      'group vpc: rtb-2 → eni-b is blackhole',
    ]);
  });

  it('flags a second agent that believes it leads', () => {
    const r = checkConvergence({ ...base, groups: [state({ claimedBy: ['i-a', 'i-b'] })] });
    expect(r.violations[0]?.message).toMatch(/i-a believes to lead, but i-b holds the lock/);
  });

  it('flags convergence beyond the bound, and no convergence at all', () => {
    expect(
      checkConvergence({ ...base, convergedAt: 16_000, groups: [state()] }).violations[0]?.message,
    ).toMatch(/converged 6000 ms after .* beyond the bound of 5000 ms/);
    expect(
      checkConvergence({ ...base, convergedAt: null, groups: [state()] }).violations[0]?.message,
    ).toMatch(/not converged within 5000 ms/);
  });
});

describe('convergenceBoundMs (docs/safety.md derivations)', () => {
  const t: BoundTiming = {
    fenceAfterMs: 500,
    maxWriteMs: 800,
    lockDelayMs: 1_500,
    checkIntervalMs: 1_000,
    checkTimeoutMs: 800,
    crashDetectionMs: 1_800,
    lockRetryMs: 0,
    failureDetectionMs: 6_000,
    rpcHoldTimeoutMs: 7_000,
    healthRiseMs: 3_000,
    healthFallMs: 2_000,
    agentStartMs: 2_000,
    claimMs: 1_000,
    slackMs: 0,
  };

  it('a crash: restart + rise + lock-delay + claim dominates the liveness path', () => {
    expect(convergenceBoundMs(new Set(['kill']), t)).toBe(2_000 + 3_000 + 1_500 + 1_000);
  });

  it('a partition: gossip detection + lock-delay + claim, plus a restart allowance', () => {
    expect(convergenceBoundMs(new Set(['partition']), t)).toBe(6_000 + 1_500 + 1_000 + 5_000);
  });

  it('takes the slowest path over the kinds, and adds the slack once', () => {
    const both = convergenceBoundMs(new Set(['kill', 'consul-leader-loss']), { ...t, slackMs: 500 });
    expect(both).toBe(7_000 + 1_500 + 1_000 + 3_000 + 500);
  });

  it("with Consul's default lock settings a crash is found by the TTL and retried on a 5 s grid", () => {
    const consulDefaults = { ...t, lockDelayMs: 15_000, crashDetectionMs: 30_000, lockRetryMs: 5_000 };
    expect(convergenceBoundMs(new Set(['kill']), consulDefaults)).toBe(30_000 + 15_000 + 5_000 + 1_000);
  });

  it('with no fault, only settling time', () => {
    expect(convergenceBoundMs(new Set(), t)).toBe(1_000 + 2_000 + 1_500);
  });
});

import { describe, expect, it } from 'vitest';
import { CHAOS_FAULT_KINDS, describeSchedule, generateSchedule, parseFaultKinds } from './schedule';

describe('generateSchedule', () => {
  it('is a pure function of the seed (a failing seed replays the same faults)', () => {
    expect(generateSchedule(1234)).toEqual(generateSchedule(1234));
    expect(describeSchedule(generateSchedule(99))).toBe(describeSchedule(generateSchedule(99)));
  });

  it('differs between seeds', () => {
    const seen = new Set(Array.from({ length: 20 }, (_, i) => describeSchedule(generateSchedule(i))));
    expect(seen.size).toBeGreaterThan(15);
  });

  it('keeps the fault count in range, times increasing, cluster faults without an instance target', () => {
    for (let seed = 0; seed < 200; seed++) {
      const s = generateSchedule(seed, { minFaults: 2, maxFaults: 4 });
      expect(s.faults.length).toBeGreaterThanOrEqual(2);
      expect(s.faults.length).toBeLessThanOrEqual(4);
      for (let i = 1; i < s.faults.length; i++)
        expect(s.faults[i]!.atMs).toBeGreaterThan(s.faults[i - 1]!.atMs);
      for (const f of s.faults) {
        const cluster = ['consul-leader-loss', 'ec2-throttle', 'ec2-5xx'].includes(f.kind);
        expect(f.target === 'cluster').toBe(cluster);
      }
      expect(s.endMs).toBe(Math.max(...s.faults.map((f) => f.atMs + f.durationMs)));
    }
  });

  it('always pauses longer than the lease, even when time is scaled down', () => {
    for (let seed = 0; seed < 300; seed++) {
      for (const f of generateSchedule(seed, { kinds: ['pause'], timeScale: 0.1, leaseMs: 500 }).faults) {
        expect(f.durationMs).toBeGreaterThan(500);
      }
    }
  });

  it('uses every kind over enough seeds, and only the kinds asked for', () => {
    const kinds = new Set<string>();
    for (let seed = 0; seed < 300; seed++) for (const f of generateSchedule(seed).faults) kinds.add(f.kind);
    expect([...kinds].sort()).toEqual([...CHAOS_FAULT_KINDS].sort());
    for (let seed = 0; seed < 50; seed++) {
      for (const f of generateSchedule(seed, { kinds: ['kill', 'spot'] }).faults)
        expect(['kill', 'spot']).toContain(f.kind);
    }
  });

  it('rejects impossible options, naming them', () => {
    expect(() => generateSchedule(1, { minFaults: 3, maxFaults: 2 })).toThrow(/1 ≤ min ≤ max/);
    expect(() => generateSchedule(1, { timeScale: 0 })).toThrow(/timeScale/);
  });
});

describe('parseFaultKinds', () => {
  it('parses a comma-separated list and rejects unknown names', () => {
    expect(parseFaultKinds('kill, pause')).toEqual(['kill', 'pause']);
    expect(() => parseFaultKinds('kill,meteor')).toThrow(/unknown fault 'meteor'/);
  });
});

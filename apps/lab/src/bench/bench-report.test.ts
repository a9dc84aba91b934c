import { describe, expect, it } from 'vitest';
import { summarize } from '../util/stats';
import { judgeTargets, renderMarkdown, type BenchResults } from './bench-report';

function results(over: Partial<BenchResults> = {}): Omit<BenchResults, 'targets'> {
  const scenario = (name: string, values: number[]) => ({
    name,
    runs: values.length,
    failures: 0,
    failoverMs: summarize(values),
    ec2CallsPerFailover: summarize(values.map(() => 8)),
    expectation: 'x',
    problems: [],
  });
  return {
    version: 1,
    date: '2026-11-26T12:00:00.000Z',
    command: 'pnpm bench',
    quick: false,
    durationS: 1800,
    machine: {
      nproc: 2,
      cpu: 'Test CPU',
      memoryGiB: 8,
      node: '20.20.2',
      kernel: '6.1',
      loadAverage: [1, 1, 1],
    },
    config: { latency: 'realistic', dataplane: false, notes: [] },
    scenarios: [
      scenario('graceful', [250, 300, 480]),
      scenario('crash', [1_900, 2_100, 2_900]),
      scenario('health', [1_700, 1_800, 3_600]),
    ],
    baseline: {
      profile: 'Consul defaults',
      complete: true,
      settings: 's',
      scenarios: [scenario('crash', [40_000])],
      crashRatio: { p50: 40_000 / 2_100, p95: 40_000 / 2_900 },
    },
    scaling: {
      tables: [
        {
          tables: 100,
          runs: 1,
          claimMs: summarize([12_500]),
          failoverMs: summarize([12_600]),
          bucketLimitMs: 10_150,
          writes: summarize([100]),
          throttled: summarize([0]),
        },
      ],
      candidates: [],
    },
    steadyState: {
      windowS: 300,
      ec2Calls: 20,
      byAction: { DescribeRouteTables: 20 },
      perHour: 240,
      agents: 3,
    },
    footprint: {
      windowS: 300,
      agents: [{ name: 'nat-a', rssMiB: 55, pssMiB: 30, ussMiB: 22, cpuPercent: 0.3 }],
      maxRssMiB: 55,
      maxCpuPercent: 0.3,
    },
    ...over,
  };
}

describe('judgeTargets', () => {
  it("judges each of the brief's targets from the measured values", () => {
    const t = judgeTargets(results());
    const met = Object.fromEntries(t.map((x) => [x.name, x.met]));
    expect(met).toEqual({
      'graceful p95': true,
      'crash p95': true,
      'health p95': false, // 3.6 s > 3.5 s
      'crash vs Consul defaults': true,
      '100-table claim': false, // 12.5 s is 1.23× the bucket limit
      'agent RSS': true, // 55 MiB = 57.7 MB
      'idle CPU': true,
    });
  });

  it('says "not measured" rather than passing a target without data', () => {
    const t = judgeTargets(
      results({ footprint: null, baseline: null, scaling: { tables: [], candidates: [] } }),
    );
    for (const name of ['agent RSS', 'idle CPU', 'crash vs Consul defaults', '100-table claim']) {
      expect(t.find((x) => x.name === name)?.met).toBeNull();
    }
  });
});

describe('renderMarkdown', () => {
  it('writes the machine, the command, every scenario row, the baseline ratio and the targets', () => {
    const r = results();
    const md = renderMarkdown({ ...r, targets: judgeTargets(r) });
    expect(md).toContain('with `pnpm bench` in 30 min');
    expect(md).toContain('2 CPU(s), Test CPU, 8.0 GiB memory');
    expect(md).toMatch(/\| `crash` \| 3\/3 \| 2100 ms \| 2900 ms \| 2900 ms \| 8 \|/);
    expect(md).toContain('**19.0×** at p50');
    expect(md).toMatch(/\| 100 \| 1 \| 12\.5 s \| 12\.5 s \| 12\.6 s \| 10\.2 s \| 1\.23 \|/);
    expect(md).toContain('**240 per hour**');
    expect(md).toMatch(/\| nat-a \| 55\.0 MiB \| 30\.0 MiB \| 22\.0 MiB \| 0\.30 % of a core \|/);
    expect(md).toMatch(/\| health p95 \| ≤ 3\.5 s \| 3600 ms \| \*\*no\*\* \|/);
  });

  it('adds outage columns only in dataplane mode', () => {
    const r = results();
    expect(renderMarkdown({ ...r, targets: [] })).not.toContain('outage p50');
    const withOutage = { ...r, scenarios: r.scenarios.map((s) => ({ ...s, outageMs: summarize([0, 5]) })) };
    expect(renderMarkdown({ ...withOutage, targets: [] })).toContain('outage p50');
  });
});

/**
 * A short fault campaign on the built lab (`pnpm chaos --runs 20 --seed 1`): seeded faults over
 * three real agents, every run checked against the journals for the four invariants. Asserts that
 * the campaign passed and was not vacuous (faults injected, writes checked); never timing.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLab, tail } from './support/run-lab';

interface Campaign {
  ok: boolean;
  seed: number;
  runs: {
    seed: number;
    ok: boolean;
    applied: { fault: { kind: string }; skipped?: string }[];
    invariants: { name: string; ok: boolean; checked: number; violations: { message: string }[] }[];
    errors: string[];
  }[];
}

describe('pnpm chaos --runs 20 --seed 1', () => {
  it('keeps every invariant through seeded kills, pauses, partitions, Consul and EC2 faults', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lab-chaos-test-'));
    const failures = join(dir, 'failures.jsonl');
    try {
      const run = await runLab(
        ['chaos', '--runs', '20', '--seed', '1', '--json', '--failures', failures],
        360_000,
      );
      const c = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as Campaign;
      const problems = (c.runs ?? [])
        .filter((r) => !r.ok)
        .map(
          (r) =>
            `seed ${r.seed}: ${[...r.errors, ...r.invariants.flatMap((i) => i.violations.map((v) => `${i.name}: ${v.message}`))].join('; ')}`,
        );
      expect(problems, tail(run.stderr)).toEqual([]);
      expect(run.code).toBe(0);
      expect(c.ok).toBe(true);
      expect(c.runs).toHaveLength(20);
      expect(c.runs.map((r) => r.seed)).toEqual(Array.from({ length: 20 }, (_, i) => 1 + i));
      // Not vacuous: many faults of many kinds fired, and route writes were checked against leases.
      const fired = c.runs.flatMap((r) =>
        r.applied.filter((a) => a.skipped == null).map((a) => a.fault.kind),
      );
      expect(fired.length).toBeGreaterThanOrEqual(20);
      expect(new Set(fired).size).toBeGreaterThanOrEqual(6);
      const writesChecked = c.runs.reduce(
        (n, r) => n + (r.invariants.find((i) => i.name === 'lease-writes')?.checked ?? 0),
        0,
      );
      expect(writesChecked).toBeGreaterThan(0);
      for (const r of c.runs)
        expect(r.invariants.map((i) => i.name)).toEqual([
          'lease-writes',
          'convergence',
          'no-flapping',
          'no-agent-crash',
        ]);
      // Nothing failed, so nothing was written for replay.
      await expect(readFile(failures, 'utf8')).rejects.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

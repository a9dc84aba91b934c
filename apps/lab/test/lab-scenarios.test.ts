/**
 * The README's lab, end to end: the built lab (`node dist/lab.js`, as `pnpm lab` runs it) starts the
 * emulators and three real nat-agent processes, injects one fault into the leader and judges the
 * failover from the journals. Asserts success and the invariants — never timing.
 */
import { describe, expect, it } from 'vitest';
import { runLab, tail } from './support/run-lab';

interface Result {
  scenario: string;
  success: boolean;
  leaderBefore: { instanceId: string; eni: string } | null;
  leaderAfter: { instanceId: string; eni: string } | null;
  timings: { failoverMs: number | null };
  routes: { routeTableId: string; before: string | null; after: string | null }[];
  ec2Calls: { total: number; mutating: number };
  invariants: { name: string; ok: boolean; checked: number; violations: unknown[] }[];
  errors: string[];
}

describe.each(['crash', 'graceful'] as const)('pnpm lab --scenario %s --json', (scenario) => {
  it('moves every route to another instance, under a lease, with no agent crash, and prints one JSON document', async () => {
    const run = await runLab(['--scenario', scenario, '--json'], 180_000);
    expect(run.code, tail(run.stderr)).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines, 'stdout carries exactly one JSON line').toHaveLength(1);
    const r = JSON.parse(lines[0]!) as Result;
    expect(r.scenario).toBe(scenario);
    expect(r.success, JSON.stringify(r, null, 2)).toBe(true);
    expect(r.errors).toEqual([]);
    expect(r.leaderAfter).not.toBeNull();
    expect(r.leaderAfter?.instanceId).not.toBe(r.leaderBefore?.instanceId);
    expect(r.timings.failoverMs).not.toBeNull();
    expect(r.routes.length).toBeGreaterThan(0);
    for (const route of r.routes) {
      expect(route.before).toBe(r.leaderBefore?.eni);
      expect(route.after).toBe(r.leaderAfter?.eni);
    }
    expect(r.ec2Calls.mutating).toBeGreaterThanOrEqual(r.routes.length);
    expect(r.invariants.map((i) => i.name)).toEqual([
      'lease-writes',
      'convergence',
      'no-flapping',
      'no-agent-crash',
    ]);
    for (const inv of r.invariants) expect(inv, inv.name).toMatchObject({ ok: true, violations: [] });
    // The route writes of the takeover were checked against the lock holders, not skipped.
    expect(r.invariants[0]?.checked).toBeGreaterThanOrEqual(r.routes.length);
  });
});

describe('pnpm lab (the README first command) without a terminal', () => {
  it('starts the VPC, runs the guided demo (crash, then spot), reports both failovers and exits 0', async () => {
    const run = await runLab([], 240_000);
    expect(run.code, tail(run.stderr + run.stdout)).toBe(0);
    expect(run.stdout).not.toContain('✗');
    // The closing summary: both steps measured, each from one instance to another, with their phases.
    const marker = 'nat-ha-lab: guided demo passed\n';
    expect(run.stdout).toContain(marker);
    const summary = run.stdout.slice(run.stdout.lastIndexOf(marker) + marker.length);
    expect(summary).toMatch(/^✓ crash: nat-[a-c] → nat-[a-c] in /m);
    expect(summary).toMatch(/^✓ spot: nat-[a-c] → nat-[a-c] in /m);
    expect(summary.match(/lock freed .*, acquired .*, first route write .*, all routes /g)).toHaveLength(2);
  });
});

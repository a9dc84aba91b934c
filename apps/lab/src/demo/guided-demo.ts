/**
 * The guided demo `pnpm lab` runs once the VPC is up: kill the leader (SIGKILL) and watch the
 * takeover, bring it back (it rejoins as a follower: no pre-emption, no flapping), send a spot notice
 * to the new leader and watch the drain, replace the drained instance. Each failover is measured from
 * the journals and checked against the invariants.
 */
import { describeError } from '../errors';
import type { Lab } from '../lab/lab';
import { runScenario, type ScenarioResult } from '../scenarios/run-scenario';
import type { ScenarioName } from '../scenarios/scenarios';
import { sleep } from '../util/wait';
import type { LiveView } from '../view/live-view';
import { formatMs, type FailoverSummary } from '../view/render';

export function summarize(result: ScenarioResult): FailoverSummary {
  return {
    scenario: result.scenario,
    from: result.leaderBefore?.name ?? '?',
    to: result.leaderAfter?.name ?? null,
    failoverMs: result.timings.failoverMs,
    lockFreedMs: result.timings.lockFreedMs,
    acquiredMs: result.timings.acquiredMs,
    ok: result.success,
  };
}

/** Two or three lines a person reads after a scenario. */
export function describeResult(r: ScenarioResult): string {
  const t = r.timings;
  const head = r.success
    ? `✓ ${r.scenario}: ${r.leaderBefore?.name ?? '?'} → ${r.leaderAfter?.name ?? '?'} in ${formatMs(t.failoverMs)}`
    : `✗ ${r.scenario}: FAILED${r.timings.failoverMs == null ? '' : ` (failover ${formatMs(t.failoverMs)})`}`;
  const phases = `  lock freed ${formatMs(t.lockFreedMs)} (${r.lockFreedBy ?? '?'}), acquired ${formatMs(t.acquiredMs)}, first route write ${formatMs(t.firstWriteMs)}, all routes ${formatMs(t.convergedMs)}; ${r.ec2Calls.total} EC2 calls (${r.ec2Calls.mutating} writes)`;
  const expect = `  docs/safety.md: ${r.expectation}`;
  const inv = r.invariants
    .filter((i) => !i.ok)
    .flatMap((i) => i.violations.map((v) => `  ✗ ${i.name}: ${v.message}`));
  const errors = r.errors.map((e) => `  ✗ ${e}`);
  return [head, phases, expect, ...inv, ...errors].join('\n');
}

export interface DemoStep {
  scenario: ScenarioName;
  intro: string;
}

export const DEMO_STEPS: readonly DemoStep[] = [
  {
    scenario: 'crash',
    intro:
      "kill -9 the leader's agent: Consul's liveness check fails, the lock-delay runs out, a follower takes over",
  },
  {
    scenario: 'spot',
    intro: 'a spot instance-action notice reaches the new leader: it drains (releases first, no lock-delay)',
  },
];

export interface DemoOptions {
  lab: Lab;
  view: LiveView;
  signal?: AbortSignal;
  /** Pause between steps so a person can read the screen. Default 2 s. */
  pauseMs?: number;
}

export async function runGuidedDemo(options: DemoOptions): Promise<ScenarioResult[]> {
  const { lab, view, signal } = options;
  const results: ScenarioResult[] = [];
  const pause = options.pauseMs ?? 2_000;
  view.setStatus('starting the VPC: waiting for the first leader to claim every route');
  const steady = await lab.waitSteady({ timeoutMs: 120_000, ...(signal == null ? {} : { signal }) });
  const first = steady.groups[0]?.holder?.instanceId;
  view.note(
    `▶ the VPC is up: ${lab.name(first)} leads ${lab.topology.groups.map((g) => g.name).join(', ')}; every private route table points at its ENI`,
  );
  await sleep(pause, signal);
  let n = 0;
  for (const step of DEMO_STEPS) {
    n++;
    view.setStatus(`step ${n}/${DEMO_STEPS.length}: ${step.intro}`);
    let result: ScenarioResult;
    try {
      result = await runScenario(lab, step.scenario, {
        ...(signal == null ? {} : { signal }),
        onProgress: (m) => view.setStatus(`step ${n}/${DEMO_STEPS.length}: ${m}`),
      });
    } catch (error) {
      view.note(`✗ ${step.scenario}: ${describeError(error)}`);
      throw error;
    }
    results.push(result);
    view.addFailover(summarize(result));
    view.note(describeResult(result));
    if (result.success) {
      view.note(
        step.scenario === 'crash'
          ? `  ${result.leaderBefore?.name ?? '?'} was restarted and rejoined as a follower: leaders are never pre-empted, routes stay put`
          : `  ${result.leaderBefore?.name ?? '?'} drained and exited 0; its replacement started and joined as a follower`,
      );
    }
    await sleep(pause, signal);
  }
  return results;
}

/**
 * `pnpm chaos --runs N --seed S`: the fault campaign on one running lab. Prints one line per run and a
 * summary (or one JSON document with `--json`), appends failing seeds to the failures file, and exits
 * 1 on any violation.
 */
import { resolve } from 'node:path';
import { runCampaign, type CampaignResult, type RunResult } from '../chaos/campaign';
import type { ChaosOptions } from '../cli';
import { describeError, LabError } from '../errors';
import { INVARIANTS } from '../invariants/invariant';
import { createLab, type Lab } from '../lab/lab';
import { feedTimeline } from '../lab/timeline-feed';
import { cleanupStaleWorkDirs } from '../lab/work-dir';
import { startLiveView } from '../view/live-view';
import { formatMs } from '../view/render';
import type { CommandIo } from './command-io';

export function describeRun(r: RunResult, total: number): string {
  const head = `${r.ok ? '✓' : '✗'} run ${r.index + 1}/${total} seed ${r.seed}: ${r.schedule || 'no faults'}`;
  const skipped = r.applied
    .filter((a) => a.skipped != null)
    .map((a) => `${a.fault.kind} skipped (${a.skipped ?? ''})`);
  const tail = `  converged ${formatMs(r.convergedMs)} after the last fault ended (bound ${formatMs(r.boundMs)}), ${(r.durationMs / 1000).toFixed(1)} s`;
  const problems = [
    ...r.invariants
      .filter((i) => !i.ok)
      .flatMap((i) => i.violations.map((v) => `  ✗ ${i.name}: ${v.message}`)),
    ...r.errors.map((e) => `  ✗ ${e}`),
  ];
  return [head, ...(skipped.length > 0 ? [`  ${skipped.join(', ')}`] : []), tail, ...problems].join('\n');
}

export function describeCampaign(c: CampaignResult, failuresFile: string): string {
  const failed = c.runs.filter((r) => !r.ok);
  const byInvariant = INVARIANTS.map((name) => {
    const n = c.runs.reduce(
      (sum, r) => sum + (r.invariants.find((i) => i.name === name)?.violations.length ?? 0),
      0,
    );
    const checked = c.runs.reduce(
      (sum, r) => sum + (r.invariants.find((i) => i.name === name)?.checked ?? 0),
      0,
    );
    return `  ${name.padEnd(16)} ${n === 0 ? 'ok' : `${n} violation(s)`} (${checked} checked)`;
  });
  const faults = c.runs.reduce((n, r) => n + r.applied.filter((a) => a.skipped == null).length, 0);
  const lines = [
    `chaos: ${c.runs.length} run(s) from seed ${c.seed}, ${faults} fault(s) injected, ${failed.length} failed run(s), ${(c.durationMs / 1000).toFixed(0)} s`,
    ...byInvariant,
  ];
  if (failed.length > 0) {
    lines.push(`failing seeds appended to ${failuresFile}; replay one with:`);
    for (const r of failed.slice(0, 10)) lines.push(`  pnpm chaos --seed ${r.seed} --runs 1`);
  }
  return lines.join('\n');
}

export async function runChaosCommand(options: ChaosOptions, io: CommandIo): Promise<number> {
  await cleanupStaleWorkDirs();
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new LabError('ABORTED', 'interrupted'));
  io.onInterrupt(onSignal);
  const human = options.json ? io.stderr : io.stdout;
  const failuresFile = resolve(options.failures);
  let lab: Lab | undefined;
  try {
    human(
      `nat-ha-lab chaos: ${options.runs} run(s), seed ${options.seed}${options.seedGiven ? '' : ' (random; pass --seed to repeat)'}, faults ${options.faults.join(',')}\n`,
    );
    lab = await createLab({
      topology: options.topology,
      removeWorkDirOnClose: false,
      ...(options.agentBundle == null ? {} : { agentBundle: options.agentBundle }),
      signal: controller.signal,
    });
    human(`nat-ha-lab chaos: agent logs in ${lab.workDir.path}\n`);
    const feed = feedTimeline(lab);
    const view = options.verbose
      ? startLiveView({ mode: 'plain', lab, feed, title: 'chaos', write: io.stderr, verbose: false })
      : undefined;
    let result: CampaignResult;
    try {
      result = await runCampaign(lab, {
        runs: options.runs,
        seed: options.seed,
        schedule: { kinds: options.faults, maxFaults: options.maxFaults, timeScale: options.timeScale },
        failuresFile,
        signal: controller.signal,
        onRun: (r) => human(`${describeRun(r, options.runs)}\n`),
      });
    } finally {
      await view?.stop();
      feed.stop();
    }
    human(`${describeCampaign(result, failuresFile)}\n`);
    if (options.json) io.stdout(`${JSON.stringify(result)}\n`);
    return result.ok ? 0 : 1;
  } catch (error) {
    if (controller.signal.aborted) {
      io.stderr('\nnat-ha-lab chaos: interrupted; cleaning up\n');
      return 130;
    }
    io.stderr(`nat-ha-lab chaos: ${describeError(error)}\n`);
    return 1;
  } finally {
    io.offInterrupt(onSignal);
    await lab?.close();
  }
}

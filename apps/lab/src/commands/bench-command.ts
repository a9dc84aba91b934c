/** `pnpm bench [--quick] [--out FILE]`: runs the bench, writes FILE (JSON) and FILE.md (Markdown). */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { baselineProfile } from '../bench/baseline-profile';
import { runBench } from '../bench/bench';
import { renderMarkdown } from '../bench/bench-report';
import type { BenchOptions } from '../cli';
import { describeError, LabError } from '../errors';
import { cleanupStaleWorkDirs } from '../lab/work-dir';
import { findAgentBundle } from '../world/agent-bundle';
import type { CommandIo } from './command-io';
import { createInnerNetns } from './netns-mode';

export async function runBenchCommand(options: BenchOptions, io: CommandIo): Promise<number> {
  await cleanupStaleWorkDirs();
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new LabError('ABORTED', 'interrupted'));
  io.onInterrupt(onSignal);
  const out = resolve(options.out);
  const started = Date.now();
  const progress = (m: string): void =>
    io.stderr(`bench +${Math.round((Date.now() - started) / 1000)}s: ${m}\n`);
  try {
    const netns = options.netnsInner == null ? undefined : await createInnerNetns(options.netnsInner, 3);
    const baseline = await baselineProfile(
      await findAgentBundle(options.agentBundle ?? process.env['NAT_HA_LAB_AGENT_BUNDLE']),
    );
    const command = `pnpm bench${options.quick ? ' --quick' : ''}${options.netns ? ' --netns' : ''}`;
    progress(`${command}: results → ${out} and ${out}.md`);
    const results = await runBench({
      quick: options.quick,
      command,
      ...(options.agentBundle == null ? {} : { agentBundle: options.agentBundle }),
      ...(netns == null ? {} : { platform: netns, startProbe: (lab) => netns.startProbe(lab, progress) }),
      baseline,
      signal: controller.signal,
      progress,
    });
    const markdown = renderMarkdown(results);
    await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
    await writeFile(`${out}.md`, markdown);
    io.stdout(markdown);
    return results.scenarios.every((s) => s.failures === 0) ? 0 : 1;
  } catch (error) {
    if (controller.signal.aborted) {
      io.stderr('\nbench: interrupted\n');
      return 130;
    }
    io.stderr(`bench: ${describeError(error)}\n`);
    return 1;
  } finally {
    io.offInterrupt(onSignal);
  }
}

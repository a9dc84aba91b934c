/**
 * `nat-ha-lab` / `pnpm lab`: start the VPC and its agents, show them, run the guided demo (or one
 * `--scenario`), then stay interactive on a terminal. Exit codes: 0 success, 1 a failover or an
 * invariant failed (or the lab could not start), 2 usage, 130 interrupted.
 */
import type { RunOptions } from '../cli';
import { describeResult, runGuidedDemo, summarize } from '../demo/guided-demo';
import { KEYS_HELP, runInteractive } from '../demo/interactive';
import { describeError, LabError } from '../errors';
import { createLab, type Lab } from '../lab/lab';
import { feedTimeline } from '../lab/timeline-feed';
import { cleanupStaleWorkDirs } from '../lab/work-dir';
import { cleanupStaleNamespaces } from '../netns/cleanup';
import { runScenario } from '../scenarios/run-scenario';
import { startLiveView } from '../view/live-view';
import type { CommandIo } from './command-io';
import { createInnerNetns } from './netns-mode';

export async function runLabCommand(options: RunOptions, io: CommandIo): Promise<number> {
  const stale = await cleanupStaleWorkDirs();
  if (options.cleanup) {
    const ns = await cleanupStaleNamespaces({ all: false });
    io.stderr(
      `nat-ha-lab: removed ${stale.directories.length} stale lab director${stale.directories.length === 1 ? 'y' : 'ies'}, ` +
        `killed ${stale.processes.length} leftover agent${stale.processes.length === 1 ? '' : 's'}, ` +
        `deleted ${ns.namespaces.length} network namespace${ns.namespaces.length === 1 ? '' : 's'}\n`,
    );
    return 0;
  }
  if (stale.directories.length > 0) {
    io.stderr(`nat-ha-lab: cleaned up ${stale.directories.length} lab(s) that did not exit cleanly\n`);
  }

  const controller = new AbortController();
  const signal = controller.signal;
  const onSignal = (): void => controller.abort(new LabError('ABORTED', 'interrupted'));
  io.onInterrupt(onSignal);

  const interactiveInput =
    io.stdin.isTTY === true && !options.plain && !options.json && options.scenario == null;
  const tty = io.stdoutIsTty && !options.plain && !options.json;
  // With --json, stdout carries only the result; the human log goes to stderr.
  const humanWrite = options.json ? io.stderr : io.stdout;

  let lab: Lab | undefined;
  let netns: Awaited<ReturnType<typeof createInnerNetns>> | undefined;
  try {
    if (options.netnsInner != null) netns = await createInnerNetns(options.netnsInner, options.instances);
    humanWrite(
      `nat-ha-lab: starting a simulated VPC (${options.instances} NAT instances, topology ${options.topology}${netns == null ? '' : ', dataplane in network namespaces'})…\n`,
    );
    lab = await createLab({
      topology: options.topology,
      world: { natInstances: options.instances },
      ...(netns == null ? {} : { platform: netns }),
      ...(options.agentBundle == null ? {} : { agentBundle: options.agentBundle }),
      onProgress: (m) => {
        if (!tty) humanWrite(`nat-ha-lab: ${m}\n`);
      },
      signal,
    });
    humanWrite(`nat-ha-lab: agent configs and logs in ${lab.workDir.path}\n`);
    const feed = feedTimeline(lab);
    let verbose = options.verbose;
    const view = startLiveView({
      mode: tty ? 'tty' : 'plain',
      lab,
      feed,
      title: `nat-ha lab · ${lab.topology.instances.length} NAT instances · topology ${lab.topology.name} · ${lab.topology.region} · realistic EC2 latency${netns == null ? '' : ' · dataplane'}`,
      write: humanWrite,
      size: () => ({ columns: io.columns(), rows: io.rows() }),
      verbose,
      ...(interactiveInput ? { keys: KEYS_HELP } : {}),
    });
    let probe: Awaited<ReturnType<NonNullable<typeof netns>['startProbe']>> | undefined;
    let code = 0;
    try {
      probe = await netns?.startProbe(lab, (line) => view.note(line));
      if (options.scenario != null) {
        const result = await runScenario(lab, options.scenario, {
          signal,
          onProgress: (m) => view.setStatus(m),
        });
        const outage = probe?.outageSince(result.fault.at);
        view.addFailover(summarize(result));
        await view.stop();
        const doc = outage == null ? result : { ...result, dataplane: outage };
        if (options.json) io.stdout(`${JSON.stringify(doc)}\n`);
        else io.stdout(`\n${describeResult(result)}\n`);
        code = result.success ? 0 : 1;
      } else {
        let results: Awaited<ReturnType<typeof runGuidedDemo>> = [];
        if (options.demo) results = await runGuidedDemo({ lab, view, signal });
        const failed = results.filter((r) => !r.success);
        code = failed.length === 0 ? 0 : 1;
        if (interactiveInput) {
          view.setStatus(
            options.demo
              ? `demo done${failed.length === 0 ? '' : ` (${failed.length} step(s) failed)`}: inject faults by hand; q quits`
              : 'inject faults by hand; q quits',
          );
          await runInteractive({
            lab,
            view,
            input: io.stdin,
            signal,
            onVerbose: () => {
              verbose = !verbose;
              view.setVerbose(verbose);
            },
          });
        } else if (!options.demo) {
          // The lab just runs, showing itself, until Ctrl-C / SIGTERM: that is its normal end.
          view.setStatus('running; Ctrl-C stops the lab');
          await new Promise<void>((resolve) =>
            signal.addEventListener('abort', () => resolve(), { once: true }),
          );
        }
        await view.stop();
        if (results.length > 0) {
          io.stdout(`\nnat-ha-lab: guided demo ${failed.length === 0 ? 'passed' : 'FAILED'}\n`);
          for (const r of results) io.stdout(`${describeResult(r)}\n`);
        }
      }
    } finally {
      await view.stop();
      feed.stop();
      probe?.stop();
    }
    return code;
  } catch (error) {
    if (signal.aborted) {
      io.stderr('\nnat-ha-lab: interrupted; cleaning up\n');
      return 130;
    }
    io.stderr(`\nnat-ha-lab: ${describeError(error)}\n`);
    if (lab != null) io.stderr(`nat-ha-lab: agent logs are in ${lab.workDir.path}\n`);
    return 1;
  } finally {
    io.offInterrupt(onSignal);
    await lab?.close();
    await netns?.close();
  }
}

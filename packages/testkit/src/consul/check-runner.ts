/**
 * Runs an agent's check the way the Consul agent does (spec §6.3, §6.8):
 *
 * - HTTP and TCP checks wait a random stagger in [0, Interval), then probe, then wait `Interval`
 *   after each probe finishes (`CheckHTTP.run`). Intervals below the agent's floor are raised to it
 *   (`checks.MinInterval`, 1 s on a real agent). Results pass through the {@link StatusHandler}
 *   thresholds.
 * - TTL checks turn critical when no update arrives within `TTL`, with output
 *   `TTL expired (last output before timeout follows): …`; every update resets the timer.
 *
 * All timers run on the emulator clock; probes are real network I/O.
 */
import type { TestClock, TimerHandle } from '../clock';
import type { CheckDefinition } from './check-definition';
import { nsToMs } from './go-duration';
import { runHttpProbe, type ProbeResult } from './http-probe';
import type { ConsulCheckStatus } from './journal';
import { createStatusHandler } from './status-handler';
import { runTcpProbe } from './tcp-probe';

/** HTTP and TCP checks without a `Timeout` use 10 s (spec §6.1). */
export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

export interface CheckRunnerDeps {
  clock: TestClock;
  random: () => number;
  minIntervalMs: number;
  /** A status the agent should record (after thresholds). */
  report: (status: ConsulCheckStatus, output: string) => void;
  /** Lets the emulator know a probe is in flight (for `whenChecksIdle`). */
  track: (probe: Promise<unknown>) => void;
}

export interface CheckRunner {
  stop(): void;
  /** TTL checks only: pass/warn/fail/update. Returns the (possibly truncated) output recorded. */
  setStatus(status: ConsulCheckStatus, output: string): string;
}

/** `CheckTTL.SetStatus` truncation. */
function truncateOutput(output: string, max: number): string {
  const bytes = Buffer.from(output, 'utf8');
  if (bytes.length <= max) return output;
  return `${bytes.subarray(0, max).toString('utf8')} ... (captured ${max} of ${bytes.length} bytes)`;
}

function startTtlRunner(def: CheckDefinition, deps: CheckRunnerDeps): CheckRunner {
  const ttlMs = nsToMs(def.ttlNs);
  let lastOutput = '';
  let stopped = false;
  let timer: TimerHandle | undefined;
  const arm = (): void => {
    if (timer != null) deps.clock.clearTimer(timer);
    timer = deps.clock.setTimer(() => {
      timer = undefined;
      if (!stopped)
        deps.report('critical', `TTL expired (last output before timeout follows): ${lastOutput}`);
    }, ttlMs);
  };
  arm();
  return {
    stop() {
      stopped = true;
      if (timer != null) deps.clock.clearTimer(timer);
      timer = undefined;
    },
    setStatus(status, output) {
      const recorded = truncateOutput(output, def.outputMaxSize);
      lastOutput = recorded;
      deps.report(status, recorded);
      if (!stopped) arm();
      return recorded;
    },
  };
}

function startIntervalRunner(def: CheckDefinition, deps: CheckRunnerDeps): CheckRunner {
  const intervalMs = Math.max(nsToMs(def.intervalNs), deps.minIntervalMs);
  const timeoutMs = def.timeoutNs > 0n ? nsToMs(def.timeoutNs) : DEFAULT_CHECK_TIMEOUT_MS;
  const handler = createStatusHandler(def, deps.report);
  const ac = new AbortController();
  let timer: TimerHandle | undefined;
  const probe = (): Promise<ProbeResult> =>
    def.kind === 'http'
      ? runHttpProbe(
          {
            url: def.http,
            method: def.method,
            header: def.header,
            body: def.body,
            disableRedirects: def.disableRedirects,
            tlsSkipVerify: def.tlsSkipVerify,
            tlsServerName: def.tlsServerName,
            timeoutMs,
            outputMaxSize: def.outputMaxSize,
          },
          deps.clock,
          ac.signal,
        )
      : runTcpProbe(def.tcp, timeoutMs, deps.clock, ac.signal);
  const run = (): void => {
    timer = undefined;
    if (ac.signal.aborted) return;
    const p = probe().then((result) => {
      if (ac.signal.aborted) return;
      handler.update(result.status, result.output);
      timer = deps.clock.setTimer(run, intervalMs);
    });
    deps.track(p);
  };
  // lib.RandomStagger(Interval): spreads checks registered together.
  timer = deps.clock.setTimer(run, Math.floor(deps.random() * intervalMs));
  return {
    stop() {
      ac.abort(new Error('check stopped'));
      if (timer != null) deps.clock.clearTimer(timer);
      timer = undefined;
    },
    setStatus() {
      throw new Error('not a TTL check');
    },
  };
}

export function startCheckRunner(def: CheckDefinition, deps: CheckRunnerDeps): CheckRunner {
  return def.kind === 'ttl' ? startTtlRunner(def, deps) : startIntervalRunner(def, deps);
}

import { systemClock, type Clock } from './clock';
import { NetHealthError } from './errors';
import { createHysteresis, type HealthState } from './hysteresis';
import { silentLogger, type Logger } from './logger';
import type { Probe, ProbeFailure, ProbeResult } from './probe';
import { runRound, type RoundResult } from './round';
import { integerOption, invalid, msOption } from './validate';

/** The monitor's defaults, in one place (README, "Why the defaults", derives them). */
export const MONITOR_DEFAULTS = {
  intervalMs: 1000,
  jitterMs: 100,
  rise: 3,
  fall: 2,
  initialState: 'unhealthy' as HealthState,
  historySize: 10,
} as const;

/** Which target failed in which round, and why: the evidence carried by a state change. */
export interface FailureEvidence extends ProbeFailure {
  round: number;
  target: string;
}

export interface StateChangeEvent {
  from: HealthState;
  to: HealthState;
  /** Clock time of the change (the end of the deciding round). */
  at: number;
  /** The consecutive rounds that made the change: the last `fall` (or `rise`) rounds, oldest first. */
  rounds: readonly RoundResult[];
  /** Every failed probe in those rounds. */
  failures: readonly FailureEvidence[];
  /** One line for logs, e.g. `2 consecutive rounds below quorum 2/4; last: tcp://1.1.1.1:443 PROBE_TIMEOUT, …`. */
  reason: string;
}

/** Per-target counters since the monitor was created. */
export interface TargetStats {
  target: string;
  probes: number;
  failures: number;
  consecutiveFailures: number;
  lastLatencyMs: number | undefined;
  lastError: ProbeFailure | undefined;
}

export interface MonitorSnapshot {
  state: HealthState;
  /** Clock time of the last state change, or of creation. */
  since: number;
  /** Consecutive rounds so far that disagree with `state` (toward the next flip). */
  streak: number;
  rise: number;
  fall: number;
  quorum: number;
  running: boolean;
  /** The last `historySize` rounds, oldest first. */
  rounds: readonly RoundResult[];
  targets: readonly TargetStats[];
}

/**
 * Metrics hooks, called synchronously after each round (e.g. feed a Prometheus histogram with
 * `probe(result)`: per-target latency and failure codes). Exceptions are caught and logged.
 */
export interface MonitorMetrics {
  probe?(result: ProbeResult, round: RoundResult): void;
  round?(round: RoundResult): void;
  stateChange?(event: StateChangeEvent): void;
}

export interface MonitorOptions {
  /** The targets, probed once per round. Labels (`target`) must be unique. */
  probes: readonly Probe[];
  /** `k`: targets that must pass for a round to pass. Default `ceil(n / 2)`. */
  quorum?: number;
  /** Time between round starts. Default 1000 ms. */
  intervalMs?: number;
  /** Each gap between round starts is `intervalMs ± jitterMs` (uniform). Default 100 ms; at most `intervalMs / 2`. */
  jitterMs?: number;
  /** Probes still running this long after the round started count as `PROBE_TIMEOUT`. Default `intervalMs - jitterMs`. */
  roundTimeoutMs?: number;
  /** Consecutive passing rounds to become healthy. Default 3. */
  rise?: number;
  /** Consecutive failing rounds to become unhealthy. Default 2. */
  fall?: number;
  /** State before any round. Default `unhealthy`: a new instance must prove its path for `rise` rounds. */
  initialState?: HealthState;
  /** Rounds kept for `rounds()` and `snapshot()`. Default 10. */
  historySize?: number;
  clock?: Clock;
  /** Uniform [0, 1) source for jitter. Default `Math.random`. */
  random?: () => number;
  /** Aborting stops the monitor, as `stop()` does. */
  signal?: AbortSignal;
  metrics?: MonitorMetrics;
  logger?: Logger;
}

export interface MonitorEvents {
  change: StateChangeEvent;
  round: RoundResult;
}

export interface Monitor {
  readonly state: HealthState;
  /** Starts the round loop in the background; the first round starts at once. No-op when running. */
  start(): void;
  /** Stops the loop, aborting the round in flight (it is discarded, not judged), and waits for it. */
  stop(): Promise<void>;
  /** Runs the loop until `stop()`, the options' `signal` or this `signal` aborts; resolves then. */
  run(options?: { signal?: AbortSignal }): Promise<void>;
  /** The last `n` rounds (default all kept), oldest first. */
  rounds(n?: number): readonly RoundResult[];
  snapshot(): MonitorSnapshot;
  /** Subscribes to `change` (state changes with evidence) or `round` events; returns the unsubscribe. */
  on<E extends keyof MonitorEvents>(event: E, listener: (payload: MonitorEvents[E]) => void): () => void;
}

function summarize(results: readonly ProbeResult[]): string {
  const failed = results.filter((r) => !r.ok);
  if (failed.length === 0) return 'all targets passed';
  return failed.map((r) => `${r.target} ${r.error?.code ?? 'PROBE_FAILED'}`).join(', ');
}

/**
 * Probes every target once per round, judges each round by a `k`-of-`n` quorum and turns the
 * verdicts into a state with rise/fall hysteresis. Everything runs on the injected clock.
 */
export function createMonitor(options: MonitorOptions): Monitor {
  const probes: readonly Probe[] = options.probes;
  const isArray = Array.isArray(probes);
  if (!isArray || probes.length === 0) {
    throw invalid('probes', 'a non-empty array of probes', isArray ? '[]' : typeof probes);
  }
  const seen = new Set<string>();
  probes.forEach((p: Probe, i) => {
    if (p == null || typeof p.run !== 'function' || typeof p.target !== 'string' || p.target === '') {
      throw invalid(`probes[${i}]`, 'a probe with a target label and a run function', typeof p);
    }
    if (seen.has(p.target))
      throw invalid(`probes[${i}].target`, 'unique within the monitor (set name)', p.target);
    seen.add(p.target);
  });
  const n = probes.length;
  const quorum = integerOption('quorum', options.quorum, Math.ceil(n / 2), 1, n);
  const intervalMs = msOption('intervalMs', options.intervalMs, MONITOR_DEFAULTS.intervalMs, 10, 3_600_000);
  const jitterMs = msOption(
    'jitterMs',
    options.jitterMs,
    Math.min(MONITOR_DEFAULTS.jitterMs, intervalMs / 2),
    0,
    intervalMs / 2,
  );
  const roundTimeoutMs = msOption(
    'roundTimeoutMs',
    options.roundTimeoutMs,
    intervalMs - jitterMs,
    1,
    intervalMs,
  );
  probes.forEach((p: Probe, i: number) => {
    // A probe whose own timeout outlasts the round would always be cut short and reported as a
    // round timeout: a configuration error better caught now than read from the evidence later.
    if (typeof p.timeoutMs === 'number' && p.timeoutMs > roundTimeoutMs) {
      throw invalid(`probes[${i}].timeoutMs`, `at most roundTimeoutMs (${roundTimeoutMs})`, p.timeoutMs);
    }
  });
  const historySize = integerOption(
    'historySize',
    options.historySize,
    MONITOR_DEFAULTS.historySize,
    1,
    10_000,
  );
  const hysteresis = createHysteresis({
    rise: options.rise ?? MONITOR_DEFAULTS.rise,
    fall: options.fall ?? MONITOR_DEFAULTS.fall,
    initialState: options.initialState ?? MONITOR_DEFAULTS.initialState,
  });
  const rise = options.rise ?? MONITOR_DEFAULTS.rise;
  const fall = options.fall ?? MONITOR_DEFAULTS.fall;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  if (typeof random !== 'function') throw invalid('random', 'a function returning [0, 1)', typeof random);
  const logger = options.logger ?? silentLogger;
  const metrics = options.metrics ?? {};
  const outerSignal = options.signal;

  const history: RoundResult[] = [];
  let streakRounds: RoundResult[] = [];
  let since = clock.now();
  let seq = 0;
  const stats = new Map<string, TargetStats>(
    probes.map((p: Probe): [string, TargetStats] => [
      p.target,
      {
        target: p.target,
        probes: 0,
        failures: 0,
        consecutiveFailures: 0,
        lastLatencyMs: undefined,
        lastError: undefined,
      },
    ]),
  );
  const listeners = {
    change: new Set<(e: StateChangeEvent) => void>(),
    round: new Set<(r: RoundResult) => void>(),
  };
  let current: { controller: AbortController; done: Promise<void> } | undefined;

  const safely = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      logger.error({ event: 'listener_failed', listener: what, err }, `net-health ${what} listener threw`);
    }
  };

  const record = (round: RoundResult): void => {
    history.push(round);
    if (history.length > historySize) history.splice(0, history.length - historySize);
    for (const r of round.results) {
      const s = stats.get(r.target);
      if (s == null) continue;
      s.probes += 1;
      s.lastLatencyMs = r.latencyMs;
      if (r.ok) {
        s.consecutiveFailures = 0;
      } else {
        s.failures += 1;
        s.consecutiveFailures += 1;
        s.lastError = r.error;
      }
    }
    const before = hysteresis.streak;
    const change = hysteresis.observe(round.ok);
    streakRounds = change != null || hysteresis.streak > before ? [...streakRounds, round] : [];
    let event: StateChangeEvent | undefined;
    if (change != null) {
      since = clock.now();
      const failures: FailureEvidence[] = streakRounds.flatMap((rd) =>
        rd.results
          .filter((r) => !r.ok)
          .map((r) => ({
            round: rd.seq,
            target: r.target,
            code: r.error?.code ?? 'PROBE_FAILED',
            message: r.error?.message ?? '',
          })),
      );
      const reason =
        change.to === 'unhealthy'
          ? `${streakRounds.length} consecutive rounds below quorum ${quorum}/${n}; last: ${summarize(round.results)}`
          : `${streakRounds.length} consecutive rounds at quorum ${quorum}/${n}; last: ${summarize(round.results)}`;
      event = Object.freeze({
        ...change,
        at: since,
        rounds: Object.freeze(streakRounds),
        failures: Object.freeze(failures),
        reason,
      });
      streakRounds = [];
    }

    for (const r of round.results) safely('metrics.probe', () => metrics.probe?.(r, round));
    safely('metrics.round', () => metrics.round?.(round));
    for (const l of listeners.round) safely('round', () => l(round));
    if (event != null) {
      const e = event;
      logger.info(
        { event: 'health_state_changed', from: e.from, to: e.to, reason: e.reason, failures: e.failures },
        `net-health: ${e.from} -> ${e.to}`,
      );
      safely('metrics.stateChange', () => metrics.stateChange?.(e));
      for (const l of listeners.change) safely('change', () => l(e));
    }
  };

  const loop = async (signal: AbortSignal): Promise<void> => {
    let nextAt = clock.now();
    for (;;) {
      const wait = nextAt - clock.now();
      if (wait > 0) await clock.sleep(wait, signal);
      if (signal.aborted) return;
      const startedAt = clock.now();
      // Numbered when judged: a round discarded by a stop leaves no gap in the sequence.
      const round = await runRound({ seq: seq + 1, probes, quorum, roundTimeoutMs, clock, signal });
      seq = round.seq;
      record(round);
      // Jitter spreads many agents' probes over time; it is applied to the gap so that every gap
      // stays within intervalMs ± jitterMs (the detection arithmetic in the README relies on it).
      nextAt = startedAt + intervalMs + (random() * 2 - 1) * jitterMs;
    }
  };

  const run = async (runOptions: { signal?: AbortSignal } = {}): Promise<void> => {
    if (current != null) {
      throw new NetHealthError('INVALID_OPTION', 'the monitor is already running (call stop() first)');
    }
    const controller = new AbortController();
    const signals = [outerSignal, runOptions.signal].filter((s): s is AbortSignal => s != null);
    const onAbort = (): void => controller.abort();
    for (const s of signals) {
      if (s.aborted) controller.abort();
      else s.addEventListener('abort', onAbort, { once: true });
    }
    const done = loop(controller.signal).catch((err: unknown) => {
      if (controller.signal.aborted) return;
      logger.error({ event: 'monitor_failed', err }, 'net-health monitor loop failed');
      throw err;
    });
    const entry = { controller, done };
    current = entry;
    try {
      await done;
    } finally {
      for (const s of signals) s.removeEventListener('abort', onAbort);
      if (current === entry) current = undefined;
    }
  };

  return {
    get state() {
      return hysteresis.state;
    },
    start() {
      if (current != null || outerSignal?.aborted === true) return;
      run().catch(() => {
        // Logged in run(); start() is fire-and-forget by design.
      });
    },
    async stop() {
      const entry = current;
      if (entry == null) return;
      entry.controller.abort();
      await entry.done.catch(() => {});
    },
    run,
    rounds(count) {
      const c = count == null ? history.length : integerOption('rounds(n)', count, 0, 0, 1_000_000);
      return c === 0 ? [] : history.slice(-c);
    },
    snapshot() {
      return {
        state: hysteresis.state,
        since,
        streak: hysteresis.streak,
        rise,
        fall,
        quorum,
        running: current != null,
        rounds: history.slice(),
        targets: [...stats.values()].map((s) => ({ ...s })),
      };
    },
    on(event, listener) {
      const set = listeners[event] as Set<typeof listener>;
      if (set == null) throw invalid('on(event)', "'change' or 'round'", event);
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
  };
}

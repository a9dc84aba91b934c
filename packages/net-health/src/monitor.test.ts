import { createVirtualClock, type VirtualClock } from '@nat-ha/testkit';
import { describe, expect, it, vi } from 'vitest';
import { createMonitor, type MonitorOptions, type StateChangeEvent } from './monitor';
import type { Probe, ProbeResult } from './probe';
import type { RoundResult } from './round';

type Verdict = boolean | 'hang';

/**
 * A probe whose outcome per round comes from `script(roundIndex, startedAt)` (roundIndex from 0).
 * A pass answers after `latencyMs`; a failure after `failAfterMs`, like a probe timing out.
 */
function scripted(
  clock: VirtualClock,
  target: string,
  script: (roundIndex: number, startedAt: number) => Verdict,
  latencyMs = 10,
  failAfterMs = 800,
): Probe & { runs: number; aborted: number } {
  const probe = {
    target,
    runs: 0,
    aborted: 0,
    async run({ signal }: { signal?: AbortSignal } = {}): Promise<ProbeResult> {
      const verdict = script(probe.runs++, clock.now());
      try {
        if (verdict === 'hang') await new Promise<never>(() => {});
        await clock.sleep(verdict ? latencyMs : failAfterMs, signal);
      } catch (err) {
        probe.aborted += 1;
        throw err;
      }
      return verdict
        ? { target, ok: true, latencyMs }
        : {
            target,
            ok: false,
            latencyMs: failAfterMs,
            error: { code: 'PROBE_TIMEOUT', message: 'no answer' },
          };
    },
  };
  return probe;
}

const INTERVAL = 1000;

function setup(
  scripts: Array<(i: number, t: number) => Verdict>,
  options: Partial<MonitorOptions> = {},
): {
  clock: VirtualClock;
  monitor: ReturnType<typeof createMonitor>;
  changes: StateChangeEvent[];
  probes: ReturnType<typeof scripted>[];
} {
  const clock = createVirtualClock(0);
  const probes = scripts.map((s, i) => scripted(clock, `p${i}`, s));
  const monitor = createMonitor({ probes, clock, jitterMs: 0, random: () => 0.5, ...options });
  const changes: StateChangeEvent[] = [];
  monitor.on('change', (e) => changes.push(e));
  return { clock, monitor, changes, probes };
}

/** Advances to just after round `n` (1-based) has finished, with no jitter. */
const afterRound = (clock: VirtualClock, n: number) => clock.advanceTo((n - 1) * INTERVAL + 850);

describe('createMonitor: quorum', () => {
  it('passes a round when at least k of n targets pass, and fails it below k', async () => {
    // Round i: target j fails when bit j of pattern[i] is set.
    const pattern = [0b000, 0b001, 0b011, 0b111, 0b100];
    const { clock, monitor } = setup(
      [0, 1, 2].map((j) => (i: number) => ((pattern[i] ?? 0) & (1 << j)) === 0),
      { quorum: 2, initialState: 'healthy' },
    );
    monitor.start();
    await afterRound(clock, pattern.length);
    await monitor.stop();
    expect(monitor.rounds().map((r) => [r.passed, r.ok])).toEqual([
      [3, true],
      [2, true],
      [1, false],
      [0, false],
      [2, true],
    ]);
    expect(monitor.rounds()[0]).toMatchObject({ seq: 1, total: 3, quorum: 2, startedAt: 0 });
  });

  it('defaults the quorum to ceil(n / 2)', () => {
    const clock = createVirtualClock(0);
    const make = (n: number) =>
      createMonitor({
        clock,
        probes: Array.from({ length: n }, (_, i) => scripted(clock, `p${i}`, () => true)),
      });
    expect(make(4).snapshot().quorum).toBe(2);
    expect(make(5).snapshot().quorum).toBe(3);
    expect(make(1).snapshot().quorum).toBe(1);
  });

  it('never fails a round when targets fail in turn but the quorum holds (per-target alternation)', async () => {
    const { clock, monitor, changes } = setup([(i) => i % 3 !== 0, (i) => i % 3 !== 1, (i) => i % 3 !== 2], {
      quorum: 2,
      initialState: 'healthy',
    });
    monitor.start();
    await afterRound(clock, 30);
    await monitor.stop();
    expect(monitor.snapshot().rounds.every((r) => r.ok && r.passed === 2)).toBe(true);
    expect(changes).toEqual([]);
  });
});

describe('createMonitor: rise/fall hysteresis (virtual time)', () => {
  it('turns unhealthy after exactly `fall` failing rounds, with the evidence', async () => {
    // Healthy for 3 rounds, then p0 and p1 fail every round.
    const { clock, monitor, changes } = setup([(i) => i < 3, (i) => i < 3, () => true], {
      quorum: 2,
      fall: 2,
      initialState: 'healthy',
    });
    monitor.start();
    await afterRound(clock, 4);
    expect(monitor.state).toBe('healthy');
    expect(monitor.snapshot().streak).toBe(1);
    expect(changes).toEqual([]);
    await afterRound(clock, 5);
    expect(monitor.state).toBe('unhealthy');
    await monitor.stop();

    expect(changes).toHaveLength(1);
    const change = changes[0]!;
    expect(change).toMatchObject({ from: 'healthy', to: 'unhealthy', at: 4 * INTERVAL + 800 });
    expect(change.rounds.map((r) => r.seq)).toEqual([4, 5]);
    expect(change.failures).toEqual([
      { round: 4, target: 'p0', code: 'PROBE_TIMEOUT', message: 'no answer' },
      { round: 4, target: 'p1', code: 'PROBE_TIMEOUT', message: 'no answer' },
      { round: 5, target: 'p0', code: 'PROBE_TIMEOUT', message: 'no answer' },
      { round: 5, target: 'p1', code: 'PROBE_TIMEOUT', message: 'no answer' },
    ]);
    expect(change.reason).toBe(
      '2 consecutive rounds below quorum 2/3; last: p0 PROBE_TIMEOUT, p1 PROBE_TIMEOUT',
    );
    expect(monitor.snapshot().since).toBe(4 * INTERVAL + 800);
  });

  it.each([1, 2, 3, 5])('with fall = %i flips on exactly that failing round', async (fall) => {
    const { clock, monitor, changes } = setup([(i) => i < 2], { fall, initialState: 'healthy' });
    monitor.start();
    await afterRound(clock, 2 + fall - 1);
    expect(monitor.state).toBe('healthy'); // fall - 1 failing rounds so far
    await afterRound(clock, 2 + fall);
    expect(monitor.state).toBe('unhealthy');
    await monitor.stop();
    expect(changes.map((c) => c.rounds.length)).toEqual([fall]);
  });

  it('turns healthy after exactly `rise` passing rounds from the initial unhealthy state', async () => {
    const { clock, monitor, changes } = setup([() => true, () => true], { rise: 3 });
    expect(monitor.state).toBe('unhealthy');
    monitor.start();
    await afterRound(clock, 2);
    expect(monitor.state).toBe('unhealthy');
    await afterRound(clock, 3);
    expect(monitor.state).toBe('healthy');
    await monitor.stop();
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      from: 'unhealthy',
      to: 'healthy',
      at: 2 * INTERVAL + 10,
      failures: [],
    });
    expect(changes[0]!.rounds.map((r) => r.seq)).toEqual([1, 2, 3]);
  });

  it('does not flap under an alternating failure pattern (100 rounds, defaults rise 3 / fall 2)', async () => {
    const alternate = (i: number) => i % 2 === 0;
    const { clock, monitor, changes } = setup([alternate, alternate, alternate], { initialState: 'healthy' });
    monitor.start();
    await afterRound(clock, 100);
    await monitor.stop();
    expect(monitor.rounds(100)).toHaveLength(10); // historySize
    expect(changes).toEqual([]);
    expect(monitor.state).toBe('healthy');
    // The same pattern from unhealthy never rises either.
    const second = setup([alternate], {});
    second.monitor.start();
    await afterRound(second.clock, 100);
    await second.monitor.stop();
    expect(second.changes).toEqual([]);
    expect(second.monitor.state).toBe('unhealthy');
  });

  it('flaps on every round with rise = fall = 1, which is what the hysteresis prevents', async () => {
    const { clock, monitor, changes } = setup([(i) => i % 2 === 0], { rise: 1, fall: 1 });
    monitor.start();
    await afterRound(clock, 10);
    await monitor.stop();
    expect(changes).toHaveLength(10);
  });
});

describe('createMonitor: scheduling', () => {
  it('starts a round every intervalMs when there is no jitter', async () => {
    const { clock, monitor } = setup([() => true], { jitterMs: 0 });
    monitor.start();
    await afterRound(clock, 5);
    await monitor.stop();
    expect(monitor.rounds().map((r) => r.startedAt)).toEqual([0, 1000, 2000, 3000, 4000]);
  });

  it('keeps every gap within intervalMs ± jitterMs, including at the extremes of random()', async () => {
    const values = [0, 0.999999, 0.5, 0, 0.25, 0.999999, 0.75];
    let k = 0;
    const extremes = setup([() => true], {
      jitterMs: 100,
      historySize: 100,
      random: () => values[k++ % values.length]!,
    });
    extremes.monitor.start();
    await extremes.clock.advanceTo(20_000);
    await extremes.monitor.stop();
    const starts = extremes.monitor.rounds().map((r) => r.startedAt);
    const gaps = starts.slice(1).map((s, i) => s - starts[i]!);
    expect(gaps.slice(0, 3)).toEqual([900, expect.closeTo(1100, 3), 1000]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(900);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(1100);

    const real = setup([() => true], { jitterMs: 100, historySize: 1000, random: Math.random });
    real.monitor.start();
    await real.clock.advanceTo(300_000);
    await real.monitor.stop();
    const s2 = real.monitor.rounds().map((r) => r.startedAt);
    const g2 = s2.slice(1).map((s, i) => s - s2[i]!);
    expect(g2.length).toBeGreaterThan(250);
    expect(Math.min(...g2)).toBeGreaterThanOrEqual(900);
    expect(Math.max(...g2)).toBeLessThanOrEqual(1100);
    expect(new Set(g2.map((g) => Math.round(g))).size).toBeGreaterThan(20); // it does jitter
  });

  it('counts a probe that never settles as PROBE_TIMEOUT at roundTimeoutMs, and keeps going', async () => {
    const { clock, monitor } = setup([() => 'hang', () => true], { roundTimeoutMs: 900, quorum: 1 });
    monitor.start();
    await afterRound(clock, 1);
    await clock.advanceTo(901);
    const [round] = monitor.rounds();
    expect(round).toMatchObject({ durationMs: 900, passed: 1, ok: true });
    expect(round!.results[0]).toMatchObject({
      target: 'p0',
      ok: false,
      latencyMs: 900,
      error: { code: 'PROBE_TIMEOUT', message: 'no result within the round timeout of 900 ms' },
    });
    await clock.advanceTo(2000 + 901);
    expect(monitor.rounds()).toHaveLength(3);
    await monitor.stop();
  });

  it('stops on abort: the round in flight is aborted and discarded, no timers are left', async () => {
    const ac = new AbortController();
    const { clock, monitor, probes } = setup([() => false, () => false], {
      signal: ac.signal,
      initialState: 'healthy',
    });
    const done = monitor.run();
    await clock.advanceTo(1000 + 400); // round 2 in flight
    expect(monitor.snapshot().running).toBe(true);
    ac.abort();
    await done;
    expect(monitor.snapshot().running).toBe(false);
    expect(monitor.rounds().map((r) => r.seq)).toEqual([1]);
    expect(probes.map((p) => p.aborted)).toEqual([1, 1]);
    expect(monitor.state).toBe('healthy'); // the aborted round did not count toward fall
    expect(clock.pendingTimers()).toBe(0);
    await clock.advance(10_000);
    expect(monitor.rounds()).toHaveLength(1);
    monitor.start(); // the options' signal is aborted: stays stopped
    expect(monitor.snapshot().running).toBe(false);
  });

  it('stop() waits for the loop to end and start() can run it again', async () => {
    const { clock, monitor } = setup([() => true]);
    monitor.start();
    monitor.start(); // idempotent
    await clock.advanceTo(500);
    await monitor.stop();
    await monitor.stop();
    expect(clock.pendingTimers()).toBe(0);
    monitor.start();
    await clock.advanceTo(1500);
    await monitor.stop();
    expect(monitor.rounds().map((r) => r.seq)).toEqual([1, 2]);
    // A round discarded by a stop leaves no gap in the numbering.
    monitor.start();
    await clock.advanceTo(1505); // round 3 in flight (scripted latency 10 ms)
    await monitor.stop();
    monitor.start();
    await clock.advanceTo(1600);
    await monitor.stop();
    expect(monitor.rounds().map((r) => r.seq)).toEqual([1, 2, 3]);
    await expect(
      (async () => {
        const first = monitor.run();
        const second = monitor.run();
        await monitor.stop();
        await first;
        return second;
      })(),
    ).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });

  it('run() stops when its own signal aborts', async () => {
    const { clock, monitor } = setup([() => true]);
    const ac = new AbortController();
    const done = monitor.run({ signal: ac.signal });
    await clock.advanceTo(2500);
    ac.abort();
    await done;
    expect(monitor.rounds()).toHaveLength(3);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('createMonitor: metrics, history and listeners', () => {
  it('reports per-target latency and failures to the metrics hooks and in snapshot().targets', async () => {
    const clock = createVirtualClock(0);
    const seen: Array<[string, boolean, number, string | undefined]> = [];
    const rounds: RoundResult[] = [];
    const monitor = createMonitor({
      clock,
      jitterMs: 0,
      probes: [scripted(clock, 'fast', () => true, 12), scripted(clock, 'flaky', (i) => i !== 1, 30, 700)],
      metrics: {
        probe: (r) => seen.push([r.target, r.ok, r.latencyMs, r.error?.code]),
        round: (r) => rounds.push(r),
      },
    });
    monitor.start();
    await afterRound(clock, 3);
    await monitor.stop();
    expect(seen).toEqual([
      ['fast', true, 12, undefined],
      ['flaky', true, 30, undefined],
      ['fast', true, 12, undefined],
      ['flaky', false, 700, 'PROBE_TIMEOUT'],
      ['fast', true, 12, undefined],
      ['flaky', true, 30, undefined],
    ]);
    expect(rounds.map((r) => r.passed)).toEqual([2, 1, 2]);
    expect(monitor.snapshot().targets).toEqual([
      {
        target: 'fast',
        probes: 3,
        failures: 0,
        consecutiveFailures: 0,
        lastLatencyMs: 12,
        lastError: undefined,
      },
      {
        target: 'flaky',
        probes: 3,
        failures: 1,
        consecutiveFailures: 0,
        lastLatencyMs: 30,
        lastError: { code: 'PROBE_TIMEOUT', message: 'no answer' },
      },
    ]);
  });

  it('keeps the last historySize rounds and returns the last n', async () => {
    const { clock, monitor } = setup([() => true], { historySize: 4 });
    monitor.start();
    await afterRound(clock, 6);
    await monitor.stop();
    expect(monitor.rounds().map((r) => r.seq)).toEqual([3, 4, 5, 6]);
    expect(monitor.rounds(2).map((r) => r.seq)).toEqual([5, 6]);
    expect(monitor.rounds(0)).toEqual([]);
    expect(monitor.snapshot().rounds.map((r) => r.seq)).toEqual([3, 4, 5, 6]);
  });

  it('survives throwing listeners and hooks, logs them, and honours unsubscribe', async () => {
    const error = vi.fn();
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error };
    const { clock, monitor } = setup([() => true], {
      logger,
      rise: 1,
      metrics: {
        probe: () => {
          throw new Error('metrics down');
        },
      },
    });
    const seen: number[] = [];
    monitor.on('round', () => {
      throw new Error('listener bug');
    });
    const off = monitor.on('round', (r) => seen.push(r.seq));
    monitor.start();
    await afterRound(clock, 2);
    off();
    await afterRound(clock, 3);
    await monitor.stop();
    expect(seen).toEqual([1, 2]);
    expect(monitor.rounds()).toHaveLength(3);
    expect(monitor.state).toBe('healthy');
    expect(error).toHaveBeenCalledWith(
      expect.objectContaining({ event: 'listener_failed' }),
      expect.any(String),
    );
    expect(logger.info).toHaveBeenCalledWith(
      expect.objectContaining({ event: 'health_state_changed', from: 'unhealthy', to: 'healthy' }),
      expect.any(String),
    );
  });

  it('treats a custom probe that throws or returns garbage as a failed target, not a crash', async () => {
    const clock = createVirtualClock(0);
    const monitor = createMonitor({
      clock,
      probes: [
        { target: 'throws', run: () => Promise.reject(new Error('boom')) },
        { target: 'garbage', run: () => Promise.resolve(null as unknown as ProbeResult) },
        {
          target: 'sync-throw',
          run: () => {
            throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
          },
        },
      ],
    });
    monitor.start();
    await clock.advanceTo(10);
    await monitor.stop();
    expect(monitor.rounds()[0]!.results.map((r) => [r.target, r.ok, r.error?.code])).toEqual([
      ['throws', false, 'PROBE_FAILED'],
      ['garbage', false, 'PROBE_FAILED'],
      ['sync-throw', false, 'PROBE_REFUSED'],
    ]);
  });
});

describe('createMonitor: options', () => {
  const clock = createVirtualClock(0);
  const probe = (t: string) => scripted(clock, t, () => true);
  it.each([
    ['no probes', { probes: [] }, /probes must be a non-empty array/],
    ['duplicate targets', { probes: [probe('a'), probe('a')] }, /probes\[1\]\.target must be unique/],
    ['quorum > n', { probes: [probe('a')], quorum: 2 }, /quorum must be an integer from 1 to 1/],
    ['intervalMs 0', { probes: [probe('a')], intervalMs: 0 }, /intervalMs must be/],
    [
      'jitterMs > interval / 2',
      { probes: [probe('a')], jitterMs: 600 },
      /jitterMs must be a number of milliseconds from 0 to 500/,
    ],
    ['roundTimeoutMs > interval', { probes: [probe('a')], roundTimeoutMs: 1500 }, /roundTimeoutMs must be/],
    ['fall 0', { probes: [probe('a')], fall: 0 }, /fall must be/],
    ['rise -1', { probes: [probe('a')], rise: -1 }, /rise must be/],
    ['historySize 0', { probes: [probe('a')], historySize: 0 }, /historySize must be/],
    ['initialState up', { probes: [probe('a')], initialState: 'up' }, /initialState must be/],
    [
      'a probe timeout longer than the round',
      { probes: [probe('a'), Object.assign(probe('b'), { timeoutMs: 950 })] },
      /probes\[1\]\.timeoutMs must be at most roundTimeoutMs \(900\); got 950/,
    ],
  ])('rejects %s with INVALID_OPTION naming the option', (_label, opts, message) => {
    expect(() => createMonitor({ clock, ...(opts as MonitorOptions) })).toThrow(message);
    try {
      createMonitor({ clock, ...(opts as MonitorOptions) });
    } catch (err) {
      expect(err).toMatchObject({ code: 'INVALID_OPTION', retryable: false });
    }
  });

  it('has the documented defaults', () => {
    const m = createMonitor({ clock, probes: [probe('a'), probe('b'), probe('c'), probe('d')] });
    expect(m.snapshot()).toMatchObject({
      state: 'unhealthy',
      rise: 3,
      fall: 2,
      quorum: 2,
      running: false,
      streak: 0,
    });
  });
});

/** A small deterministic PRNG (mulberry32) so the detection-time test is reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('default timing meets the product target (virtual time)', () => {
  it('detects an Internet-path loss with p95 <= 3.0 s under the defaults (interval 1 s ± 0.1, timeout 0.8 s, fall 2)', async () => {
    const detections: number[] = [];
    const random = prng(42);
    for (let trial = 0; trial < 200; trial++) {
      const clock = createVirtualClock(0);
      // The fault lands uniformly anywhere in a round period, after the monitor is healthy.
      const faultAt = 10_000 + random() * 1000;
      // A blackholed path: probes sent after the fault never get an answer and time out at 800 ms.
      const probes = [0, 1, 2, 3].map((j) =>
        scripted(clock, `t${j}`, (_i, startedAt) => startedAt + 20 < faultAt, 20 + j * 5, 800),
      );
      const monitor = createMonitor({ clock, probes, initialState: 'healthy', random });
      let detectedAt: number | undefined;
      monitor.on('change', (e) => {
        if (e.to === 'unhealthy') detectedAt = e.at;
      });
      monitor.start();
      await clock.advanceTo(faultAt + 5000);
      await monitor.stop();
      expect(detectedAt).toBeDefined();
      detections.push(detectedAt! - faultAt);
    }
    detections.sort((a, b) => a - b);
    const p50 = detections[Math.floor(detections.length * 0.5)]!;
    const p95 = detections[Math.ceil(detections.length * 0.95) - 1]!;
    const max = detections[detections.length - 1]!;
    console.log(
      `net-health detection (virtual time, 200 faults): min ${Math.round(detections[0]!)} ms, p50 ${Math.round(p50)} ms, p95 ${Math.round(p95)} ms, max ${Math.round(max)} ms`,
    );
    expect(p95).toBeLessThanOrEqual(3000);
    expect(max).toBeLessThanOrEqual(3000);
    expect(detections[0]!).toBeGreaterThanOrEqual(1700);
  });

  it('recovers after exactly rise = 3 good rounds once the path is back', async () => {
    const clock = createVirtualClock(0);
    const down = (t: number) => t >= 5_000 && t < 9_000;
    const probes = [0, 1, 2, 3].map((j) => scripted(clock, `t${j}`, (_i, t) => !down(t), 20, 800));
    const monitor = createMonitor({ clock, probes, initialState: 'healthy', jitterMs: 0 });
    const changes: StateChangeEvent[] = [];
    monitor.on('change', (e) => changes.push(e));
    monitor.start();
    await clock.advanceTo(20_000);
    await monitor.stop();
    // Rounds at 5 s and 6 s fail (flip at 6.8 s); rounds at 9, 10, 11 s pass (flip at 11.02 s).
    expect(changes.map((c) => [c.to, c.at])).toEqual([
      ['unhealthy', 6_800],
      ['healthy', 11_020],
    ]);
  });
});

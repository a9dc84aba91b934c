import type { Clock } from './clock';
import { NetHealthError } from './errors';
import type { Probe, ProbeResult } from './probe';
import { abortedError } from './run-attempt';

/** One round: every target probed once, in parallel, and judged against the quorum. */
export interface RoundResult {
  /** 1 for the monitor's first round, then +1 per round. */
  seq: number;
  /** Clock time the round started (ms). */
  startedAt: number;
  durationMs: number;
  /** `passed >= quorum`. */
  ok: boolean;
  passed: number;
  total: number;
  quorum: number;
  /** One result per target, in the order the probes were given. */
  results: readonly ProbeResult[];
}

export interface RunRoundOptions {
  seq: number;
  probes: readonly Probe[];
  quorum: number;
  /** Any probe without a result by then counts as `PROBE_TIMEOUT`, even one that ignores its signal. */
  roundTimeoutMs: number;
  clock: Clock;
  /** Aborting rejects the round with `ABORTED`; the round is not judged. */
  signal: AbortSignal;
}

/** A result from a foreign probe, checked: a malformed one is a failure, never a silent pass. */
function checked(result: unknown, target: string): ProbeResult {
  const r = result as Partial<ProbeResult> | null;
  if (r == null || typeof r !== 'object' || typeof r.ok !== 'boolean') {
    return {
      target,
      ok: false,
      latencyMs: 0,
      error: { code: 'PROBE_FAILED', message: 'probe returned a malformed result' },
    };
  }
  const latencyMs = typeof r.latencyMs === 'number' && Number.isFinite(r.latencyMs) ? r.latencyMs : 0;
  if (r.ok) return { target, ok: true, latencyMs };
  const error = r.error ?? { code: 'PROBE_FAILED' as const, message: 'probe failed without a reason' };
  return { target, ok: false, latencyMs, error: { code: error.code, message: error.message } };
}

/**
 * Runs every probe once, concurrently, under one round deadline. Settles when all probes have a
 * result, when the deadline passes (stragglers become `PROBE_TIMEOUT`), or when `signal` aborts
 * (rejects `ABORTED`); it then aborts whatever is still running and removes its timer and listener.
 */
export function runRound(options: RunRoundOptions): Promise<RoundResult> {
  const { probes, quorum, roundTimeoutMs, clock, signal, seq } = options;
  if (signal.aborted) return Promise.reject(abortedError(signal));
  const startedAt = clock.now();
  const probeAbort = new AbortController();
  const deadline = new AbortController();
  const results: Array<ProbeResult | undefined> = probes.map(() => undefined);

  return new Promise<RoundResult>((resolve, reject) => {
    let finished = false;
    let pending = probes.length;
    const finish = (): void => {
      finished = true;
      deadline.abort();
      signal.removeEventListener('abort', onAbort);
      // Tear down stragglers (sockets, ping children) once the round has its answer.
      if (!probeAbort.signal.aborted) probeAbort.abort(new NetHealthError('ABORTED', 'round finished'));
    };
    const complete = (): void => {
      finish();
      const final = results.map(
        (r, i) =>
          r ?? {
            target: probes[i]!.target,
            ok: false,
            latencyMs: clock.now() - startedAt,
            error: {
              code: 'PROBE_TIMEOUT' as const,
              message: `no result within the round timeout of ${roundTimeoutMs} ms`,
            },
          },
      );
      const passed = final.filter((r) => r.ok).length;
      resolve(
        Object.freeze({
          seq,
          startedAt,
          durationMs: clock.now() - startedAt,
          ok: passed >= quorum,
          passed,
          total: final.length,
          quorum,
          results: Object.freeze(final.map((r) => Object.freeze(r))),
        }),
      );
    };
    const onAbort = (): void => {
      if (finished) return;
      finish();
      reject(abortedError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });

    clock.sleep(roundTimeoutMs, deadline.signal).then(
      () => {
        if (!finished) complete();
      },
      () => {
        // Cancelled: the round finished first.
      },
    );

    probes.forEach((probe, i) => {
      let run: Promise<ProbeResult>;
      try {
        run = probe.run({ signal: probeAbort.signal });
      } catch (err) {
        run = Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      run
        .then(
          (r) => checked(r, probe.target),
          (err: unknown): ProbeResult => {
            const e = NetHealthError.from(err);
            const code = e.code === 'ABORTED' || e.code === 'INVALID_OPTION' ? 'PROBE_FAILED' : e.code;
            return {
              target: probe.target,
              ok: false,
              latencyMs: clock.now() - startedAt,
              error: { code, message: e.message },
            };
          },
        )
        .then(
          (r) => {
            if (finished || results[i] != null) return;
            results[i] = r;
            pending -= 1;
            if (pending === 0) complete();
          },
          () => {},
        );
    });
  });
}

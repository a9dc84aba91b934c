import type { Clock } from './clock';
import { NetHealthError } from './errors';
import type { ProbeResult } from './probe';

/**
 * One probe attempt. Resolves on a pass, optionally with a latency it measured more precisely than
 * the wrapper can (ping's own RTT, time to HTTP headers); throws on a failure. It must tear down its
 * socket, child process or query when `signal` aborts.
 */
export type Attempt = (signal: AbortSignal) => Promise<number | undefined>;

export function abortedError(signal: AbortSignal): NetHealthError {
  return new NetHealthError('ABORTED', 'the probe was aborted', { cause: signal.reason });
}

/**
 * Runs `attempt` with a timeout on the injected clock and the caller's signal, and turns the outcome
 * into a `ProbeResult`:
 * - a pass: `ok: true` with the latency;
 * - a failure: `ok: false` with the normalized code (`NetHealthError.from`);
 * - the timeout firing first: `PROBE_TIMEOUT`, whatever the attempt does afterwards;
 * - the caller aborting: rejects with `ABORTED` (a stop is not a failed probe).
 * It settles as soon as the first of those happens, even if the attempt is slow to wind down, and
 * removes its timer and abort listener on settle.
 */
export function runAttempt(
  target: string,
  clock: Clock,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  attempt: Attempt,
): Promise<ProbeResult> {
  if (signal?.aborted === true) return Promise.reject(abortedError(signal));
  const startedAt = clock.now();
  const inner = new AbortController();
  const timer = new AbortController();
  return new Promise<ProbeResult>((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      timer.abort();
      signal?.removeEventListener('abort', onAbort);
      finish();
    };
    const onAbort = (): void => {
      inner.abort(signal?.reason);
      settle(() => reject(abortedError(signal as AbortSignal)));
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    clock.sleep(timeoutMs, timer.signal).then(
      () => {
        inner.abort(new NetHealthError('PROBE_TIMEOUT', `no answer within ${timeoutMs} ms`));
        settle(() =>
          resolve({
            target,
            ok: false,
            latencyMs: clock.now() - startedAt,
            error: { code: 'PROBE_TIMEOUT', message: `no answer within ${timeoutMs} ms` },
          }),
        );
      },
      () => {
        // The timer was cancelled because the attempt settled first.
      },
    );

    let run: Promise<number | undefined>;
    try {
      run = attempt(inner.signal);
    } catch (err) {
      run = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    run.then(
      (measured) =>
        settle(() => resolve({ target, ok: true, latencyMs: measured ?? clock.now() - startedAt })),
      (err: unknown) => {
        const e = NetHealthError.from(err);
        // An abort we did not ask for (c-ares ECANCELLED on resolver teardown) is still a failure.
        const code = e.code === 'ABORTED' ? 'PROBE_FAILED' : e.code;
        settle(() =>
          resolve({
            target,
            ok: false,
            latencyMs: clock.now() - startedAt,
            error: { code, message: e.message },
          }),
        );
      },
    );
  });
}

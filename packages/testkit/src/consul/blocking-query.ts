/**
 * Consul's blocking-query loop (`blockingquery.Query`, spec §4): run the query; without `?index`
 * return at once; otherwise return as soon as the result's index is above `?index`, else wait for a
 * change to the watched resource or the timeout (`wait`, default 300 s, capped at 600 s, plus up to
 * wait/16 of jitter — rule 61) and run it again. A result that is still "not found" on a later
 * iteration reports `?index` itself, so unrelated writes that move a table index do not end the
 * wait (the "not found keeps waiting" rule, rule 59).
 */
import { RpcError } from './http-errors';
import { rpcModeFor, type QueryOptions, type RequestContext } from './request-context';
import type { WatchEvent } from './state';

export interface QueryResult<T> {
  /** The index to report; a bigint only when it echoes `?index`. */
  index: number | bigint;
  /** The query found nothing (KV key missing, session unknown). */
  notFound?: boolean;
  value: T;
}

/** The effective timeout of a blocking query, jitter included (spec §4.1). */
export function blockingTimeoutMs(
  waitMs: number | undefined,
  limits: { defaultQueryTimeMs: number; maxQueryTimeMs: number },
  random: () => number,
): number {
  let w = waitMs == null || waitMs <= 0 ? limits.defaultQueryTimeMs : waitMs;
  if (w > limits.maxQueryTimeMs) w = limits.maxQueryTimeMs;
  // lib.RandomStagger(w / JitterFraction): added after the cap, as the code does.
  return w + random() * (w / 16);
}

function waitForEvent(
  ctx: RequestContext,
  ms: number,
  relevant: (e: WatchEvent) => boolean,
): Promise<boolean> {
  const { cluster } = ctx;
  return new Promise<boolean>((resolve, reject) => {
    cluster.parked++;
    const settle = (woke: boolean): void => {
      cluster.parked--;
      unwatch();
      cluster.clock.clearTimer(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      resolve(woke);
    };
    const onAbort = (): void => {
      cluster.parked--;
      unwatch();
      cluster.clock.clearTimer(timer);
      reject(ctx.signal.reason as Error);
    };
    const unwatch = cluster.state.watch((events) => {
      if (events.some(relevant)) settle(true);
    });
    const timer = cluster.clock.setTimer(() => settle(false), ms);
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}

export async function blockingQuery<T>(
  ctx: RequestContext,
  opts: QueryOptions,
  relevant: (e: WatchEvent) => boolean,
  run: () => QueryResult<T>,
  /** Server-side checks made once the RPC reached the servers, before the loop (ACLs). */
  before?: () => void,
): Promise<QueryResult<T>> {
  const { cluster } = ctx;
  await cluster.gate(ctx.agent, rpcModeFor(opts.consistency), ctx.signal);
  before?.();
  let result = run();
  if (opts.minIndex !== 0n) {
    const deadline =
      cluster.clock.now() + blockingTimeoutMs(opts.waitMs, cluster.options, cluster.options.random);
    let notFoundBefore = false;
    for (let first = true; ; first = false) {
      if (!first) {
        // ?consistent verifies leadership before every iteration (spec §4.4).
        if (opts.consistency === 'consistent' && !cluster.leaderUp)
          throw new RpcError('node is not the leader');
        result = run();
      }
      if (result.notFound === true) {
        if (notFoundBefore) result = { ...result, index: opts.minIndex };
        notFoundBefore = true;
      }
      if (BigInt(result.index) > opts.minIndex) break;
      const remaining = deadline - cluster.clock.now();
      if (remaining <= 0) break;
      if (!(await waitForEvent(ctx, remaining, relevant))) break;
    }
  }
  // A partitioned agent cannot receive the answer either (spec §7.3).
  if (ctx.agent.partitioned) await cluster.gate(ctx.agent, 'stale', ctx.signal);
  return result;
}

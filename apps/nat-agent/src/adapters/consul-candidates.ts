import { createTokenBucket, watchBlocking, type ConsulClient } from '@nat-ha/consul-lock';
import { describeError } from '../errors';
import type { Candidate, CandidateSource, Clock, Logger, Metrics, Role } from '../ports';
import { META_AZ, META_GROUP_PREFIX, META_INSTANCE } from './consul-presence';

interface HealthEntry {
  Node?: { Node?: string };
  Service?: { ID?: string; Meta?: Record<string, string> | null };
  Checks?: Array<{ CheckID?: string; Name?: string; Status?: string; Output?: string }>;
}

/** Parses `health/service/<name>` entries into candidates (instances without our Meta are skipped). */
export function parseCandidates(
  text: string,
): Array<Candidate & { checks: NonNullable<HealthEntry['Checks']> }> {
  const entries = JSON.parse(text) as HealthEntry[];
  const out: Array<Candidate & { checks: NonNullable<HealthEntry['Checks']> }> = [];
  for (const e of entries) {
    const meta = e.Service?.Meta ?? {};
    const instanceId = meta[META_INSTANCE];
    if (instanceId === undefined) continue;
    const groups: Record<string, Role> = {};
    for (const [k, v] of Object.entries(meta)) {
      if (k.startsWith(META_GROUP_PREFIX) && (v === 'primary' || v === 'rescue')) {
        groups[k.slice(META_GROUP_PREFIX.length)] = v;
      }
    }
    out.push({
      instanceId,
      node: e.Node?.Node ?? '',
      az: meta[META_AZ] ?? '',
      groups,
      checks: e.Checks ?? [],
    });
  }
  return out;
}

/**
 * Follows `health/service/<name>?passing` with blocking queries (consul-http-api.md §4, §6.6): the
 * agents whose every check passes — serfHealth, liveness and path health — are the candidates a
 * leader may hand over to. No polling: the query returns when the set changes.
 */
export function createConsulCandidates(options: {
  consul: ConsulClient;
  serviceName: string;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  signal: AbortSignal;
  waitMs?: number;
}): CandidateSource {
  const listeners = new Set<(c: readonly Candidate[]) => void>();
  let current: readonly Candidate[] | undefined;
  let lastKey = '';
  const waitMs = options.waitMs ?? 30_000;

  void (async () => {
    try {
      for await (const { value } of watchBlocking<Candidate[]>({
        clock: options.clock,
        signal: options.signal,
        waitMs,
        // The §4.3 rate limit, but lively: a leader deciding whether to resign needs a view that is
        // at most a few hundred ms old, and start-up churn (checks turning passing) must not push it
        // to the default one answer per second.
        bucket: createTokenBucket({ capacity: 5, refillIntervalMs: 250, clock: options.clock }),
        onError: (error) => {
          options.metrics.consulError('candidates', error.code);
          options.logger.event('warn', 'consul_error', {
            operation: 'candidates',
            error: describeError(error),
          });
        },
        query: async ({ index, waitMs: wait, signal }) => {
          const res = await options.consul.request({
            method: 'GET',
            path: `/v1/health/service/${encodeURIComponent(options.serviceName)}`,
            query: { passing: true, index, wait: index === undefined ? undefined : `${wait}ms` },
            timeoutMs:
              index === undefined ? undefined : wait + Math.ceil(wait / 16) + options.consul.requestTimeoutMs,
            signal,
            what: 'GET /v1/health/service?passing',
          });
          return {
            value: parseCandidates(res.text).map(({ checks: _c, ...c }) => c),
            index: res.meta.index,
          };
        },
      })) {
        const key = JSON.stringify(value);
        current = value;
        if (key === lastKey) continue;
        lastKey = key;
        for (const l of [...listeners]) l(value);
      }
    } catch (error) {
      if (options.signal.aborted) return;
      options.metrics.consulError('candidates', describeError(error).code);
      options.logger.event('error', 'consul_error', {
        operation: 'candidates',
        error: describeError(error),
        final: true,
      });
    }
  })();

  return {
    current: () => current,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

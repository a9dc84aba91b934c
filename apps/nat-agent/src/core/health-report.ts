import type { HealthLevel } from '../ports';

export type ReportedStatus = 'healthy' | 'degraded' | 'unhealthy';

/** What `/health` answers, and so what Consul's second check and every other agent see. */
export interface ReportedHealth {
  status: ReportedStatus;
  /** 200 passing, 429 warning, 503 critical (Consul HTTP check semantics, consul-http-api §6.3). */
  httpStatus: 200 | 429 | 503;
  reasons: string[];
}

const RANK: Record<ReportedStatus, number> = { unhealthy: 0, degraded: 1, healthy: 2 };
const HTTP: Record<ReportedStatus, 200 | 429 | 503> = { healthy: 200, degraded: 429, unhealthy: 503 };

export interface HealthInputs {
  level: HealthLevel;
  ready: boolean;
  readyReasons: string[];
  draining: boolean;
}

/**
 * The status this agent should advertise. A draining or not-ready agent says 503 even with a good
 * path, because other agents read `passing` as "a candidate who can take over now".
 */
export function desiredHealth(input: HealthInputs): ReportedHealth {
  const reasons: string[] = [];
  if (input.draining) reasons.push('draining');
  if (!input.ready) reasons.push(...input.readyReasons);
  if (input.level === 'unhealthy') reasons.push('Internet path unhealthy');
  if (input.level === 'unknown') reasons.push('Internet path not yet probed');
  let status: ReportedStatus;
  if (reasons.length > 0) status = 'unhealthy';
  else if (input.level === 'degraded') {
    status = 'degraded';
    reasons.push('Internet path degraded');
  } else status = 'healthy';
  return { status, httpStatus: HTTP[status], reasons };
}

/**
 * Holds a worse status back while any group is still acting on it (resigning, or moving routes to
 * the fallback while draining): Consul — and every other agent — only see "unhealthy" from a leader
 * once it has finished stepping down. Better news is published at once.
 */
export function gateHealth(
  previous: ReportedHealth,
  desired: ReportedHealth,
  acting: boolean,
): ReportedHealth {
  if (acting && RANK[desired.status] < RANK[previous.status]) return previous;
  return desired;
}

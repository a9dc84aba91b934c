import { describe, expect, it } from 'vitest';
import { evaluateHealth, HTTP_STATUS_BY_HEALTH } from './health-status';
import type { RoundResult } from './round';

const round = (seq: number, passed: number, total = 4, quorum = 2): RoundResult => ({
  seq,
  startedAt: seq * 1000,
  durationMs: 20,
  ok: passed >= quorum,
  passed,
  total,
  quorum,
  results: [],
});

describe('evaluateHealth', () => {
  it('maps statuses to the codes a Consul HTTP check reads (consul-http-api §6.3: 2xx passing, 429 warning, else critical)', () => {
    expect(HTTP_STATUS_BY_HEALTH).toEqual({ passing: 200, warning: 429, critical: 503 });
  });

  it('is critical when unhealthy, including before any round', () => {
    const none = evaluateHealth(
      { state: 'unhealthy', since: 0, streak: 0, rounds: [], quorum: 2 },
      'warning',
      5,
    );
    expect(none).toMatchObject({
      status: 'critical',
      state: 'unhealthy',
      degraded: false,
      reason: 'no round has passed yet',
    });
    const after = evaluateHealth(
      { state: 'unhealthy', since: 5, streak: 1, rounds: [round(1, 0)], quorum: 2 },
      'passing',
      5,
    );
    expect(after).toMatchObject({
      status: 'critical',
      since: 5,
      reason: 'unhealthy: last round 0/4 passed, quorum 2',
    });
  });

  it('is passing when healthy and the last round was clean', () => {
    const r = evaluateHealth(
      { state: 'healthy', since: 0, streak: 0, rounds: [round(1, 4)], quorum: 2 },
      'warning',
      5,
    );
    expect(r).toMatchObject({ status: 'passing', degraded: false, reason: 'healthy: last round 4/4 passed' });
  });

  it('reports a degraded healthy monitor as passing or warning, as configured (warning keeps the session, rule 53)', () => {
    const partial = { state: 'healthy' as const, since: 0, streak: 0, rounds: [round(1, 3)], quorum: 2 };
    expect(evaluateHealth(partial, 'passing', 5)).toMatchObject({ status: 'passing', degraded: true });
    expect(evaluateHealth(partial, 'warning', 5)).toMatchObject({
      status: 'warning',
      degraded: true,
      reason: 'degraded: last round 3/4 passed, quorum 2',
    });
    // A failed round that has not yet reached `fall` is degraded, never critical (rule 52).
    const falling = { state: 'healthy' as const, since: 0, streak: 1, rounds: [round(1, 0)], quorum: 2 };
    expect(evaluateHealth(falling, 'warning', 5).status).toBe('warning');
  });

  it('includes the last roundsInBody rounds', () => {
    const rounds = [1, 2, 3, 4, 5, 6].map((s) => round(s, 4));
    const snap = { state: 'healthy' as const, since: 0, streak: 0, rounds, quorum: 2 };
    expect(evaluateHealth(snap, 'passing', 2).rounds.map((r) => r.seq)).toEqual([5, 6]);
    expect(evaluateHealth(snap, 'passing', 0).rounds).toEqual([]);
  });
});

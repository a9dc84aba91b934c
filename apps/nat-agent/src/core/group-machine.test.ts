import { describe, expect, it } from 'vitest';
import type { RouteOutcome } from '../ports';
import {
  initialGroupState,
  phaseLabel,
  reduceGroup,
  type GroupEffect,
  type GroupEvent,
  type GroupFacts,
  type GroupSettings,
  type GroupState,
} from './group-machine';

const base: GroupSettings = {
  role: 'primary',
  fallback: false,
  rescueAfterMs: 10_000,
  handBackAfterMs: 30_000,
  fallbackHoldDownMs: 10_000,
  reconcileIntervalMs: 30_000,
  claimRetryBaseMs: 1_000,
  claimRetryMaxMs: 30_000,
  claimFailuresBeforeResign: 3,
  resignCooldownMs: 10_000,
};

const healthy: Partial<GroupFacts> = {
  health: 'healthy',
  ready: true,
  candidatesKnown: true,
  healthyCandidate: false,
  holder: 'none',
};

const token = { key: 'k', session: 's', lockIndex: 1 };
const outcome: RouteOutcome = { routes: [], changed: 2, movedFromOther: 2 };

/** Runs events in order; returns the final state and every effect, plus the effects of the last event. */
function run(
  events: GroupEvent[],
  settings: Partial<GroupSettings> = {},
  facts: Partial<GroupFacts> = healthy,
) {
  let state: GroupState = initialGroupState(facts);
  const all: GroupEffect[] = [];
  let last: GroupEffect[] = [];
  for (const e of events) {
    const r = reduceGroup(state, e, { ...base, ...settings });
    state = r.state;
    last = r.effects;
    all.push(...r.effects);
  }
  return { state, all, last, label: phaseLabel(state.phase) };
}

const types = (fx: GroupEffect[]) => fx.filter((f) => f.type !== 'notice').map((f) => f.type);
const notices = (fx: GroupEffect[]) => fx.flatMap((f) => (f.type === 'notice' ? [f.event] : []));
const timersSet = (fx: GroupEffect[]) => fx.flatMap((f) => (f.type === 'set-timer' ? [[f.name, f.ms]] : []));

/** The events that make a healthy primary the serving leader (claim workId 1). */
const toServing: GroupEvent[] = [
  { type: 'start' },
  { type: 'elected', token },
  { type: 'work-done', work: 'claim', workId: 1, outcome },
];

describe('group state machine: followers', () => {
  it('an eligible primary contends as soon as it starts', () => {
    const r = run([{ type: 'start' }]);
    expect(r.label).toBe('follower.contending');
    expect(types(r.all)).toEqual(['contend']);
  });

  it('stays in starting until started, whatever the facts say', () => {
    const r = run([{ type: 'facts', facts: { health: 'healthy' } }]);
    expect(r.label).toBe('starting');
    expect(r.all).toEqual([]);
  });

  it('an unhealthy primary stands by and never contends', () => {
    const r = run([{ type: 'start' }], {}, { ...healthy, health: 'unhealthy' });
    expect(r.label).toBe('follower.standing-by');
    expect(types(r.all)).toEqual([]);
  });

  it('a healthy primary with a broken data plane does not contend (refuses to lead)', () => {
    const r = run([{ type: 'start' }], {}, { ...healthy, ready: false });
    expect(r.label).toBe('follower.standing-by');
    expect(types(r.all)).not.toContain('contend');
  });

  it('a primary whose path health is still unknown does not contend', () => {
    const r = run([{ type: 'start' }], {}, { ...healthy, health: 'unknown' });
    expect(r.label).toBe('follower.standing-by');
  });

  it('a degraded path is still eligible', () => {
    const r = run([{ type: 'start' }], {}, { ...healthy, health: 'degraded' });
    expect(r.label).toBe('follower.contending');
  });

  it('a contender withdraws when its path goes unhealthy and contends again when it recovers', () => {
    const r = run([{ type: 'start' }, { type: 'facts', facts: { health: 'unhealthy' } }]);
    expect(r.label).toBe('follower.standing-by');
    expect(types(r.last)).toEqual(['withdraw']);
    const again = run([
      { type: 'start' },
      { type: 'facts', facts: { health: 'unhealthy' } },
      { type: 'facts', facts: { health: 'healthy' } },
    ]);
    expect(again.label).toBe('follower.contending');
    expect(types(again.last)).toEqual(['contend']);
  });

  it('a rescue waits while the group has a leader', () => {
    const r = run([{ type: 'start' }], { role: 'rescue' }, { ...healthy, holder: 'other' });
    expect(r.label).toBe('follower.rescue-waiting');
    expect(types(r.all)).toEqual([]);
  });

  it('a rescue contends only after the group has had no leader for rescueAfterMs', () => {
    const r = run([{ type: 'start' }], { role: 'rescue' }, { ...healthy, holder: 'none' });
    expect(r.label).toBe('follower.rescue-waiting');
    expect(timersSet(r.all)).toEqual([['rescue', 10_000]]);
    const fired = run(
      [{ type: 'start' }, { type: 'timer', name: 'rescue' }],
      { role: 'rescue' },
      {
        ...healthy,
        holder: 'none',
      },
    );
    expect(fired.label).toBe('follower.contending');
    expect(types(fired.last)).toEqual(['contend']);
  });

  it('a rescue timer is cancelled when a leader appears before it fires, and a late fire is ignored', () => {
    const r = run(
      [{ type: 'start' }, { type: 'facts', facts: { holder: 'other' } }, { type: 'timer', name: 'rescue' }],
      { role: 'rescue' },
      { ...healthy, holder: 'none' },
    );
    expect(types(r.all)).toEqual(['set-timer', 'clear-timer']);
    expect(r.label).toBe('follower.rescue-waiting');
  });

  it('a ready rescue keeps contending when the key watch shows its own acquire before `elected`', () => {
    const r = run(
      [{ type: 'start' }, { type: 'timer', name: 'rescue' }, { type: 'facts', facts: { holder: 'self' } }],
      { role: 'rescue' },
      { ...healthy, holder: 'none' },
    );
    expect(types(r.last)).toEqual([]);
    expect(r.label).toBe('follower.contending');
  });

  it('a ready rescue withdraws when another agent takes the lock first', () => {
    const r = run(
      [{ type: 'start' }, { type: 'timer', name: 'rescue' }, { type: 'facts', facts: { holder: 'other' } }],
      { role: 'rescue' },
      { ...healthy, holder: 'none' },
    );
    expect(types(r.last)).toEqual(['withdraw']);
    expect(r.state.rescueReady).toBe(false);
  });

  it('an unhealthy agent contends as the fenced fallback writer only when no healthy candidate exists', () => {
    const facts = { ...healthy, health: 'unhealthy' as const };
    expect(run([{ type: 'start' }], { fallback: true }, facts).label).toBe('follower.contending');
    expect(run([{ type: 'start' }], { fallback: true }, { ...facts, healthyCandidate: true }).label).toBe(
      'follower.standing-by',
    );
    expect(run([{ type: 'start' }], { fallback: false }, facts).label).toBe('follower.standing-by');
    // Consul not read yet: "no candidate" is not known, so no fallback contention.
    expect(run([{ type: 'start' }], { fallback: true }, { ...facts, candidatesKnown: false }).label).toBe(
      'follower.standing-by',
    );
  });
});

describe('group state machine: leaders', () => {
  it('elected → claiming (claim inside the lease) → serving with the reconcile timer armed', () => {
    const r = run([{ type: 'start' }, { type: 'elected', token }]);
    expect(r.label).toBe('leader.claiming');
    expect(r.last).toContainEqual({ type: 'start-work', work: 'claim', workId: 1, term: 1 });
    expect(notices(r.last)).toContain('elected');
    const s = run(toServing);
    expect(s.label).toBe('leader.serving');
    expect(s.state.claimed).toBe(true);
    expect(timersSet(s.last)).toEqual([['reconcile', 30_000]]);
  });

  it('serving → reconciling on the reconcile timer → serving again', () => {
    const r = run([...toServing, { type: 'timer', name: 'reconcile' }]);
    expect(r.label).toBe('leader.reconciling');
    expect(r.last).toContainEqual({ type: 'start-work', work: 'reconcile', workId: 2, term: 1 });
    const back = run([
      ...toServing,
      { type: 'timer', name: 'reconcile' },
      { type: 'work-done', work: 'reconcile', workId: 2, outcome },
    ]);
    expect(back.label).toBe('leader.serving');
    expect(timersSet(back.last)).toEqual([['reconcile', 30_000]]);
  });

  it('deposed while claiming: the claim is aborted, and its late result is ignored', () => {
    const r = run([
      { type: 'start' },
      { type: 'elected', token },
      { type: 'deposed', reason: 'session invalidated' },
    ]);
    expect(types(r.last)).toEqual(expect.arrayContaining(['abort-work', 'failover']));
    expect(r.last).toContainEqual({ type: 'failover', reason: 'deposed' });
    expect(notices(r.last)).toContain('deposed');
    expect(r.label).toBe('follower.contending');
    const late = reduceGroup(r.state, { type: 'work-done', work: 'claim', workId: 1, outcome }, base);
    expect(late.effects).toEqual([]);
    expect(phaseLabel(late.state.phase)).toBe('follower.contending');
  });

  it('deposed while serving clears every leader timer', () => {
    const r = run([...toServing, { type: 'deposed', reason: 'key lost' }]);
    expect(r.last).toContainEqual({ type: 'clear-timer', name: 'reconcile' });
    expect(r.state.timers).toEqual([]);
  });

  it('health lost while leading with a healthy candidate: resign at once, then follower', () => {
    const r = run([...toServing, { type: 'facts', facts: { health: 'unhealthy', healthyCandidate: true } }]);
    expect(r.label).toBe('leader.resigning');
    expect(r.last).toContainEqual({ type: 'resign', reason: 'health_lost', term: 1 });
    const done = run([
      ...toServing,
      { type: 'facts', facts: { health: 'unhealthy', healthyCandidate: true } },
      { type: 'resigned', term: 1 },
    ]);
    expect(done.label).toBe('follower.standing-by');
    expect(done.last).toContainEqual({ type: 'failover', reason: 'health_lost' });
    expect(notices(done.last)).toContain('resigned');
  });

  it('health lost while claiming aborts the claim before resigning', () => {
    const r = run([
      { type: 'start' },
      { type: 'elected', token },
      { type: 'facts', facts: { health: 'unhealthy', healthyCandidate: true } },
    ]);
    const t = types(r.last);
    expect(t.indexOf('abort-work')).toBeLessThan(t.indexOf('resign'));
  });

  it('data plane breaking under a leader with a candidate resigns with reason not_ready', () => {
    const r = run([...toServing, { type: 'facts', facts: { ready: false, healthyCandidate: true } }]);
    expect(r.last).toContainEqual({ type: 'resign', reason: 'not_ready', term: 1 });
  });

  it('health lost with no candidate and no fallback: keeps serving (a live NAT beats no route)', () => {
    const r = run([...toServing, { type: 'facts', facts: { health: 'unhealthy' } }]);
    expect(r.label).toBe('leader.serving');
    expect(types(r.last)).toEqual([]);
  });

  it('a healthy candidate appearing later makes an unhealthy leader resign', () => {
    const r = run([
      ...toServing,
      { type: 'facts', facts: { health: 'unhealthy' } },
      { type: 'facts', facts: { healthyCandidate: true } },
    ]);
    expect(r.last).toContainEqual({ type: 'resign', reason: 'health_lost', term: 1 });
  });

  it('fallback: engages after the hold-down when no healthy candidate exists', () => {
    const s = { fallback: true };
    const pending = run([...toServing, { type: 'facts', facts: { health: 'unhealthy' } }], s);
    expect(pending.label).toBe('leader.fallback-pending');
    expect(timersSet(pending.last)).toEqual([['fallback-hold', 10_000]]);
    const engaging = run(
      [
        ...toServing,
        { type: 'facts', facts: { health: 'unhealthy' } },
        { type: 'timer', name: 'fallback-hold' },
      ],
      s,
    );
    expect(engaging.label).toBe('leader.engaging-fallback');
    expect(engaging.last).toContainEqual({ type: 'start-work', work: 'fallback', workId: 2, term: 1 });
    const engaged = run(
      [
        ...toServing,
        { type: 'facts', facts: { health: 'unhealthy' } },
        { type: 'timer', name: 'fallback-hold' },
        { type: 'work-done', work: 'fallback', workId: 2, outcome },
      ],
      s,
    );
    expect(engaged.label).toBe('leader.fallback');
    expect(engaged.state.fallbackActive).toBe(true);
    expect(notices(engaged.last)).toContain('fallback_engaged');
    expect(engaged.last).toContainEqual({ type: 'failover', reason: 'fallback' });
  });

  it('fallback: health recovering during the hold-down cancels it and keeps serving', () => {
    const r = run(
      [
        ...toServing,
        { type: 'facts', facts: { health: 'unhealthy' } },
        { type: 'facts', facts: { health: 'healthy' } },
      ],
      { fallback: true },
    );
    expect(r.label).toBe('leader.serving');
    expect(r.last).toContainEqual({ type: 'clear-timer', name: 'fallback-hold' });
  });

  it('fallback: disengages by reclaiming the routes once this leader is healthy again', () => {
    const r = run(
      [
        ...toServing,
        { type: 'facts', facts: { health: 'unhealthy' } },
        { type: 'timer', name: 'fallback-hold' },
        { type: 'work-done', work: 'fallback', workId: 2, outcome },
        { type: 'facts', facts: { health: 'healthy' } },
      ],
      { fallback: true },
    );
    expect(r.label).toBe('leader.claiming');
    expect(notices(r.last)).toContain('fallback_disengaged');
    expect(r.last).toContainEqual({ type: 'start-work', work: 'claim', workId: 3, term: 1 });
  });

  it('fallback: a healthy candidate appearing makes the fallback holder resign', () => {
    const r = run(
      [
        ...toServing,
        { type: 'facts', facts: { health: 'unhealthy' } },
        { type: 'timer', name: 'fallback-hold' },
        { type: 'work-done', work: 'fallback', workId: 2, outcome },
        { type: 'facts', facts: { healthyCandidate: true } },
      ],
      { fallback: true },
    );
    expect(r.last).toContainEqual({ type: 'resign', reason: 'health_lost', term: 1 });
  });

  it('an unhealthy fallback writer elected goes to fallback-pending, not claiming', () => {
    const r = run(
      [{ type: 'start' }, { type: 'elected', token }],
      { fallback: true },
      { ...healthy, health: 'unhealthy' },
    );
    expect(r.label).toBe('leader.fallback-pending');
    expect(types(r.last)).not.toContain('start-work');
  });

  it('a fallback writer turning healthy during the hold-down claims the routes for itself', () => {
    const r = run(
      [{ type: 'start' }, { type: 'elected', token }, { type: 'facts', facts: { health: 'healthy' } }],
      { fallback: true },
      { ...healthy, health: 'unhealthy' },
    );
    expect(r.label).toBe('leader.claiming');
  });

  it('elected while unhealthy but a healthy candidate exists: resigns straight away', () => {
    const r = run(
      [{ type: 'start' }, { type: 'elected', token }],
      {},
      { ...healthy, health: 'unhealthy', healthyCandidate: true },
    );
    expect(r.label).toBe('leader.resigning');
  });

  it('rescue hand-back: resigns once a healthy primary has been available for handBackAfterMs', () => {
    const s = { role: 'rescue' as const };
    const armed = run(
      [...toServing, { type: 'facts', facts: { primaryCandidate: true, healthyCandidate: true } }],
      s,
    );
    expect(timersSet(armed.last)).toEqual([['hand-back', 30_000]]);
    expect(notices(armed.last)).toContain('hand_back_armed');
    const fired = run(
      [
        ...toServing,
        { type: 'facts', facts: { primaryCandidate: true, healthyCandidate: true } },
        { type: 'timer', name: 'hand-back' },
      ],
      s,
    );
    expect(fired.last).toContainEqual({ type: 'resign', reason: 'hand_back', term: 1 });
    const after = run(
      [
        ...toServing,
        { type: 'facts', facts: { primaryCandidate: true, healthyCandidate: true } },
        { type: 'timer', name: 'hand-back' },
        { type: 'resigned', term: 1 },
      ],
      s,
      { ...healthy, holder: 'self' },
    );
    // It must not race the primary for the lock it just released.
    expect(after.state.rescueReady).toBe(false);
    expect(after.label).toBe('follower.rescue-waiting');
    expect(types(after.last)).not.toContain('contend');
  });

  it('rescue hand-back is cancelled when the primary disappears before the hold-down ends', () => {
    const r = run(
      [
        ...toServing,
        { type: 'facts', facts: { primaryCandidate: true, healthyCandidate: true } },
        { type: 'facts', facts: { primaryCandidate: false, healthyCandidate: false } },
        { type: 'timer', name: 'hand-back' },
      ],
      { role: 'rescue' },
    );
    expect(r.label).toBe('leader.serving');
    expect(r.all).toContainEqual({ type: 'clear-timer', name: 'hand-back' });
  });

  it('a primary leader never hands back to another primary (no preemption, no flapping)', () => {
    const r = run([
      ...toServing,
      { type: 'facts', facts: { primaryCandidate: true, healthyCandidate: true } },
    ]);
    expect(types(r.last)).toEqual([]);
  });

  it('claim failures retry with doubling delays', () => {
    const err = { code: 'EC2_UNAVAILABLE', message: 'x', retryable: true };
    const r = run([
      { type: 'start' },
      { type: 'elected', token },
      { type: 'work-failed', work: 'claim', workId: 1, error: err },
      { type: 'timer', name: 'claim-retry' },
      { type: 'work-failed', work: 'claim', workId: 2, error: err },
    ]);
    expect(timersSet(r.all)).toEqual([
      ['claim-retry', 1_000],
      ['claim-retry', 2_000],
    ]);
    expect(r.label).toBe('leader.claiming');
    expect(notices(r.all).filter((n) => n === 'claim_failed')).toHaveLength(2);
  });

  it('after claimFailuresBeforeResign failures a leader with a healthy candidate steps aside and cools down', () => {
    const err = { code: 'UNAUTHORIZED', message: 'x', retryable: false };
    const events: GroupEvent[] = [{ type: 'start' }, { type: 'elected', token }];
    for (let i = 1; i <= 3; i++) {
      events.push({ type: 'work-failed', work: 'claim', workId: i, error: err });
      if (i < 3) events.push({ type: 'timer', name: 'claim-retry' });
    }
    const r = run(events, {}, { ...healthy, healthyCandidate: true });
    expect(r.last).toContainEqual({ type: 'resign', reason: 'claim_failed', term: 1 });
    const cooled = run(
      [...events, { type: 'resigned', term: 1 }],
      {},
      { ...healthy, healthyCandidate: true },
    );
    expect(cooled.label).toBe('follower.standing-by');
    expect(timersSet(cooled.last)).toEqual([['cooldown', 10_000]]);
    expect(types(cooled.last)).not.toContain('contend');
    const back = run(
      [...events, { type: 'resigned', term: 1 }, { type: 'timer', name: 'cooldown' }],
      {},
      {
        ...healthy,
        healthyCandidate: true,
      },
    );
    expect(back.label).toBe('follower.contending');
  });

  it('an aborted work result is not a failure', () => {
    const r = run([
      { type: 'start' },
      { type: 'elected', token },
      {
        type: 'work-failed',
        work: 'claim',
        workId: 1,
        error: { code: 'ABORTED', message: '', retryable: false },
      },
    ]);
    expect(r.last).toEqual([]);
  });

  it('deposed while resigning counts the resignation once; the later resigned event is ignored', () => {
    const r = run([
      ...toServing,
      { type: 'facts', facts: { health: 'unhealthy', healthyCandidate: true } },
      { type: 'deposed', reason: 'released' },
    ]);
    expect(notices(r.last)).toEqual(expect.arrayContaining(['resigned']));
    expect(notices(r.last)).not.toContain('deposed');
    expect(r.last.filter((f) => f.type === 'failover')).toEqual([
      { type: 'failover', reason: 'health_lost' },
    ]);
    const again = reduceGroup(r.state, { type: 'resigned', term: 1 }, base);
    expect(again.effects).toEqual([]);
  });

  it('a duplicate elected notification does not start a second claim', () => {
    const r = run([{ type: 'start' }, { type: 'elected', token }, { type: 'elected', token }]);
    expect(r.last).toEqual([]);
    expect(r.state.term).toBe(1);
  });
});

describe('group state machine: drain and stop', () => {
  it('a follower drains by withdrawing', () => {
    const r = run([{ type: 'start' }, { type: 'drain' }]);
    expect(r.label).toBe('draining.released');
    expect(types(r.last)).toEqual(['withdraw']);
  });

  it('a leader with a successor available drains by resigning (release first), then is released', () => {
    const r = run([...toServing, { type: 'drain' }], {}, { ...healthy, healthyCandidate: true });
    expect(r.label).toBe('draining.resigning');
    expect(r.last).toContainEqual({ type: 'resign', reason: 'drain', term: 1 });
    const done = run(
      [...toServing, { type: 'drain' }, { type: 'resigned', term: 1 }],
      {},
      { ...healthy, healthyCandidate: true },
    );
    expect(done.label).toBe('draining.released');
    expect(done.last).toContainEqual({ type: 'failover', reason: 'drain' });
  });

  it('a leader with no possible successor and a fallback points routes at the fallback before resigning', () => {
    const r = run([...toServing, { type: 'drain' }], { fallback: true });
    expect(r.label).toBe('draining.engaging-fallback');
    expect(r.last).toContainEqual({ type: 'start-work', work: 'fallback', workId: 2, term: 1 });
    const engaged = run(
      [...toServing, { type: 'drain' }, { type: 'work-done', work: 'fallback', workId: 2, outcome }],
      {
        fallback: true,
      },
    );
    expect(engaged.label).toBe('draining.resigning');
    expect(engaged.last).toContainEqual({ type: 'resign', reason: 'drain', term: 1 });
  });

  it('a failed fallback during drain still resigns', () => {
    const r = run(
      [
        ...toServing,
        { type: 'drain' },
        {
          type: 'work-failed',
          work: 'fallback',
          workId: 2,
          error: { code: 'EC2_TIMEOUT', message: '', retryable: true },
        },
      ],
      { fallback: true },
    );
    expect(r.label).toBe('draining.resigning');
    expect(notices(r.last)).toContain('fallback_failed');
  });

  it('a leader already on the fallback just resigns when drained', () => {
    const r = run(
      [
        ...toServing,
        { type: 'facts', facts: { health: 'unhealthy' } },
        { type: 'timer', name: 'fallback-hold' },
        { type: 'work-done', work: 'fallback', workId: 2, outcome },
        { type: 'drain' },
      ],
      { fallback: true },
    );
    expect(r.label).toBe('draining.resigning');
    expect(types(r.last)).not.toContain('start-work');
  });

  it('drain while claiming aborts the claim before resigning', () => {
    const r = run(
      [{ type: 'start' }, { type: 'elected', token }, { type: 'drain' }],
      {},
      { ...healthy, healthyCandidate: true },
    );
    const t = types(r.last);
    expect(t.indexOf('abort-work')).toBeLessThan(t.indexOf('resign'));
  });

  it('an election won after the drain began is handed straight back', () => {
    const r = run([{ type: 'start' }, { type: 'drain' }, { type: 'elected', token }]);
    expect(r.label).toBe('draining.resigning');
    expect(r.last).toContainEqual({ type: 'resign', reason: 'drain', term: 1 });
  });

  it('the release seen as a deposition during the drain counts as the resignation, once', () => {
    const r = run(
      [...toServing, { type: 'drain' }, { type: 'deposed', reason: 'resigned' }],
      {},
      { ...healthy, healthyCandidate: true },
    );
    expect(r.label).toBe('draining.released');
    expect(notices(r.last)).toEqual(['resigned']);
    expect(r.last).toContainEqual({ type: 'failover', reason: 'drain' });
    expect(reduceGroup(r.state, { type: 'resigned', term: 1 }, base).effects).toEqual([]);
  });

  it('deposed while moving routes to the fallback during the drain is a real deposition', () => {
    const r = run([...toServing, { type: 'drain' }, { type: 'deposed', reason: 'session invalidated' }], {
      fallback: true,
    });
    expect(r.label).toBe('draining.released');
    expect(notices(r.last)).toEqual(['deposed']);
    expect(r.last).toContainEqual({ type: 'abort-work' });
  });

  it('a second drain is ignored', () => {
    const r = run(
      [...toServing, { type: 'drain' }, { type: 'drain' }],
      {},
      { ...healthy, healthyCandidate: true },
    );
    expect(r.last).toEqual([]);
  });

  it('stop clears every timer and withdraws', () => {
    const r = run([{ type: 'start' }, { type: 'stop' }], { role: 'rescue' }, { ...healthy, holder: 'none' });
    expect(r.label).toBe('stopped');
    expect(r.state.timers).toEqual([]);
    expect(r.last).toContainEqual({ type: 'clear-timer', name: 'rescue' });
  });
});

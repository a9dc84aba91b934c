import { once } from 'node:events';
import { createVirtualClock, type AwsEmulator, type VirtualClock } from '@nat-ha/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createImdsClient } from '../src/imds-client';
import { shouldHandOff, type InterruptionEvent } from '../src/interruption-notices';
import {
  watchInterruptions,
  type InterruptionWatcher,
  type PollErrorEvent,
} from '../src/interruption-watcher';
import { firstInstance, startWorld } from './support/aws-world';
import { advanceUntil } from './support/virtual-time';

// Integration tier: the watcher against the emulator's IMDS notices (§3.5, rules 43–45), with the
// emulator and the watcher on one virtual clock so five-second polls cost no real time.

let aws: AwsEmulator | undefined;
let stop = new AbortController();
afterEach(async () => {
  stop.abort();
  await aws?.close();
  aws = undefined;
});

async function watch() {
  const clock = createVirtualClock();
  ({ aws } = await startWorld({ clock }));
  const id = firstInstance(aws);
  const imds = createImdsClient({ endpoint: aws.imdsUrl(id), clock });
  stop = new AbortController();
  const watcher = watchInterruptions({ imds, clock, signal: stop.signal });
  const events: InterruptionEvent[] = [];
  const errors: PollErrorEvent[] = [];
  let polls = 0;
  watcher.on('interruption', (e) => events.push(e));
  watcher.on('poll-error', (e) => errors.push(e));
  watcher.on('poll', () => polls++);
  await advanceUntil(clock, () => polls === 1, { stepMs: 1 });
  return { world: aws, id, clock, watcher, events, errors, polls: () => polls };
}

/** Advances one interval and waits for that poll to finish (however long its IMDS calls take). */
async function nextPoll(watcher: InterruptionWatcher, clock: VirtualClock, polls: () => number) {
  const target = polls() + 1;
  const done = once(watcher, 'poll');
  await clock.advance(5_000);
  await advanceUntil(clock, () => polls() >= target, { stepMs: 10 });
  await done;
}

describe('watchInterruptions against the emulator', () => {
  it('emits spot, rebalance, lifecycle and each maintenance notice exactly once (rules 43–45)', async () => {
    const { world, id, clock, watcher, events, errors, polls } = await watch();
    expect(events).toEqual([]);

    const spot = world.control.sendSpotInterruption(id, { action: 'stop', enforce: false });
    await nextPoll(watcher, clock, polls);
    world.control.sendRebalanceRecommendation(id);
    const stopId = world.control.scheduleMaintenance(id, { code: 'instance-stop', notBeforeMs: 3_600_000 });
    const retireId = world.control.scheduleMaintenance(id, {
      code: 'instance-retirement',
      notBeforeMs: 86_400_000,
    });
    const rebootId = world.control.scheduleMaintenance(id, { code: 'system-reboot' });
    await nextPoll(watcher, clock, polls);
    world.control.terminateInAutoScalingGroup(id);
    for (let i = 0; i < 6; i++) await nextPoll(watcher, clock, polls);

    expect(errors).toEqual([]);
    expect(events.map((e) => e.type).sort()).toEqual([
      'lifecycle-state',
      'rebalance-recommendation',
      'scheduled-maintenance',
      'scheduled-maintenance',
      'scheduled-maintenance',
      'spot-interruption',
    ]);
    expect(events.find((e) => e.type === 'spot-interruption')).toMatchObject({
      action: 'stop',
      deadline: new Date(spot.time),
    });
    expect(events.find((e) => e.type === 'lifecycle-state')).toMatchObject({
      targetState: 'Terminated',
      previousState: 'InService',
    });
    const maintenance = events.filter((e) => e.type === 'scheduled-maintenance');
    expect(new Map(maintenance.map((e) => [e.eventId, e.code]))).toEqual(
      new Map([
        [stopId, 'instance-stop'],
        [retireId, 'instance-retirement'],
        [rebootId, 'system-reboot'],
      ]),
    );
    const stopEvent = maintenance.find((e) => e.eventId === stopId)!;
    // The emulator prints whole seconds in the `21 Jan 2019 09:00:43 GMT` format (rule 45).
    expect(stopEvent.notBefore?.getTime()).toBe(
      Math.floor((stopEvent.observedAt.getTime() - 5_000 + 3_600_000) / 1000) * 1000,
    );
    expect(events.every(shouldHandOff)).toBe(true);
    // Four GETs per poll on one token.
    const requests = world.control.imdsRequests(id);
    expect(requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
    expect(requests.filter((r) => r.method === 'GET')).toHaveLength(4 * polls());
  });

  it('reports a warm-pool transition and the return to service', async () => {
    const { world, id, clock, watcher, events, polls } = await watch();
    world.control.setTargetLifecycleState(id, 'Warmed:Stopped');
    await nextPoll(watcher, clock, polls);
    await nextPoll(watcher, clock, polls);
    world.control.setTargetLifecycleState(id, null);
    await nextPoll(watcher, clock, polls);
    expect(
      events.map((e) => (e.type === 'lifecycle-state' ? `${e.previousState}→${e.targetState}` : e.type)),
    ).toEqual(['InService→Warmed:Stopped', 'Warmed:Stopped→InService']);
  });

  it('survives an IMDS outage: reports it, keeps polling, never repeats a notice', async () => {
    const { world, id, clock, watcher, events, errors, polls } = await watch();
    world.control.sendSpotInterruption(id, { enforce: false });
    await nextPoll(watcher, clock, polls);
    world.control.setImdsOutage(id, { mode: 'error', status: 500 });
    await nextPoll(watcher, clock, polls);
    await nextPoll(watcher, clock, polls);
    world.control.setImdsOutage(id, null);
    world.control.sendRebalanceRecommendation(id);
    await nextPoll(watcher, clock, polls);
    await nextPoll(watcher, clock, polls);
    expect(events.map((e) => e.type)).toEqual(['spot-interruption', 'rebalance-recommendation']);
    // Two failed polls × four sources, each counted per source.
    expect(errors).toHaveLength(8);
    expect(new Set(errors.map((e) => e.error.code))).toEqual(new Set(['IMDS_UNAVAILABLE']));
    expect(errors.filter((e) => e.source === 'spot').map((e) => e.consecutiveFailures)).toEqual([1, 2]);
  });

  it('a hung IMDS delays a poll only by the bounded timeouts, then polling resumes', async () => {
    const { world, id, clock, watcher, events, errors, polls } = await watch();
    world.control.setImdsOutage(id, { mode: 'hang' });
    const before = clock.now();
    await nextPoll(watcher, clock, polls);
    // 5 s interval + at most 3 × 1 s timeouts + 100 + 200 ms backoff.
    expect(clock.now() - before).toBeLessThanOrEqual(5_000 + 3_300 + 100);
    expect(errors.map((e) => e.error.code)).toEqual(Array(4).fill('IMDS_UNAVAILABLE'));
    world.control.setImdsOutage(id, null);
    world.control.sendRebalanceRecommendation(id);
    await nextPoll(watcher, clock, polls);
    expect(events.map((e) => e.type)).toEqual(['rebalance-recommendation']);
  });

  it('stops on signal: the iterator ends and the emulator sees no further request', async () => {
    const { world, id, clock, watcher, polls } = await watch();
    const iterator = watcher[Symbol.asyncIterator]();
    world.control.sendSpotInterruption(id, { action: 'hibernate', enforce: false });
    await nextPoll(watcher, clock, polls);
    await expect(iterator.next()).resolves.toMatchObject({ done: false, value: { action: 'hibernate' } });
    stop.abort();
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
    const seen = world.control.imdsRequests(id).length;
    await clock.advance(60_000);
    expect(world.control.imdsRequests(id)).toHaveLength(seen);
  });
});

import { once } from 'node:events';
import { createVirtualClock, type VirtualClock } from '@nat-ha/testkit';
import { describe, expect, it } from 'vitest';
import { createImdsClient } from './imds-client';
import type { InterruptionEvent } from './interruption-notices';
import {
  watchInterruptions,
  type InterruptionWatcher,
  type PollErrorEvent,
  type WatchInterruptionsOptions,
} from './interruption-watcher';
import { createMockImds } from '../test/support/mock-imds';

/** What the fake IMDS currently says; tests change it between polls. */
interface Scene {
  spot?: string;
  rebalance?: string;
  lifecycle?: string;
  maintenance: string;
  /** path suffix → HTTP status to answer instead (e.g. a transient 500). */
  failing: Map<string, number>;
}

const PATHS = {
  spot: '/latest/meta-data/spot/instance-action',
  rebalance: '/latest/meta-data/events/recommendations/rebalance',
  lifecycle: '/latest/meta-data/autoscaling/target-lifecycle-state',
  maintenance: '/latest/meta-data/events/maintenance/scheduled',
} as const;

function setup(options: Partial<WatchInterruptionsOptions> = {}) {
  const scene: Scene = { lifecycle: 'InService', maintenance: '[]', failing: new Map() };
  const mock = createMockImds((call) => {
    if (call.method === 'PUT') return { status: 200, body: 'tok' };
    const failure = scene.failing.get(call.path);
    if (failure != null) return { status: failure };
    const key = (Object.keys(PATHS) as (keyof typeof PATHS)[]).find((k) => PATHS[k] === call.path);
    const value = key == null ? undefined : scene[key];
    return value == null ? { status: 404 } : { status: 200, body: value };
  });
  const clock = createVirtualClock();
  // One attempt per read so a transient failure surfaces in that poll (retries are tested elsewhere).
  const imds = createImdsClient({ dispatcher: mock.agent, clock, maxAttempts: 1 });
  const controller = new AbortController();
  const watcher = watchInterruptions({ imds, clock, signal: controller.signal, ...options });
  const events: InterruptionEvent[] = [];
  const errors: PollErrorEvent[] = [];
  watcher.on('interruption', (e) => events.push(e));
  watcher.on('poll-error', (e) => errors.push(e));
  return { scene, mock, clock, watcher, controller, events, errors };
}

/** Waits for the poll the next `ms` of virtual time triggers (the first poll runs at once). */
async function poll(watcher: InterruptionWatcher, clock: VirtualClock, ms = 5_000) {
  const done = once(watcher, 'poll');
  await clock.advance(ms);
  return (await done)[0] as { ok: boolean; emitted: number };
}

const spotBody = (action: string, time: string) => JSON.stringify({ action, time });

describe('watchInterruptions', () => {
  it('polls the four sources every intervalMs and emits nothing while there is no notice', async () => {
    const { watcher, clock, mock, events, controller } = setup();
    await poll(watcher, clock, 0);
    for (let i = 0; i < 3; i++)
      expect(await poll(watcher, clock)).toEqual({ at: expect.any(Date), ok: true, emitted: 0 });
    expect(events).toEqual([]);
    for (const path of Object.values(PATHS))
      expect(mock.gets().filter((c) => c.path === path)).toHaveLength(4);
    expect(mock.puts()).toHaveLength(1);
    controller.abort();
    await watcher.close();
  });

  it('emits a Spot notice exactly once however many polls still see it (rule 43)', async () => {
    const { watcher, clock, scene, events, controller } = setup();
    const iterator = watcher[Symbol.asyncIterator]();
    await poll(watcher, clock, 0);
    scene.spot = spotBody('terminate', '2024-01-01T00:02:05Z');
    for (let i = 0; i < 5; i++) await poll(watcher, clock);
    expect(events).toEqual([
      {
        type: 'spot-interruption',
        action: 'terminate',
        deadline: new Date('2024-01-01T00:02:05Z'),
        observedAt: new Date(clock.now() - 4 * 5_000),
      },
    ]);
    await expect(iterator.next()).resolves.toEqual({ value: events[0], done: false });
    controller.abort();
    await expect(iterator.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('a changed Spot notice (new action or deadline) is a new event', async () => {
    const { watcher, clock, scene, events, controller } = setup();
    scene.spot = spotBody('stop', '2024-01-01T00:02:00Z');
    await poll(watcher, clock, 0);
    scene.spot = spotBody('terminate', '2024-01-01T00:02:00Z');
    await poll(watcher, clock);
    await poll(watcher, clock);
    scene.spot = spotBody('terminate', '2024-01-01T00:03:00Z');
    await poll(watcher, clock);
    expect(
      events.map((e) =>
        e.type === 'spot-interruption' ? `${e.action} ${e.deadline.toISOString()}` : e.type,
      ),
    ).toEqual([
      'stop 2024-01-01T00:02:00.000Z',
      'terminate 2024-01-01T00:02:00.000Z',
      'terminate 2024-01-01T00:03:00.000Z',
    ]);
    controller.abort();
  });

  it('emits a rebalance recommendation once (rule 43)', async () => {
    const { watcher, clock, scene, events, controller } = setup();
    await poll(watcher, clock, 0);
    scene.rebalance = JSON.stringify({ noticeTime: '2024-01-01T00:00:07Z' });
    await poll(watcher, clock);
    await poll(watcher, clock);
    expect(events).toEqual([
      {
        type: 'rebalance-recommendation',
        noticeTime: new Date('2024-01-01T00:00:07Z'),
        observedAt: expect.any(Date),
      },
    ]);
    controller.abort();
  });

  it('emits a lifecycle event per transition, not for the initial InService (rule 44)', async () => {
    const { watcher, clock, scene, events, controller } = setup();
    await poll(watcher, clock, 0);
    await poll(watcher, clock);
    scene.lifecycle = 'Terminated';
    await poll(watcher, clock);
    await poll(watcher, clock);
    expect(events).toEqual([
      {
        type: 'lifecycle-state',
        targetState: 'Terminated',
        previousState: 'InService',
        observedAt: expect.any(Date),
      },
    ]);
    controller.abort();
  });

  it('a watch that starts in a warm pool reports it, and the return to service too', async () => {
    const { watcher, clock, scene, events, controller } = setup();
    scene.lifecycle = 'Warmed:Running';
    await poll(watcher, clock, 0);
    scene.lifecycle = undefined; // a 404 in between carries no state and no event
    await poll(watcher, clock);
    scene.lifecycle = 'InService';
    await poll(watcher, clock);
    expect(
      events.map((e) => (e.type === 'lifecycle-state' ? [e.previousState, e.targetState] : e.type)),
    ).toEqual([
      [undefined, 'Warmed:Running'],
      ['Warmed:Running', 'InService'],
    ]);
    controller.abort();
  });

  it('emits each scheduled maintenance event once and a rescheduled one again (rule 45)', async () => {
    const { watcher, clock, scene, events, controller } = setup();
    const stop = {
      Code: 'instance-stop',
      Description: 'The instance is running on degraded hardware',
      EventId: 'instance-event-1',
      NotBefore: '1 Jan 2024 06:00:00 GMT',
      State: 'active',
    };
    const retire = { ...stop, Code: 'instance-retirement', EventId: 'instance-event-2' };
    scene.maintenance = JSON.stringify([stop, retire]);
    await poll(watcher, clock, 0);
    await poll(watcher, clock);
    scene.maintenance = JSON.stringify([{ ...stop, NotBefore: '2 Jan 2024 06:00:00 GMT' }, retire]);
    await poll(watcher, clock);
    scene.maintenance = '[]';
    await poll(watcher, clock);
    expect(
      events.map((e) =>
        e.type === 'scheduled-maintenance' ? `${e.code} ${e.notBefore?.toISOString()}` : e.type,
      ),
    ).toEqual([
      'instance-stop 2024-01-01T06:00:00.000Z',
      'instance-retirement 2024-01-01T06:00:00.000Z',
      'instance-stop 2024-01-02T06:00:00.000Z',
    ]);
    controller.abort();
  });

  it('reports a transient IMDS error, keeps polling, and never re-emits a notice across it', async () => {
    const { watcher, clock, scene, events, errors, controller } = setup();
    scene.spot = spotBody('terminate', '2024-01-01T00:02:00Z');
    await poll(watcher, clock, 0);
    scene.failing.set(PATHS.spot, 500);
    expect(await poll(watcher, clock)).toMatchObject({ ok: false });
    await poll(watcher, clock);
    scene.failing.clear();
    scene.rebalance = JSON.stringify({ noticeTime: '2024-01-01T00:00:12Z' });
    expect(await poll(watcher, clock)).toMatchObject({ ok: true, emitted: 1 });
    expect(events.map((e) => e.type)).toEqual(['spot-interruption', 'rebalance-recommendation']);
    expect(errors.map((e) => [e.source, e.path, e.error.code, e.consecutiveFailures])).toEqual([
      ['spot', 'meta-data/spot/instance-action', 'IMDS_UNAVAILABLE', 1],
      ['spot', 'meta-data/spot/instance-action', 'IMDS_UNAVAILABLE', 2],
    ]);
    controller.abort();
  });

  it('a malformed notice is a poll error for that source only', async () => {
    const { watcher, clock, scene, events, errors, controller } = setup();
    scene.spot = '<html>oops</html>';
    scene.rebalance = JSON.stringify({ noticeTime: '2024-01-01T00:00:00Z' });
    await poll(watcher, clock, 0);
    expect(errors.map((e) => [e.source, e.error.code])).toEqual([['spot', 'IMDS_BAD_RESPONSE']]);
    expect(events.map((e) => e.type)).toEqual(['rebalance-recommendation']);
    controller.abort();
  });

  it('keeps polling while IMDS is disabled (403) and picks notices up once it is back', async () => {
    const { watcher, clock, scene, events, errors, controller } = setup({ sources: ['spot'] });
    scene.failing.set(PATHS.spot, 403);
    await poll(watcher, clock, 0);
    await poll(watcher, clock);
    expect(errors.map((e) => e.error.code)).toEqual(['IMDS_DISABLED', 'IMDS_DISABLED']);
    scene.failing.clear();
    scene.spot = spotBody('hibernate', '2024-01-01T00:02:00Z');
    await poll(watcher, clock);
    expect(events).toMatchObject([{ type: 'spot-interruption', action: 'hibernate' }]);
    controller.abort();
  });

  it('polls only the chosen sources', async () => {
    const { watcher, clock, mock, controller } = setup({ sources: ['spot', 'maintenance'] });
    await poll(watcher, clock, 0);
    expect(
      mock
        .gets()
        .map((c) => c.path)
        .sort(),
    ).toEqual([PATHS.maintenance, PATHS.spot]);
    controller.abort();
  });

  it('keeps a fixed rate and honours intervalMs', async () => {
    const { watcher, clock, mock, controller } = setup({ intervalMs: 1_000, sources: ['spot'] });
    await poll(watcher, clock, 0);
    await clock.advance(999);
    expect(mock.gets()).toHaveLength(1);
    await poll(watcher, clock, 1);
    expect(mock.gets()).toHaveLength(2);
    controller.abort();
  });

  it('stops on signal: iterators end, close is emitted, no timer or request is left', async () => {
    const { watcher, clock, mock, controller } = setup();
    await poll(watcher, clock, 0);
    const iterator = watcher[Symbol.asyncIterator]();
    const ended = iterator.next();
    const closed = once(watcher, 'close');
    controller.abort();
    await expect(ended).resolves.toEqual({ value: undefined, done: true });
    await closed;
    expect(watcher.closed).toBe(true);
    const before = mock.calls.length;
    await clock.advance(60_000);
    expect(mock.calls).toHaveLength(before);
    expect(clock.pendingTimers()).toBe(0);
    await expect(watcher[Symbol.asyncIterator]().next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('close() resolves once the loop has ended; breaking out of for-await ends only that iterator', async () => {
    const { watcher, clock, scene } = setup();
    scene.spot = spotBody('terminate', '2024-01-01T00:02:00Z');
    const seen: string[] = [];
    const consumer = (async () => {
      for await (const event of watcher) {
        seen.push(event.type);
        break;
      }
    })();
    await poll(watcher, clock, 0);
    await consumer;
    expect(seen).toEqual(['spot-interruption']);
    expect(watcher.closed).toBe(false);
    await poll(watcher, clock);
    await watcher.close();
    expect(watcher.closed).toBe(true);
  });

  it('a throwing listener does not stop the watch', async () => {
    const { watcher, clock, scene, events, controller } = setup();
    watcher.prependListener('interruption', (e) => {
      if (e.type === 'spot-interruption') throw new Error('listener bug');
    });
    scene.spot = spotBody('terminate', '2024-01-01T00:02:00Z');
    await poll(watcher, clock, 0);
    scene.rebalance = JSON.stringify({ noticeTime: '2024-01-01T00:00:05Z' });
    await poll(watcher, clock);
    // Node stops calling listeners of the one event that threw; the watch itself goes on.
    expect(events.map((e) => e.type)).toEqual(['rebalance-recommendation']);
    controller.abort();
  });

  it('an already aborted signal makes no request', async () => {
    const mock = createMockImds(() => ({ status: 200, body: 'x' }));
    const ac = new AbortController();
    ac.abort();
    const watcher = watchInterruptions({
      imds: createImdsClient({ dispatcher: mock.agent }),
      signal: ac.signal,
    });
    await watcher.close();
    expect(mock.calls).toHaveLength(0);
  });

  it.each<[string, Partial<WatchInterruptionsOptions>]>([
    ['intervalMs', { intervalMs: 99 }],
    ['intervalMs', { intervalMs: 1.5 }],
    ['sources', { sources: [] }],
    ['sources', { sources: ['spot', 'weather'] as never }],
    ['imds', { imds: {} as never }],
  ])('rejects a bad %s with INVALID_OPTION', (name, bad) => {
    const imds = createImdsClient({ dispatcher: createMockImds(() => ({ status: 404 })).agent });
    expect(() => watchInterruptions({ imds, ...bad })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringContaining(`\`${name}\``) }),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { createSystemClock, createVirtualClock } from './clock';

describe('createVirtualClock', () => {
  it('fires timers in due order and only when time reaches them', async () => {
    const clock = createVirtualClock(0);
    const fired: string[] = [];
    clock.setTimer(() => fired.push('b'), 200);
    clock.setTimer(() => fired.push('a'), 100);
    clock.setTimer(() => fired.push('c'), 200);
    await clock.advance(99);
    expect(fired).toEqual([]);
    await clock.advance(1);
    expect(fired).toEqual(['a']);
    expect(clock.now()).toBe(100);
    await clock.advance(100);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('runs timers that fired work schedules inside the same advance', async () => {
    const clock = createVirtualClock(0);
    const at: number[] = [];
    const loop = async (): Promise<void> => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(10);
        at.push(clock.now());
      }
    };
    const done = loop();
    await clock.advance(100);
    await done;
    expect(at).toEqual([10, 20, 30]);
  });

  it('rejects a sleep with the abort reason and clears its timer', async () => {
    const clock = createVirtualClock(0);
    const ac = new AbortController();
    const p = clock.sleep(1000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const clock = createVirtualClock(0);
    await expect(clock.sleep(5, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('never moves backwards', async () => {
    const clock = createVirtualClock(1000);
    await clock.advanceTo(500);
    expect(clock.now()).toBe(1000);
  });
});

describe('createSystemClock', () => {
  it('sleeps on real time and can be cleared', async () => {
    const clock = createSystemClock();
    const start = clock.now();
    await clock.sleep(20);
    expect(clock.now() - start).toBeGreaterThanOrEqual(15);
    let fired = false;
    const h = clock.setTimer(() => (fired = true), 5);
    clock.clearTimer(h);
    await clock.sleep(20);
    expect(fired).toBe(false);
  });
});

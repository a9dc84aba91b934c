import { describe, expect, it } from 'vitest';
import { createHysteresis } from './hysteresis';

const feed = (h: ReturnType<typeof createHysteresis>, verdicts: boolean[]) =>
  verdicts.map((ok) => h.observe(ok)?.to ?? null);

describe('createHysteresis', () => {
  it('flips to unhealthy after exactly `fall` consecutive failing rounds', () => {
    const h = createHysteresis({ rise: 3, fall: 2, initialState: 'healthy' });
    expect(feed(h, [false])).toEqual([null]);
    expect(h.state).toBe('healthy');
    expect(h.streak).toBe(1);
    expect(feed(h, [false])).toEqual(['unhealthy']);
    expect(h.state).toBe('unhealthy');
    expect(h.streak).toBe(0);
  });

  it('flips back after exactly `rise` consecutive passing rounds', () => {
    const h = createHysteresis({ rise: 3, fall: 2, initialState: 'unhealthy' });
    expect(feed(h, [true, true, true])).toEqual([null, null, 'healthy']);
  });

  it('never flips under an alternating pass/fail pattern (no flapping)', () => {
    const h = createHysteresis({ rise: 3, fall: 2, initialState: 'healthy' });
    const changes = feed(
      h,
      Array.from({ length: 200 }, (_, i) => i % 2 === 0),
    ).filter((c) => c != null);
    expect(changes).toEqual([]);
    expect(h.state).toBe('healthy');
  });

  it('resets the count when a round agrees with the state', () => {
    const h = createHysteresis({ rise: 3, fall: 3, initialState: 'healthy' });
    expect(feed(h, [false, false, true, false, false, true])).toEqual([null, null, null, null, null, null]);
    expect(feed(h, [false, false, false])).toEqual([null, null, 'unhealthy']);
    expect(feed(h, [true, true, false, true, true, true])).toEqual([null, null, null, null, null, 'healthy']);
  });

  it('with rise = fall = 1 follows every round (the single-round behaviour peers have)', () => {
    const h = createHysteresis({ rise: 1, fall: 1, initialState: 'healthy' });
    expect(feed(h, [false, true, false])).toEqual(['unhealthy', 'healthy', 'unhealthy']);
  });

  it('rejects invalid options by name', () => {
    expect(() => createHysteresis({ rise: 0, fall: 2, initialState: 'healthy' })).toThrow(
      /rise must be an integer/,
    );
    expect(() => createHysteresis({ rise: 2, fall: 1.5, initialState: 'healthy' })).toThrow(/fall must be/);
    expect(() => createHysteresis({ rise: 2, fall: 2, initialState: 'up' as unknown as 'healthy' })).toThrow(
      /initialState must be/,
    );
  });
});

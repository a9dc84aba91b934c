import { describe, expect, it } from 'vitest';
import { liveSessions, toStatusView } from './snapshot';

describe('toStatusView', () => {
  it("reads the parts of nat-agent's /status the lab shows", () => {
    expect(
      toStatusView({
        health: { level: 'healthy', reported: { status: 'healthy' } },
        ready: { ok: true, reasons: [] },
        consul: { registered: true, session: 's-1' },
        draining: null,
        groups: [{ name: 'vpc', state: 'leader.serving', leader: true, role: 'primary', extra: 1 }],
      }),
    ).toEqual({
      health: 'healthy',
      reported: 'healthy',
      ready: true,
      readyReasons: [],
      draining: false,
      session: 's-1',
      groups: [{ name: 'vpc', state: 'leader.serving', leader: true, role: 'primary' }],
    });
  });

  it('survives a starting agent and unknown shapes', () => {
    expect(toStatusView({ starting: true })?.health).toBe('starting');
    expect(toStatusView({})).toMatchObject({ health: 'unknown', ready: false, session: null, groups: [] });
    expect(toStatusView(null)).toBeNull();
    expect(toStatusView({ draining: { reason: 'signal' } })?.draining).toBe(true);
  });
});

describe('liveSessions', () => {
  it('is the sessions created and not destroyed', () => {
    expect(
      liveSessions([
        { op: 'session-create', session: 'a' },
        { op: 'session-create', session: 'b' },
        { op: 'session-renew', session: 'a' },
        { op: 'session-destroy', session: 'a' },
        { op: 'kv-acquire', session: 'b' },
      ]),
    ).toEqual(new Set(['b']));
  });
});

import { describe, expect, it } from 'vitest';
import {
  parseMaintenanceTime,
  parseRebalanceRecommendation,
  parseScheduledMaintenance,
  parseSpotInstanceAction,
  parseTargetLifecycleState,
  shouldHandOff,
  type InterruptionEvent,
} from './interruption-notices';

const observedAt = new Date(0);

describe('notice parsers (§4.3)', () => {
  it('reads a Spot instance-action: action and deadline (rule 43)', () => {
    expect(parseSpotInstanceAction('{"action": "terminate", "time": "2017-09-18T08:22:00Z"}')).toEqual({
      action: 'terminate',
      deadline: new Date('2017-09-18T08:22:00Z'),
    });
  });

  it.each(['', '<html>', '{}', '{"action":"stop"}', '{"action":"stop","time":"soon"}'])(
    'rejects the Spot body %j with IMDS_BAD_RESPONSE',
    (body) => {
      expect(() => parseSpotInstanceAction(body)).toThrow(
        expect.objectContaining({ code: 'IMDS_BAD_RESPONSE' }),
      );
    },
  );

  it('reads a rebalance recommendation (rule 43)', () => {
    expect(parseRebalanceRecommendation('{"noticeTime": "2020-10-27T08:22:00Z"}')).toEqual({
      noticeTime: new Date('2020-10-27T08:22:00Z'),
    });
    expect(() => parseRebalanceRecommendation('{}')).toThrow(
      expect.objectContaining({ code: 'IMDS_BAD_RESPONSE' }),
    );
  });

  it('reads the target lifecycle state as plain text (rule 44)', () => {
    expect(parseTargetLifecycleState('Warmed:Hibernated\n')).toBe('Warmed:Hibernated');
    expect(parseTargetLifecycleState('  ')).toBeUndefined();
  });

  it('parses the scheduled-event time format exactly (rule 45)', () => {
    expect(parseMaintenanceTime('21 Jan 2019 09:00:43 GMT')).toEqual(new Date('2019-01-21T09:00:43Z'));
    expect(parseMaintenanceTime('2 Feb 2026 00:00:00 GMT')).toEqual(new Date('2026-02-02T00:00:00Z'));
    expect(parseMaintenanceTime('2019-01-21T09:00:43Z')).toEqual(new Date('2019-01-21T09:00:43Z'));
    expect(parseMaintenanceTime('31 Feb 2019 09:00:43 GMT')).toBeUndefined();
    expect(parseMaintenanceTime('21 Foo 2019 09:00:43 GMT')).toBeUndefined();
    expect(parseMaintenanceTime('tomorrow')).toBeUndefined();
    expect(parseMaintenanceTime(undefined)).toBeUndefined();
  });

  it('reads the scheduled maintenance array, keeping raw times (rule 45)', () => {
    const body = JSON.stringify([
      {
        NotBefore: '21 Jan 2019 09:00:43 GMT',
        Code: 'system-reboot',
        Description: 'scheduled reboot',
        EventId: 'instance-event-0d59937288b749b32',
        NotAfter: '21 Jan 2019 09:17:23 GMT',
        NotBeforeDeadline: 'garbage',
        State: 'active',
      },
    ]);
    expect(parseScheduledMaintenance(body)).toEqual([
      {
        code: 'system-reboot',
        eventId: 'instance-event-0d59937288b749b32',
        state: 'active',
        description: 'scheduled reboot',
        notBefore: new Date('2019-01-21T09:00:43Z'),
        notAfter: new Date('2019-01-21T09:17:23Z'),
        raw: {
          NotBefore: '21 Jan 2019 09:00:43 GMT',
          NotAfter: '21 Jan 2019 09:17:23 GMT',
          NotBeforeDeadline: 'garbage',
        },
      },
    ]);
    expect(parseScheduledMaintenance('[]')).toEqual([]);
    expect(() => parseScheduledMaintenance('{}')).toThrow(
      expect.objectContaining({ code: 'IMDS_BAD_RESPONSE' }),
    );
    expect(() => parseScheduledMaintenance('[{"Code":"x"}]')).toThrow(
      expect.objectContaining({ code: 'IMDS_BAD_RESPONSE' }),
    );
  });
});

describe('shouldHandOff (§3.5, §8.1 step 8)', () => {
  const maintenance = (code: string, state = 'active'): InterruptionEvent => ({
    type: 'scheduled-maintenance',
    code,
    eventId: 'e-1',
    state,
    description: '',
    raw: {},
    observedAt,
  });
  const lifecycle = (targetState: string): InterruptionEvent => ({
    type: 'lifecycle-state',
    targetState,
    observedAt,
  });

  it('hands off on Spot, rebalance, Terminated, Warmed:* and active stop/retire/reboot maintenance', () => {
    expect(
      shouldHandOff({ type: 'spot-interruption', action: 'stop', deadline: observedAt, observedAt }),
    ).toBe(true);
    expect(shouldHandOff({ type: 'rebalance-recommendation', noticeTime: observedAt, observedAt })).toBe(
      true,
    );
    expect(shouldHandOff(lifecycle('Terminated'))).toBe(true);
    expect(shouldHandOff(lifecycle('Warmed:Stopped'))).toBe(true);
    for (const code of ['instance-stop', 'instance-retirement', 'system-reboot', 'instance-reboot']) {
      expect(shouldHandOff(maintenance(code))).toBe(true);
    }
  });

  it('does not hand off on InService, system-maintenance, or a canceled/completed event', () => {
    expect(shouldHandOff(lifecycle('InService'))).toBe(false);
    expect(shouldHandOff(maintenance('system-maintenance'))).toBe(false);
    expect(shouldHandOff(maintenance('instance-stop', 'canceled'))).toBe(false);
    expect(shouldHandOff(maintenance('instance-retirement', 'completed'))).toBe(false);
  });
});

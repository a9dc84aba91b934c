import { describe, expect, it } from 'vitest';
import {
  decodeSessionCreateBody,
  fixupEmptySessionChecks,
  sessionCreateDefaults,
  validateSessionApply,
  type SessionCreateRequest,
} from './session-codec';

const decode = (body: string): SessionCreateRequest =>
  fixupEmptySessionChecks(decodeSessionCreateBody(Buffer.from(body), sessionCreateDefaults('node1')));

describe('decodeSessionCreateBody', () => {
  it.each([
    ['{"LockDelay":"5s"}', 5_000_000_000n],
    ['{"LockDelay":5}', 5_000_000_000n],
    ['{"LockDelay":15000000000}', 15_000_000_000n],
    ['{"LockDelay":"20ns"}', 20_000_000_000n],
    ['{"LockDelay":"1500ms"}', 1_500_000_000n],
    ['{"LockDelay":"0s"}', 0n],
    ['{"LockDelay":-5}', -5_000_000_000n],
    ['{"LockDelay":null}', 15_000_000_000n],
    ['{"lockdelay":"2s"}', 2_000_000_000n],
  ])('reads %s as %s ns (rule 8)', (body, ns) => {
    expect(decode(body).lockDelayNs).toBe(ns);
  });

  it('rejects a unitless string and unknown fields', () => {
    expect(() => decode('{"LockDelay":"5"}')).toThrow('time: missing unit in duration "5"');
    expect(() => decode('{"Bogus":1}')).toThrow('json: unknown field "Bogus"');
    expect(() => decode('{"TTL":5}')).toThrow(
      'cannot unmarshal number into Go struct field Session.TTL of type string',
    );
  });

  it('applies fixupEmptySessionChecks (rules 1, 9, 10)', () => {
    const none = fixupEmptySessionChecks(sessionCreateDefaults('node1'));
    expect(none).toMatchObject({ nodeChecks: ['serfHealth'], checks: null });
    expect(decode('{"Checks":[]}')).toMatchObject({ nodeChecks: [], checks: [] });
    expect(decode('{"Checks":["svc"]}')).toMatchObject({ nodeChecks: ['serfHealth'], checks: ['svc'] });
    expect(decode('{"NodeChecks":["svc"]}')).toMatchObject({ nodeChecks: ['svc'], checks: null });
  });
});

describe('validateSessionApply', () => {
  const req = (over: Partial<SessionCreateRequest>): SessionCreateRequest => ({
    ...sessionCreateDefaults('node1'),
    ...over,
  });

  it('checks Behavior and the inclusive TTL bounds (rules 2, 3, 4)', () => {
    expect(() => validateSessionApply(req({ behavior: 'bogus' }), 10_000)).toThrow(
      "Invalid Behavior setting 'bogus'",
    );
    expect(() => validateSessionApply(req({ ttl: '5s' }), 10_000)).toThrow(
      "Invalid Session TTL '5000000000', must be between [10s=24h0m0s]",
    );
    expect(() => validateSessionApply(req({ ttl: '86401s' }), 10_000)).toThrow('Invalid Session TTL');
    expect(() => validateSessionApply(req({ ttl: 'abc' }), 10_000)).toThrow(
      'Session TTL \'abc\' invalid: time: invalid duration "abc"',
    );
    for (const ttl of ['10s', '86400s', '0s', '']) {
      expect(() => validateSessionApply(req({ ttl }), 10_000)).not.toThrow();
    }
    expect(validateSessionApply(req({ behavior: '' }), 10_000).behavior).toBe('release');
  });
});

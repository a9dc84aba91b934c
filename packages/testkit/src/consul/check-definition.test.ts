import { describe, expect, it } from 'vitest';
import { parseCheckRegistration, parseServiceDefinition } from './check-definition';

describe('parseServiceDefinition (spec §6.1)', () => {
  it('names service checks service:<id>, numbering them when there are several (rule 74)', () => {
    const one = parseServiceDefinition({ Name: 'web', Check: { TTL: '10s' } });
    expect(one.checks.map((c) => [c.id, c.name, c.status])).toEqual([
      ['service:web', "Service 'web' check", undefined],
    ]);
    const two = parseServiceDefinition({
      name: 'web',
      id: 'web-1',
      checks: [{ ttl: '10s' }, { http: 'http://127.0.0.1/', interval: '1s' }],
    });
    expect(two.checks.map((c) => [c.id, c.kind, c.serviceId])).toEqual([
      ['service:web-1:1', 'ttl', 'web-1'],
      ['service:web-1:2', 'http', 'web-1'],
    ]);
  });

  it('accepts snake_case keys and nanosecond durations', () => {
    const def = parseServiceDefinition({
      name: 'x',
      check: {
        http: 'http://127.0.0.1/',
        interval: 1_000_000_000,
        timeout: '500ms',
        failures_before_critical: 3,
      },
    });
    expect(def.checks[0]).toMatchObject({
      intervalNs: 1_000_000_000n,
      timeoutNs: 500_000_000n,
      failuresBeforeCritical: 3,
      failuresBeforeWarning: 3,
    });
  });

  it('rejects what Consul rejects', () => {
    expect(() => parseServiceDefinition({})).toThrow('Missing service name');
    expect(() => parseServiceDefinition({ Name: 'x', Check: { TTL: '1s', Interval: '1s' } })).toThrow(
      'Invalid check: Interval and TTL cannot both be specified',
    );
    expect(() => parseServiceDefinition({ Name: 'x', Check: { TTL: '1s', Status: 'ok' } })).toThrow(
      "Status for checks must 'passing', 'warning', 'critical'",
    );
  });
});

describe('parseCheckRegistration (spec §6.2)', () => {
  it('defaults the ID to the name', () => {
    expect(parseCheckRegistration({ Name: 'mem', TTL: '30s' })).toMatchObject({
      id: 'mem',
      name: 'mem',
      kind: 'ttl',
    });
    expect(
      parseCheckRegistration({ Name: 'mem', CheckID: 'm1', TCP: '127.0.0.1:1', Interval: '5s' }),
    ).toMatchObject({
      id: 'm1',
      kind: 'tcp',
    });
  });
});

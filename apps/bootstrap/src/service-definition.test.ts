import { describe, expect, it } from 'vitest';
import { command, sampleFacts } from '../test/fixtures';
import { buildServiceDefinition, type ServiceGroup } from './service-definition';

const GROUPS: ServiceGroup[] = [
  { name: 'us-east-1a', role: 'primary' },
  { name: 'us-east-1b', role: 'rescue' },
];

describe('buildServiceDefinition', () => {
  it("one nat-ha service, two HTTP checks at consul-lock's safety timing (1 s interval, 500 ms timeout)", () => {
    expect(buildServiceDefinition(sampleFacts(), command().options.natHa, GROUPS)).toEqual({
      service: {
        name: 'nat-ha',
        id: 'nat-ha',
        port: 9721,
        meta: {
          instance_id: 'i-0a1b2c3d4e5f60001',
          availability_zone: 'us-east-1a',
          eni: 'eni-0a1b2c3d4e5f60001',
          'group-us-east-1a': 'primary',
          'group-us-east-1b': 'rescue',
        },
        checks: [
          {
            id: 'nat-ha:live',
            name: 'nat-agent process is alive',
            http: 'http://127.0.0.1:9721/health/live',
            method: 'GET',
            interval: '1s',
            timeout: '500ms',
          },
          {
            id: 'nat-ha:health',
            name: 'Internet path through this NAT instance',
            http: 'http://127.0.0.1:9721/health',
            method: 'GET',
            interval: '1s',
            timeout: '500ms',
          },
        ],
      },
    });
  });

  it('§6.1/§2.9: never sets an initial status, so no session can be tied to a check nat-agent has not passed', () => {
    const definition = buildServiceDefinition(sampleFacts(), command().options.natHa, GROUPS);
    expect(JSON.stringify(definition)).not.toContain('status');
  });

  it('checks loopback when nat-agent listens on a wildcard address; brackets IPv6 hosts', () => {
    const wildcard = buildServiceDefinition(
      sampleFacts(),
      command(['--agent-host', '0.0.0.0']).options.natHa,
      GROUPS,
    );
    expect(JSON.stringify(wildcard)).toContain('"http://127.0.0.1:9721/health/live"');
    const v6 = buildServiceDefinition(
      sampleFacts(),
      command(['--agent-host', '::1', '--agent-port', '80']).options.natHa,
      GROUPS,
    );
    expect(JSON.stringify(v6)).toContain('"http://[::1]:80/health"');
  });

  it('follows custom name, port and timing', () => {
    const { service } = buildServiceDefinition(
      sampleFacts(),
      command([
        '--service-name',
        'egress',
        '--agent-port',
        '9800',
        '--check-interval',
        '2s',
        '--check-timeout',
        '1500ms',
      ]).options.natHa,
      GROUPS,
    ) as {
      service: { name: string; port: number; checks: { id: string; interval: string; timeout: string }[] };
    };
    expect(service.name).toBe('egress');
    expect(service.checks.map((c) => c.id)).toEqual(['egress:live', 'egress:health']);
    expect(service.port).toBe(9800);
    expect(service.checks.map((c) => [c.interval, c.timeout])).toEqual([
      ['2s', '1500ms'],
      ['2s', '1500ms'],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import type { AgentStatus } from '../core/agent';
import { renderStatus } from './render-status';

const now = 1_700_000_100_000;

const local = {
  version: '0.1.0',
  startedAt: now - 600_000,
  now,
  instance: { instanceId: 'i-a', az: 'us-east-1a' },
  health: {
    level: 'healthy',
    since: now - 60_000,
    reported: { status: 'healthy', httpStatus: 200, reasons: [] },
    rounds: [],
  },
  ready: { ok: true, reasons: [] },
  consul: { serviceId: 'nat-ha-i-a', registered: true, session: 's-a' },
  draining: null,
  groups: [
    {
      name: 'az-a',
      key: 'nat-ha/groups/az-a/leader',
      role: 'primary',
      state: 'leader.serving',
      since: now - 50_000,
      leader: true,
      term: 1,
      holder: 'self',
      contending: false,
      fallbackActive: false,
      facts: {},
      routes: {
        at: now - 5_000,
        entries: [{ routeTableId: 'rtb-1', destination: '0.0.0.0/0', target: 'eni-a' }],
      },
      lastFailover: {
        at: now - 50_000,
        direction: 'acquired',
        claimMs: 180,
        sinceKeyFreeMs: 1_900.4,
        movedFromOther: 1,
      },
    },
  ],
  candidates: [],
  interruptions: [],
} as unknown as AgentStatus;

describe('status table', () => {
  it('shows, per group, the leader, candidates with their checks, routes and the last failover', () => {
    const text = renderStatus({
      now,
      local,
      groups: [
        { name: 'az-a', key: 'nat-ha/groups/az-a/leader' },
        { name: 'az-b', key: 'nat-ha/groups/az-b/leader' },
      ],
      cluster: {
        holders: {
          'nat-ha/groups/az-a/leader': { session: 's-a', node: 'node-a' },
          'nat-ha/groups/az-b/leader': null,
        },
        instances: [
          {
            instanceId: 'i-a',
            node: 'node-a',
            az: 'us-east-1a',
            groups: { 'az-a': 'primary', 'az-b': 'rescue' },
            checks: [{ name: 'serfHealth', status: 'passing' }],
          },
          {
            instanceId: 'i-b',
            node: 'node-b',
            az: 'us-east-1b',
            groups: { 'az-b': 'primary', 'az-a': 'rescue' },
            checks: [
              { name: 'serfHealth', status: 'passing' },
              { name: 'path', status: 'critical' },
            ],
          },
        ],
      },
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('agent i-a (us-east-1a) v0.1.0: health healthy, ready yes');
    expect(lines[2]).toMatch(/^GROUP\s+LEADER\s+CANDIDATES\s+ROUTES\s+THIS AGENT\s+LAST FAILOVER$/);
    expect(lines[3]).toMatch(
      /^az-a\s+i-a\s+i-a\[primary\]:passing i-b\[rescue\]:path=critical\s+eni-a \(5s ago\)\s+leader.serving \(primary\)\s+acquired in 1900ms 50s ago$/,
    );
    expect(lines[4]).toMatch(
      /^az-b\s+\(none\)\s+i-a\[rescue\]:passing i-b\[primary\]:path=critical\s+-\s+-\s+-$/,
    );
  });

  it('says which side could not be reached', () => {
    const text = renderStatus({
      now,
      local: { error: 'connect ECONNREFUSED 127.0.0.1:9721' },
      cluster: { error: 'http://127.0.0.1:8500: connect ECONNREFUSED' },
      groups: [{ name: 'az-a', key: 'k' }],
    });
    expect(text).toContain('agent: unreachable (connect ECONNREFUSED 127.0.0.1:9721)');
    expect(text).toContain('consul: unreachable');
    expect(text).toMatch(/az-a\s+\?\s+\?/);
  });
});

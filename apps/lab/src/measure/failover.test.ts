import { describe, expect, it } from 'vitest';
import { createConsulJournal, createEc2Journal } from '../testing/journal-builders';
import { countCalls, perHour } from './ec2-calls';
import { measureFailover } from './failover';

const KEY = 'nat-ha/groups/vpc/leader';
const group = { name: 'vpc', key: KEY, tableIds: ['rtb-1', 'rtb-2'] };
const eniOf = (id: string) => ({ 'i-a': 'eni-a', 'i-b': 'eni-b', 'i-c': 'eni-c' })[id];

describe('measureFailover', () => {
  it('crash: fault → lock invalidated → lock-delay → acquire → last route write', () => {
    const consul = createConsulJournal();
    const ec2 = createEc2Journal();
    consul.acquire(1_000, KEY, 'i-a');
    // Crash at 10 000; the liveness check fails at 10 700; lock-delay 1 500.
    consul.invalidate(10_700, KEY, 'i-a', 1_500);
    consul.acquire(12_210, KEY, 'i-b');
    ec2.replaceRoute({ caller: 'i-b', table: 'rtb-1', eni: 'eni-b', receivedAt: 12_300, time: 12_450 });
    ec2.replaceRoute({ caller: 'i-b', table: 'rtb-2', eni: 'eni-b', receivedAt: 12_301, time: 12_460 });
    const m = measureFailover({
      faultAt: 10_000,
      group,
      leaderBefore: 'i-a',
      eniOf,
      consulJournal: consul.entries,
      ec2Journal: ec2.entries,
      currentTargets: new Map([
        ['rtb-1', 'eni-b'],
        ['rtb-2', 'eni-b'],
      ]),
    });
    expect(m).toEqual({
      newLeader: 'i-b',
      lockFreedBy: 'invalidation',
      convergedAt: 12_460,
      failoverMs: 2_460,
      phases: { lockFreedMs: 700, acquiredMs: 2_210, firstWriteMs: 2_450, convergedMs: 2_460 },
      routeWrites: 2,
    });
  });

  it('graceful: a release is a handover', () => {
    const consul = createConsulJournal();
    const ec2 = createEc2Journal();
    consul.acquire(1_000, KEY, 'i-a');
    consul.release(5_010, KEY, 'i-a');
    consul.acquire(5_030, KEY, 'i-c');
    ec2.replaceRoute({ caller: 'i-c', table: 'rtb-1', eni: 'eni-c', receivedAt: 5_150, time: 5_300 });
    ec2.replaceRoute({ caller: 'i-c', table: 'rtb-2', eni: 'eni-c', receivedAt: 5_150, time: 5_310 });
    const m = measureFailover({
      faultAt: 5_000,
      group,
      leaderBefore: 'i-a',
      eniOf,
      consulJournal: consul.entries,
      ec2Journal: ec2.entries,
      currentTargets: new Map([
        ['rtb-1', 'eni-c'],
        ['rtb-2', 'eni-c'],
      ]),
    });
    expect(m.lockFreedBy).toBe('release');
    expect(m.newLeader).toBe('i-c');
    expect(m.failoverMs).toBe(310);
  });

  it('ignores writes from before the fault and failed writes', () => {
    const consul = createConsulJournal();
    const ec2 = createEc2Journal();
    consul.acquire(1_000, KEY, 'i-a');
    ec2.replaceRoute({ caller: 'i-a', table: 'rtb-1', eni: 'eni-a', receivedAt: 1_100 });
    consul.release(5_000, KEY, 'i-a');
    consul.acquire(5_020, KEY, 'i-b');
    ec2.replaceRoute({
      caller: 'i-b',
      table: 'rtb-1',
      eni: 'eni-b',
      receivedAt: 5_100,
      time: 5_250,
      outcome: 'RequestLimitExceeded',
    });
    ec2.replaceRoute({ caller: 'i-b', table: 'rtb-1', eni: 'eni-b', receivedAt: 5_400, time: 5_550 });
    ec2.replaceRoute({ caller: 'i-b', table: 'rtb-2', eni: 'eni-b', receivedAt: 5_400, time: 5_560 });
    const m = measureFailover({
      faultAt: 5_000,
      group,
      leaderBefore: 'i-a',
      eniOf,
      consulJournal: consul.entries,
      ec2Journal: ec2.entries,
      currentTargets: new Map([
        ['rtb-1', 'eni-b'],
        ['rtb-2', 'eni-b'],
      ]),
    });
    expect(m.failoverMs).toBe(560);
    expect(m.phases.firstWriteMs).toBe(550);
    expect(m.routeWrites).toBe(2);
  });

  it('is not converged while a table points elsewhere, and says which', () => {
    const consul = createConsulJournal();
    const ec2 = createEc2Journal();
    consul.acquire(1_000, KEY, 'i-a');
    consul.release(5_000, KEY, 'i-a');
    consul.acquire(5_020, KEY, 'i-b');
    ec2.replaceRoute({ caller: 'i-b', table: 'rtb-1', eni: 'eni-b', receivedAt: 5_100 });
    const m = measureFailover({
      faultAt: 5_000,
      group,
      leaderBefore: 'i-a',
      eniOf,
      consulJournal: consul.entries,
      ec2Journal: ec2.entries,
      currentTargets: new Map([
        ['rtb-1', 'eni-b'],
        ['rtb-2', 'eni-a'],
      ]),
    });
    expect(m.failoverMs).toBeNull();
    expect(m.problem).toMatch(/rtb-2/);
  });

  it('reports no new leader when nobody else acquired', () => {
    const consul = createConsulJournal();
    consul.acquire(1_000, KEY, 'i-a');
    const m = measureFailover({
      faultAt: 5_000,
      group,
      leaderBefore: 'i-a',
      eniOf,
      consulJournal: consul.entries,
      ec2Journal: [],
      currentTargets: new Map(),
    });
    expect(m.newLeader).toBeNull();
    expect(m.problem).toMatch(/no other instance acquired/);
  });
});

describe('countCalls', () => {
  it('counts only agents (signed by an instance role) inside the window, by action', () => {
    const ec2 = createEc2Journal();
    ec2.describe('i-b', 100);
    ec2.describe(null, 150); // the lab itself
    ec2.replaceRoute({ caller: 'i-b', table: 'rtb-1', eni: 'eni-b', receivedAt: 200 });
    ec2.replaceRoute({
      caller: 'i-b',
      table: 'rtb-1',
      eni: 'eni-b',
      receivedAt: 250,
      outcome: 'RequestLimitExceeded',
    });
    ec2.describe('i-b', 5_000); // outside
    expect(countCalls(ec2.calls, 0, 1_000)).toEqual({
      total: 3,
      mutating: 2,
      errors: 1,
      byAction: { DescribeRouteTables: 1, ReplaceRoute: 2 },
    });
  });

  it('extrapolates per hour', () => {
    expect(perHour(10, 60_000)).toBe(600);
    expect(perHour(10, 0)).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { createConsulJournal, createEc2Journal } from '../testing/journal-builders';
import { DEFAULT_SAFETY_TIMING } from './invariant';
import { checkLeaseWrites } from './lease-writes';

const KEY = 'nat-ha/groups/vpc/leader';
const groups = [{ name: 'vpc', key: KEY, tableIds: ['rtb-1', 'rtb-2'] }];
const timing = DEFAULT_SAFETY_TIMING; // F 500, W 800, L 1500

function check(consul: ReturnType<typeof createConsulJournal>, ec2: ReturnType<typeof createEc2Journal>) {
  return checkLeaseWrites({ groups, consulJournal: consul.entries, ec2Journal: ec2.entries, timing });
}

describe('invariant 1: route writes only under a confirmed lease', () => {
  it('passes writes made while holding the lock', () => {
    const consul = createConsulJournal();
    const ec2 = createEc2Journal();
    consul.acquire(1_000, KEY, 'i-a');
    ec2.replaceRoute({ caller: 'i-a', table: 'rtb-1', eni: 'eni-a', receivedAt: 1_050 });
    ec2.replaceRoute({ caller: 'i-a', table: 'rtb-2', eni: 'eni-a', receivedAt: 1_060 });
    const r = check(consul, ec2);
    expect(r).toEqual({ name: 'lease-writes', ok: true, checked: 2, violations: [] });
  });

  it('flags a write by an instance that never acquired the lock', () => {
    const consul = createConsulJournal();
    const ec2 = createEc2Journal();
    consul.acquire(1_000, KEY, 'i-a');
    ec2.replaceRoute({ caller: 'i-b', table: 'rtb-1', eni: 'eni-b', receivedAt: 2_000 });
    const r = check(consul, ec2);
    expect(r.ok).toBe(false);
    expect(r.violations[0]?.message).toMatch(/i-b had not acquired/);
  });

  it('flags a write sent before the acquire that made the writer leader', () => {
    const consul = createConsulJournal();
    const ec2 = createEc2Journal();
    ec2.replaceRoute({ caller: 'i-a', table: 'rtb-1', eni: 'eni-a', receivedAt: 900, time: 1_050 });
    consul.acquire(1_000, KEY, 'i-a');
    expect(check(consul, ec2).ok).toBe(false);
  });

  it('flags a write that landed after the writer released the lock (handover: no lock-delay)', () => {
    const consul = createConsulJournal();
    const ec2 = createEc2Journal();
    consul.acquire(1_000, KEY, 'i-a');
    consul.release(3_000, KEY, 'i-a');
    consul.acquire(3_020, KEY, 'i-b');
    ec2.replaceRoute({
      caller: 'i-a',
      table: 'rtb-1',
      eni: 'eni-a',
      receivedAt: 2_950,
      time: 3_100,
      clientGone: true,
    });
    const r = check(consul, ec2);
    expect(r.ok).toBe(false);
    expect(r.violations[0]?.message).toMatch(/released .* 100 ms before the write took effect/);
    expect(r.violations[0]?.message).toMatch(/SPLIT BRAIN: i-b had acquired at 3020/);
    expect(r.violations[0]?.message).toMatch(/client had given up/);
  });

  it('allows a deposed holder to finish within F + W after an invalidation (lock-delay window)', () => {
    const consul = createConsulJournal();
    const ec2 = createEc2Journal();
    consul.acquire(1_000, KEY, 'i-a');
    consul.invalidate(5_000, KEY, 'i-a', 1_500);
    // Sent at 4 900 under a lease confirmed just before; lands 1 300 ms after the invalidation = F + W.
    ec2.replaceRoute({ caller: 'i-a', table: 'rtb-1', eni: 'eni-a', receivedAt: 5_400, time: 6_300 });
    consul.acquire(6_510, KEY, 'i-b');
    expect(check(consul, ec2).ok).toBe(true);
  });

  it('flags a deposed holder writing beyond F + W after an invalidation', () => {
    const consul = createConsulJournal();
    const ec2 = createEc2Journal();
    consul.acquire(1_000, KEY, 'i-a');
    consul.invalidate(5_000, KEY, 'i-a', 1_500);
    consul.acquire(6_510, KEY, 'i-b');
    // A paused (SIGSTOP) holder wakes up and writes 2 s after losing its session.
    ec2.replaceRoute({ caller: 'i-a', table: 'rtb-2', eni: 'eni-a', receivedAt: 7_000, time: 7_150 });
    const r = check(consul, ec2);
    expect(r.ok).toBe(false);
    expect(r.violations[0]?.message).toMatch(/beyond F \+ W = 1300 ms/);
    expect(r.violations[0]?.message).toMatch(/SPLIT BRAIN: i-b/);
  });

  it('accepts writes of a later term of the same instance, and ignores failed writes and other tables', () => {
    const consul = createConsulJournal();
    const ec2 = createEc2Journal();
    consul.acquire(1_000, KEY, 'i-a', 's-1');
    consul.release(2_000, KEY, 'i-a', 's-1');
    consul.acquire(4_000, KEY, 'i-a', 's-2');
    ec2.replaceRoute({ caller: 'i-a', table: 'rtb-1', eni: 'eni-a', receivedAt: 4_100 });
    ec2.replaceRoute({
      caller: 'i-a',
      table: 'rtb-1',
      eni: 'eni-a',
      receivedAt: 3_000,
      outcome: 'RequestLimitExceeded',
    });
    ec2.replaceRoute({ caller: 'i-c', table: 'rtb-other', eni: 'eni-c', receivedAt: 3_000 });
    const r = check(consul, ec2);
    expect(r.ok).toBe(true);
    expect(r.checked).toBe(1);
  });

  it('ignores the lab operator (unsigned) and writes outside the window', () => {
    const consul = createConsulJournal();
    const ec2 = createEc2Journal();
    ec2.replaceRoute({ caller: null, table: 'rtb-1', eni: 'eni-a', receivedAt: 100 });
    ec2.replaceRoute({ caller: 'i-b', table: 'rtb-1', eni: 'eni-b', receivedAt: 100 });
    const r = checkLeaseWrites({
      groups,
      consulJournal: consul.entries,
      ec2Journal: ec2.entries,
      timing,
      window: { from: 1_000, to: 2_000 },
    });
    expect(r).toMatchObject({ ok: true, checked: 0 });
  });

  it("treats the group's Elastic IP move as a guarded write (DryRuns excepted)", () => {
    const consul = createConsulJournal();
    const ec2 = createEc2Journal();
    consul.acquire(1_000, KEY, 'i-a');
    ec2.associateAddress({ caller: 'i-a', allocationId: 'eipalloc-1', eni: 'eni-a', receivedAt: 1_100 });
    ec2.associateAddress({
      caller: 'i-b',
      allocationId: 'eipalloc-1',
      eni: 'eni-b',
      receivedAt: 1_200,
      dryRun: true,
    });
    ec2.associateAddress({ caller: 'i-b', allocationId: 'eipalloc-1', eni: 'eni-b', receivedAt: 1_300 });
    const r = checkLeaseWrites({
      groups: [{ ...groups[0]!, eipAllocationId: 'eipalloc-1' }],
      consulJournal: consul.entries,
      ec2Journal: ec2.entries,
      timing,
    });
    expect(r.checked).toBe(2);
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]?.message).toMatch(/AssociateAddress eip:eipalloc-1 → eni-b by i-b/);
  });

  it('checks the other side of the window: no acquire before the lock-delay ended, and L > F + W', () => {
    const consul = createConsulJournal();
    consul.acquire(1_000, KEY, 'i-a');
    consul.invalidate(5_000, KEY, 'i-a', 1_500);
    consul.acquire(6_200, KEY, 'i-b'); // 300 ms too early
    const early = check(consul, createEc2Journal());
    expect(early.checked).toBe(1);
    expect(early.violations.map((v) => v.message)).toEqual([
      'i-b acquired nat-ha/groups/vpc/leader at 6200, 300 ms before the lock-delay set when i-a lost it ended',
    ]);

    const short = createConsulJournal();
    short.acquire(1_000, KEY, 'i-a');
    short.invalidate(5_000, KEY, 'i-a', 1_000); // L = 1 s < F + W = 1.3 s
    short.acquire(6_000, KEY, 'i-b');
    expect(check(short, createEc2Journal()).violations[0]?.message).toMatch(
      /lock-delay of 1000 ms, not longer than F \+ W = 1300 ms/,
    );
  });

  it('a handover by release needs no lock-delay', () => {
    const consul = createConsulJournal();
    consul.acquire(1_000, KEY, 'i-a');
    consul.release(2_000, KEY, 'i-a');
    consul.acquire(2_003, KEY, 'i-b');
    expect(check(consul, createEc2Journal())).toMatchObject({ ok: true, checked: 0 });
  });
});

/**
 * The election against the testkit Consul emulator (and a real agent when CONSUL_HTTP_ADDR is set):
 * handover, crash, partition, leader loss, ACLs and serfHealth, each checked against the emulator's
 * journal where it has one. Timings are scaled down (see EMULATOR_TIMING); the assertions are about
 * order and lower bounds, never about speed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConsulJournalEntry } from '@nat-ha/testkit';
import { createConsulClient } from '../src/index';
import {
  BACKENDS,
  holdersWithoutOverlap,
  startBackend,
  startContender,
  waitFor,
  type Backend,
  type Contender,
} from './backend';

let backend: Backend | undefined;
let contenders: Contender[] = [];
let keyCounter = 0;

afterEach(async () => {
  await Promise.all(contenders.map((c) => c.stop()));
  contenders = [];
  await backend?.close();
  backend = undefined;
});

let currentKind: Backend['kind'] = 'emulator';

async function setup(options: Parameters<typeof startBackend>[1] = {}): Promise<Backend> {
  backend = await startBackend(currentKind, options);
  return backend;
}

function freshKey(): string {
  return `consul-lock-it/${process.pid}-${Date.now()}-${++keyCounter}/leader`;
}

async function contender(
  b: Backend,
  index: number,
  key: string,
  extra: Parameters<typeof startContender>[3] = {},
) {
  const node = b.nodes[index % b.nodes.length]!;
  const c = await startContender(b, node, key, extra);
  contenders.push(c);
  return c;
}

const leaders = (cs: Contender[]) => cs.filter((c) => c.election.isLeader());
const emulatorOnly = (b: Backend) => b.kind === 'emulator';

function entries(b: Backend, op: ConsulJournalEntry['op'], key?: string): ConsulJournalEntry[] {
  return b.journal().filter((e) => e.op === op && (key == null || e.key === key));
}

describe.each(BACKENDS)('consul-lock against %s', (kind) => {
  const REAL = kind === 'consul';
  beforeEach(() => {
    currentKind = kind;
  });

  it('clean handover via resign() needs no lock-delay: the follower acquires at its first attempt (§5.5, rules 41, 51)', async () => {
    const b = await setup();
    const key = freshKey();
    const a = await contender(b, 0, key);
    await waitFor(() => a.election.isLeader(), 10_000, 'a elected');
    const f = await contender(b, 1, key);
    await waitFor(() => f.election.holder().holder === 'other', 10_000, 'f following');
    const resignedAt = b.clock.now();
    await a.election.resign();
    await waitFor(() => f.election.isLeader(), 10_000, 'f elected');
    expect(f.logged.filter((l) => l.event === 'lock_refused')).toEqual([]);
    expect(a.events.find((e) => e.type === 'deposed')?.reason).toBe('resigned');
    expect(f.events.find((e) => e.type === 'elected')!.at).toBeGreaterThanOrEqual(resignedAt);
    if (emulatorOnly(b)) {
      const release = entries(b, 'kv-release', key).at(-1)!;
      expect(release.lockDelayUntil).toBeUndefined();
      expect(entries(b, 'kv-acquire-rejected', key)).toEqual([]);
      // The session destroy that followed the release freed nothing, so it set no lock-delay (§2.8).
      const intervals = holdersWithoutOverlap(b.journal(), key);
      expect(intervals.map((i) => i.endedBy ?? 'held')).toEqual(['kv-release', 'held']);
      expect(intervals[1]!.lockIndex).toBe(intervals[0]!.lockIndex + 1);
    }
  });

  it('holder crash (its HTTP check goes critical) hands over after the check failure plus lock-delay, and not before (§2.8, §6.8, rule 52)', async () => {
    const b = await setup();
    const key = freshKey();
    const a = await contender(b, 0, key);
    await waitFor(() => a.election.isLeader(), 10_000, 'a elected');
    const f = await contender(b, 1, key);
    await waitFor(() => f.election.holder().holder === 'other', 10_000, 'f following');
    const crashedAt = b.clock.now();
    await a.crash();
    await waitFor(() => f.election.isLeader(), 20_000, 'f elected');
    const electedAt = f.events.find((e) => e.type === 'elected')!.at;
    expect(electedAt - crashedAt).toBeGreaterThanOrEqual(b.timing.lockDelayMs);
    if (emulatorOnly(b)) {
      const sessionA = a.events.find((e) => e.type === 'elected')!.token!.session;
      const critical = b
        .journal()
        .find((e) => e.op === 'check-status' && e.checkId === a.service.checkId && e.status === 'critical')!;
      const destroyed = b.journal().find((e) => e.op === 'session-destroy' && e.session === sessionA)!;
      expect(destroyed.reason).toBe('check-critical');
      expect(destroyed.index).toBe(critical.index);
      const acquire = entries(b, 'kv-acquire', key).at(-1)!;
      expect(acquire.node).toBe(f.node);
      // Not before: the lock-delay set by the invalidation had run out.
      expect(acquire.time).toBeGreaterThanOrEqual(critical.time + b.timing.lockDelayMs);
      // Refused while it ran, then retried when it could have expired — not on a fixed 5 s timer (§5.3).
      expect(entries(b, 'kv-acquire-rejected', key).length).toBeGreaterThanOrEqual(1);
      expect(acquire.time - critical.time).toBeLessThan(b.timing.lockDelayMs + 4_000);
      holdersWithoutOverlap(b.journal(), key);
    }
  });

  it.skipIf(REAL)(
    'holder partitioned from the servers deposes itself before the successor acquires (emulator only: needs partitionNode)',
    async () => {
      const b = await setup();
      const key = freshKey();
      const actionKey = `${key}-actions`;
      const a = await contender(b, 0, key);
      await waitFor(() => a.election.isLeader(), 10_000, 'a elected');
      const f = await contender(b, 1, key);
      await waitFor(() => f.election.holder().holder === 'other', 10_000, 'f following');
      // The leader's guarded work: bounded writes, one after another, each under a fresh lease.
      const actions: { start: number; end: number }[] = [];
      const working = (async () => {
        while (!a.election.stopped) {
          if (!a.election.isLeader()) {
            await new Promise((r) => setTimeout(r, 5));
            continue;
          }
          const start = b.clock.now();
          await a.election
            .withLease((signal) =>
              a.consul.kv.put(actionKey, `a ${start}`, { signal, timeoutMs: b.timing.maxWriteMs }),
            )
            .catch(() => undefined);
          actions.push({ start, end: b.clock.now() });
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      await waitFor(() => actions.length >= 5, 10_000, 'a few actions');
      b.emulator!.partitionNode(a.node);
      await waitFor(() => f.election.isLeader(), 20_000, 'f elected');
      b.emulator!.healNode(a.node);
      await a.election.resign();
      await working;

      const deposed = a.events.find((e) => e.type === 'deposed')!;
      expect(deposed.reason).toBe('unconfirmed');
      const acquire = entries(b, 'kv-acquire', key).at(-1)!;
      expect(acquire.node).toBe(f.node);
      expect(deposed.at).toBeLessThan(acquire.time);
      // The old holder's last guarded action ended before the successor's acquire…
      expect(Math.max(...actions.map((x) => x.end))).toBeLessThan(acquire.time);
      // …and so did its last write that reached Consul.
      const writes = entries(b, 'kv-set', actionKey);
      expect(writes.length).toBeGreaterThan(0);
      expect(Math.max(...writes.map((w) => w.time))).toBeLessThan(acquire.time);
      holdersWithoutOverlap(b.journal(), key);
    },
  );

  it.skipIf(REAL)(
    'cluster leader loss (`No cluster leader`) never creates two leaders (emulator only: needs loseLeader)',
    async () => {
      const b = await setup();
      const key = freshKey();
      const a = await contender(b, 0, key);
      await waitFor(() => a.election.isLeader(), 10_000, 'a elected');
      const f = await contender(b, 1, key);
      await waitFor(() => f.election.holder().holder === 'other', 10_000, 'f following');
      const token = a.election.token();
      const lostAt = b.clock.now();
      b.emulator!.loseLeader();
      let most = 0;
      const sample = async (ms: number) => {
        const until = Date.now() + ms;
        while (Date.now() < until) {
          most = Math.max(most, leaders([a, f]).length);
          await new Promise((r) => setTimeout(r, 5));
        }
      };
      await sample(2_000);
      expect(a.election.isLeader()).toBe(false);
      b.emulator!.restoreLeader();
      await waitFor(() => leaders([a, f]).length === 1, 10_000, 'a leader again');
      await sample(500);
      expect(most).toBeLessThanOrEqual(1);
      // Nobody acquired during the outage, and the holder resumed with the same fencing token.
      expect(entries(b, 'kv-acquire', key).filter((e) => e.time > lostAt)).toEqual([]);
      expect(a.election.token()).toEqual(token);
      const codes = [...a.events, ...f.events].flatMap((e) => (e.code == null ? [] : [e.code]));
      expect(codes).toContain('CONSUL_NO_LEADER');
      holdersWithoutOverlap(b.journal(), key);
    },
  );

  it.skipIf(REAL)(
    'ACL denial gives a clear error naming the missing permission (emulator only: needs an ACL-enabled cluster)',
    async () => {
      const b = await setup({
        acl: {
          defaultPolicy: 'deny',
          tokens: {
            admin: { management: true },
            'no-kv': {
              accessorId: 'a0000000-0000-0000-0000-00000000000a',
              rules: {
                keyPrefix: { '': 'read' },
                sessionPrefix: { '': 'write' },
                nodePrefix: { '': 'read' },
                servicePrefix: { '': 'write' },
                agentPrefix: { '': 'read' },
              },
            },
          },
        },
      });
      const key = freshKey();
      const denied = await contender(b, 0, key, { token: 'no-kv' });
      await waitFor(() => denied.events.some((e) => e.code === 'CONSUL_PERMISSION_DENIED'), 10_000, 'a 403');
      const error = denied.events.find((e) => e.code === 'CONSUL_PERMISSION_DENIED')!;
      expect(error.message).toMatch(/HTTP 403: Permission denied.*'key:write'/);
      expect(denied.election.isLeader()).toBe(false);

      // A token the cluster does not know at all (§7.1: 403 `ACL not found`).
      const stranger = createConsulClient({ baseUrl: b.agentUrl(b.nodes[1]!), token: 'who-am-i' });
      const unknown = await stranger.kv.get(key).catch((e: unknown) => e);
      await stranger.close();
      expect(unknown).toMatchObject({ code: 'CONSUL_ACL_NOT_FOUND', retryable: false });
    },
  );

  it.skipIf(REAL)(
    'the node’s serfHealth going critical deposes the holder; the successor waits out the lock-delay (emulator only: needs setCheckStatus)',
    async () => {
      const b = await setup();
      const key = freshKey();
      const a = await contender(b, 0, key);
      await waitFor(() => a.election.isLeader(), 10_000, 'a elected');
      const f = await contender(b, 1, key);
      await waitFor(() => f.election.holder().holder === 'other', 10_000, 'f following');
      b.emulator!.setCheckStatus(a.node, 'serfHealth', 'critical', 'Agent not live or unreachable');
      await waitFor(() => !a.election.isLeader(), 5_000, 'a deposed');
      await waitFor(() => f.election.isLeader(), 20_000, 'f elected');
      const deposed = a.events.find((e) => e.type === 'deposed')!;
      expect(['lost', 'session-lost']).toContain(deposed.reason);
      const critical = b
        .journal()
        .find((e) => e.op === 'check-status' && e.checkId === 'serfHealth' && e.status === 'critical')!;
      const acquire = entries(b, 'kv-acquire', key).at(-1)!;
      expect(acquire.node).toBe(f.node);
      expect(acquire.time).toBeGreaterThanOrEqual(critical.time + b.timing.lockDelayMs);
      expect(deposed.at).toBeLessThan(acquire.time);
      holdersWithoutOverlap(b.journal(), key);
    },
  );
});

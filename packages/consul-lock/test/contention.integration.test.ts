/**
 * Five contender processes, 200 random handovers (resign, kill -9, partition from the servers), and
 * the emulator's journal checked afterwards:
 * - no two lock periods overlap (split brain);
 * - every guarded write that reached Consul was made by the holder of the latest lock period
 *   started before it (a deposed holder never writes after its successor acquired).
 *
 * Timings are scaled down so the run fits in about a minute (lock-delay 300 ms, fence 90 ms, writes
 * bounded at 150 ms, checks every 30 ms, gossip failure detection 100 ms); the invariant
 * fenceAfterMs + maxWriteMs < lockDelayMs still holds. Emulator only: it needs kill and partition.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSystemClock, lockHolders, startConsul, type ConsulEmulator } from '@nat-ha/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { holdersWithoutOverlap } from './backend';
import type { ContenderMessage } from './fixtures/contender';

const REAL = process.env.CONSUL_HTTP_ADDR != null && process.env.CONSUL_HTTP_ADDR !== '';
const HANDOVERS = Number(process.env.NAT_HA_TEST_CONTENTION_HANDOVERS ?? 200);
const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];
const KEY = 'consul-lock-it/contention/leader';
const ACTION_KEY = 'consul-lock-it/contention/actions';
// Five Node processes share two CI cores with the emulator: the fence gets room for scheduling delay.
const TIMING = {
  lockDelayMs: 300,
  fenceAfterMs: 90,
  maxWriteMs: 150,
  confirmIntervalMs: 25,
  idleConfirmIntervalMs: 50,
  checkIntervalMs: 30,
  checkTimeoutMs: 1_000,
};
const SEED = Number(process.env.NAT_HA_TEST_CONTENTION_SEED ?? Date.now() % 1_000_000);

/** mulberry32: a small seeded generator, so a failing run can be replayed with NAT_HA_TEST_CONTENTION_SEED. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Child {
  node: string;
  proc: ChildProcess;
  exited: Promise<void>;
  /** The term this child currently leads, if any. */
  term: string | undefined;
}

const fixture = fileURLToPath(new URL('./fixtures/contender.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));

let emulator: ConsulEmulator | undefined;
const children = new Map<string, Child>();

afterAll(async () => {
  for (const child of children.values()) child.proc.kill('SIGKILL');
  await Promise.all([...children.values()].map((c) => c.exited));
  await emulator?.close();
});

describe.skipIf(REAL)('multi-process contention (emulator only: needs kill and partition)', () => {
  it(`5 processes, ${HANDOVERS} random handovers (resign, kill -9, partition): zero overlap of leases in the journal (seed ${SEED})`, async () => {
    const rng = random(SEED);
    const clock = createSystemClock();
    emulator = await startConsul({
      nodes: NODES,
      clock,
      minCheckIntervalMs: 10,
      failureDetectionMs: 100,
      rpcHoldTimeoutMs: 300,
    });
    const consul = emulator;
    const terms: { node: string; term: string; at: number }[] = [];
    const actionsDone: { node: string; ok: boolean; start: number; end: number }[] = [];
    const logs: { node: string; at: number; event: string; code?: string }[] = [];
    const waiters = new Set<() => void>();
    const notify = (): void => {
      for (const w of [...waiters]) w();
    };

    const spawnChild = (node: string): Child => {
      const proc = spawn(process.execPath, ['--import', 'tsx', fixture], {
        cwd: packageDir,
        env: {
          ...process.env,
          CONTENDER_CONFIG: JSON.stringify({
            node,
            agentUrl: consul.agentUrl(node),
            key: KEY,
            actionKey: ACTION_KEY,
            ...TIMING,
          }),
        },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      const child: Child = {
        node,
        proc,
        term: undefined,
        exited: new Promise((resolve) => proc.once('exit', () => resolve())),
      };
      proc.on('message', (message: ContenderMessage) => {
        if (message.type === 'log') {
          logs.push({ node, ...message });
          return;
        }
        if (message.type === 'action') {
          actionsDone.push({ node, ...message });
          return;
        }
        if (message.type === 'elected') {
          child.term = `${message.session}/${message.lockIndex}`;
          terms.push({ node, term: child.term, at: clock.now() });
        } else if (message.type === 'deposed' && child.term?.endsWith(`/${message.lockIndex}`) === true) {
          child.term = undefined;
        }
        notify();
      });
      void child.exited.then(() => {
        child.term = undefined;
        notify();
      });
      children.set(node, child);
      return child;
    };

    const until = async (condition: () => boolean, timeoutMs: number, what: string): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      while (!condition()) {
        const left = deadline - Date.now();
        if (left <= 0) {
          // Leave the evidence for whoever reads the failure.
          const dump = join(tmpdir(), `consul-lock-contention-${process.pid}.json`);
          writeFileSync(
            dump,
            JSON.stringify(
              {
                seed: SEED,
                children: [...children.values()].map((c) => ({
                  node: c.node,
                  term: c.term,
                  exit: c.proc.exitCode,
                })),
                journal: consul
                  .journal()
                  .filter((e) => e.key !== ACTION_KEY)
                  .slice(-200),
                logs: logs.slice(-500),
              },
              null,
              1,
            ),
          );
          throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (details in ${dump})`);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, Math.min(left, 50));
          function done(): void {
            clearTimeout(timer);
            waiters.delete(done);
            resolve();
          }
          waiters.add(done);
        });
      }
    };

    for (const node of NODES) spawnChild(node);
    const partitioned = new Set<string>();
    const counts = { resign: 0, kill: 0, partition: 0 };

    for (let i = 0; i < HANDOVERS; i++) {
      await until(() => terms.length > 0, 20_000, `a first leader`);
      // A short random dwell: the new leader is already writing, so handovers land mid-work.
      await new Promise((resolve) => setTimeout(resolve, Math.floor(rng() * 40)));
      // Act on the holder of the latest term (it may be between a fence-deposition and its reclaim).
      const latest = terms.at(-1)!;
      const leader = children.get(latest.node)!;
      const seen = terms.length;
      const healthy = [...children.values()].filter(
        (c) => c.proc.exitCode == null && !partitioned.has(c.node),
      ).length;
      const roll = rng();
      // Keep at least two healthy contenders besides the leader so every handover has a successor.
      const action = healthy <= 3 || roll < 0.6 ? 'resign' : roll < 0.8 ? 'kill' : 'partition';
      counts[action]++;
      if (action === 'resign') leader.proc.send({ type: 'resign' });
      else if (action === 'kill') leader.proc.kill('SIGKILL');
      else {
        consul.partitionNode(leader.node);
        partitioned.add(leader.node);
      }
      // A handover is a new term: another (session, lockIndex) than the one we acted on.
      await until(
        () => terms.slice(seen).some((t) => t.term !== latest.term),
        20_000,
        `the handover after ${action} of ${leader.node} (handover ${i})`,
      );
      if (action === 'kill') {
        void leader.exited.then(() => spawnChild(leader.node));
      } else if (action === 'partition') {
        consul.healNode(leader.node);
        partitioned.delete(leader.node);
      }
    }

    for (const child of children.values()) if (child.proc.connected) child.proc.send({ type: 'exit' });
    await Promise.race([
      Promise.all([...children.values()].map((c) => c.exited)),
      new Promise((resolve) => setTimeout(resolve, 5_000)),
    ]);

    const journal = consul.journal();
    const intervals = holdersWithoutOverlap(journal, KEY);
    expect(intervals.length).toBeGreaterThanOrEqual(HANDOVERS);
    expect(counts.resign + counts.kill + counts.partition).toBe(HANDOVERS);
    expect(counts.kill).toBeGreaterThan(0);
    expect(counts.partition).toBeGreaterThan(0);

    // Every guarded write belongs to the latest lock period that started before it was applied.
    const writes = journal.filter((e) => e.op === 'kv-set' && e.key === ACTION_KEY);
    expect(writes.length).toBeGreaterThan(0);
    const periods = lockHolders(journal, KEY);
    const strays = writes.filter((w) => {
      const current = periods.filter((p) => p.fromIndex <= w.index).at(-1);
      return current == null || current.node !== w.via;
    });
    expect(strays).toEqual([]);
  }, 240_000);
});

// Three OS processes contend for one lock through three agent endpoints, each behind its own
// HTTP-checked health server and with a session tied to that check. Killing the holder with
// SIGKILL must move the lock only after the check fails and the 1.5 s lock-delay has run — never
// earlier — which the journal proves (spec §2.8, §2.9, §6.8). Real clock, real processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startConsul, type ConsulEmulator } from '../../src/consul/emulator';
import type { ConsulJournalEntry } from '../../src/consul/journal';
import { lockHolders } from '../../src/consul/lock-holders';

const CONTENDER = fileURLToPath(new URL('./fixtures/contender.mjs', import.meta.url));
const LOCK_DELAY_MS = 1500;
const CHECK_INTERVAL_MS = 1000;
const CHECK_TIMEOUT_MS = 500;

interface Event {
  event: 'ready' | 'acquired' | 'refused' | 'lost';
  name: string;
  session: string;
  at: number;
  checkId?: string;
}

class Contender {
  readonly events: Event[] = [];
  private readonly waiters = new Set<() => void>();
  readonly child: ChildProcess;
  stderr = '';

  constructor(
    readonly name: string,
    agentUrl: string,
    key: string,
  ) {
    this.child = spawn(process.execPath, [CONTENDER, '--agent', agentUrl, '--key', key, '--name', name], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffer = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim() !== '') this.events.push(JSON.parse(line) as Event);
        for (const w of [...this.waiters]) w();
      }
    });
    this.child.stderr!.on('data', (c: Buffer) => (this.stderr += c.toString('utf8')));
  }

  first(event: Event['event']): Event | undefined {
    return this.events.find((e) => e.event === event);
  }

  waitFor(event: Event['event'], timeoutMs: number): Promise<Event> {
    return new Promise<Event>((resolve, reject) => {
      const check = (): void => {
        const found = this.first(event);
        if (found != null) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${this.name}: no ${event} within ${timeoutMs} ms; stderr: ${this.stderr}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}

describe('three processes contend for one lock', () => {
  let emulator: ConsulEmulator | undefined;
  const children: Contender[] = [];

  afterEach(async () => {
    for (const c of children) c.child.kill('SIGKILL');
    children.length = 0;
    await emulator?.close();
  });

  it('moves the lock only after the killed holder’s check fails and lock-delay expires', async () => {
    emulator = await startConsul({ nodes: ['node1', 'node2', 'node3'] });
    const key = 'nat-ha/group-a/leader';
    for (const n of emulator.nodes) children.push(new Contender(`c-${n}`, emulator.agentUrl(n), key));
    await Promise.all(children.map((c) => c.waitFor('ready', 20_000)));
    const firstHolder = await Promise.any(children.map((c) => c.waitFor('acquired', 20_000)));
    const holder = children.find((c) => c.name === firstHolder.name)!;
    const checkId = holder.first('ready')!.checkId!;

    const killedAt = Date.now();
    holder.child.kill('SIGKILL');
    const others = children.filter((c) => c !== holder);
    const next = await Promise.any(others.map((c) => c.waitFor('acquired', 20_000)));

    const journal = emulator.journal();
    const after = (e: ConsulJournalEntry): boolean => e.time >= killedAt;
    const critical = journal.find(
      (e) => after(e) && e.op === 'check-status' && e.checkId === checkId && e.status === 'critical',
    );
    expect(critical, 'the holder’s HTTP check went critical').toBeDefined();
    const destroyed = journal.find((e) => e.op === 'session-destroy' && e.session === firstHolder.session);
    expect(destroyed).toMatchObject({ index: critical!.index, reason: 'check-critical' });
    const released = journal.find((e) => e.op === 'lock-released-by-invalidation' && e.key === key);
    expect(released).toMatchObject({ index: critical!.index, session: firstHolder.session });
    expect(released!.lockDelayUntil).toBe(critical!.time + LOCK_DELAY_MS);
    const nextAcquire = journal.find(
      (e) => e.op === 'kv-acquire' && e.key === key && e.index > critical!.index,
    );
    expect(nextAcquire).toMatchObject({ session: next.session });
    // Never earlier: contenders asked during lock-delay and were refused.
    const refusedDuringDelay = journal.filter(
      (e) =>
        e.op === 'kv-acquire-rejected' &&
        e.key === key &&
        e.time >= critical!.time &&
        e.time < released!.lockDelayUntil!,
    );
    expect(refusedDuringDelay.length).toBeGreaterThan(0);
    expect(nextAcquire!.time).toBeGreaterThanOrEqual(released!.lockDelayUntil!);

    const holders = lockHolders(journal, key);
    expect(holders.map((x) => x.session)).toEqual([firstHolder.session, next.session]);
    expect(holders[0]!.to).toBe(critical!.time);
    expect(holders[1]!.from - holders[0]!.to!).toBeGreaterThanOrEqual(LOCK_DELAY_MS);
    expect(holders[1]!.lockIndex).toBe(holders[0]!.lockIndex + 1);

    const detectionMs = critical!.time - killedAt;
    const handoverMs = nextAcquire!.time - killedAt;
    // The HTTP check probes every interval, a probe takes at most the timeout; generous slack for
    // a loaded machine (this is a correctness test, not a benchmark).
    expect(detectionMs).toBeLessThanOrEqual(CHECK_INTERVAL_MS + CHECK_TIMEOUT_MS + 2000);
    console.log(
      `multi-process lock: check critical ${detectionMs} ms after SIGKILL, lock moved ${handoverMs} ms after ` +
        `SIGKILL (${nextAcquire!.time - critical!.time} ms after the check failed; lock-delay ${LOCK_DELAY_MS} ms); ` +
        `${refusedDuringDelay.length} acquire attempts refused during lock-delay`,
    );
  }, 60_000);
});

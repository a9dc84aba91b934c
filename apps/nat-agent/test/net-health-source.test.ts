/**
 * The HealthSource adapter over net-health with real probes against loopback targets this test
 * controls (a closed port fails a probe at once: connection refused).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createNetHealthSource } from '../src/adapters/net-health-source';
import { configSchema } from '../src/config/schema';
import { createNodeClock } from '../src/core/node-clock';
import type { HealthLevel } from '../src/ports';
import { createMemoryLogger, createMemoryMetrics } from './fakes';
import { startHealthTarget, type HealthTarget } from './support/health-target';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(targets: HealthTarget[], quorum: number) {
  const health = configSchema.parse({
    groups: [{ name: 'g', routeTables: { ids: ['rtb-0123456789abcdef0'] } }],
    health: {
      intervalMs: 100,
      timeoutMs: 80,
      rise: 2,
      fall: 2,
      quorum,
      targets: targets.map((t) => ({ type: 'tcp', host: '127.0.0.1', port: t.port })),
    },
  }).health;
  const ac = new AbortController();
  const metrics = createMemoryMetrics();
  const source = createNetHealthSource({
    health,
    clock: createNodeClock(),
    logger: createMemoryLogger(),
    metrics,
    signal: ac.signal,
  });
  cleanup.push(async () => {
    ac.abort();
    await source.monitor.stop();
  });
  const seen: HealthLevel[] = [source.snapshot().level];
  source.subscribe((s) => seen.push(s.level));
  return { source, seen, metrics };
}

const until = async (predicate: () => boolean, what: string, timeoutMs = 10_000) => {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('net-health as the agent HealthSource (loopback)', () => {
  it('unknown until decided, then healthy; a dead path goes degraded then unhealthy; recovery goes healthy', async () => {
    const a = await startHealthTarget();
    const b = await startHealthTarget();
    cleanup.push(
      () => a.close(),
      () => b.close(),
    );
    const { source, seen, metrics } = await setup([a, b], 2);
    expect(seen[0]).toBe('unknown');
    await until(() => source.snapshot().level === 'healthy', 'healthy');
    expect(seen.filter((l) => l === 'unhealthy')).toEqual([]); // no spurious unhealthy at start-up

    await a.down();
    await until(() => source.snapshot().level === 'unhealthy', 'unhealthy');
    const s = source.snapshot();
    expect(s.rounds.at(-1)?.passed).toBe(false);
    expect(s.rounds.at(-1)?.failures[0]?.target).toContain(`127.0.0.1:${a.port}`);
    // The first failed round already says "degraded": others stop counting this agent as a spare.
    expect(seen.indexOf('degraded')).toBeGreaterThan(seen.indexOf('healthy'));
    expect(seen.indexOf('degraded')).toBeLessThan(seen.lastIndexOf('unhealthy'));

    await a.up();
    await until(() => source.snapshot().level === 'healthy', 'healthy again');
    expect(metrics.calls.some((c) => c[0] === 'probe' && c[2] === false)).toBe(true);
    expect(metrics.calls.some((c) => c[0] === 'probe' && c[2] === true)).toBe(true);
  });

  it('a path that is dead from the start is reported unhealthy, not unknown forever', async () => {
    const a = await startHealthTarget();
    cleanup.push(() => a.close());
    await a.down();
    const { source } = await setup([a], 1);
    await until(() => source.snapshot().level === 'unhealthy', 'unhealthy');
  });
});

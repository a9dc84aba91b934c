import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIcmpProbe } from '../src/icmp-probe';
import type { ProbeResult } from '../src/probe';
import type { RoundResult } from '../src/round';
import type { StateChangeEvent } from '../src/monitor';
import {
  createTopology,
  FAR_HOST,
  isRoot,
  PATH_A,
  PATH_B,
  runInNs,
  spawnInNs,
  type Topology,
} from './helpers/netns';

/**
 * Root-only: ICMP and source-address path selection in network namespaces this test creates
 * (CONTRIBUTING.md, "Test hygiene" 4). Probes run inside the "NAT" namespace (ping through
 * `ip netns exec`, the other probes in a node child there); the far host lives in the "Internet"
 * namespace. No packet is sent from the root namespace.
 */
const root = isRoot();
if (!root) {
  console.warn('net-health netns tests skipped: they need root (network namespaces, nftables, ICMP)');
}

const pkg = fileURLToPath(new URL('..', import.meta.url));
const RUN_PROBES = 'test/fixtures/run-probes.ts';
const HOST_SCRIPT = 'test/fixtures/internet-host.ts';

type Spec = { kind: 'tcp' | 'http' | 'dns' | 'icmp'; options: Record<string, unknown> };

/** TCP, HTTP and DNS probes of the far host, bound to one path's source address. */
function boundProbes(local: string, timeoutMs: number): Spec[] {
  return [
    { kind: 'tcp', options: { host: FAR_HOST, port: 7001, localAddress: local, timeoutMs } },
    { kind: 'http', options: { url: `http://${FAR_HOST}:7080/ok`, localAddress: local, timeoutMs } },
    {
      kind: 'dns',
      options: { server: FAR_HOST, port: 7053, hostname: 'probe.test', localAddress: local, timeoutMs },
    },
  ];
}

describe.skipIf(!root)('in network namespaces (root)', () => {
  let topo: Topology | undefined;
  let host: ChildProcess | undefined;

  const icmp = (options: Record<string, unknown>) =>
    createIcmpProbe({
      host: FAR_HOST,
      timeoutMs: 1000,
      command: ['ip', 'netns', 'exec', topo!.nat, 'ping'],
      ...options,
    }).run();

  beforeAll(async () => {
    topo = await createTopology(String(process.pid));
    const started = await spawnInNs(topo.net, HOST_SCRIPT, [FAR_HOST], pkg);
    host = started.child;
    expect(JSON.parse(started.firstLine)).toEqual({ tcp: 7001, http: 7080, dns: 7053 });
  }, 60_000);

  afterAll(async () => {
    // Runs even when beforeAll or a test failed: nothing may outlive the run.
    host?.stdin?.end();
    host?.kill('SIGKILL');
    await topo?.destroy();
  });

  it('ICMP: pings a host in another namespace, and reports no route as PROBE_UNREACHABLE', async () => {
    await topo!.heal();
    const result = await icmp({});
    expect(result).toMatchObject({ target: `icmp://${FAR_HOST}`, ok: true });
    expect(result.latencyMs).toBeGreaterThan(0);
    const noRoute = await createIcmpProbe({
      host: '10.55.0.1',
      timeoutMs: 1000,
      command: ['ip', 'netns', 'exec', topo!.nat, 'ping'],
    }).run();
    expect(noRoute).toMatchObject({ ok: false, error: { code: 'PROBE_UNREACHABLE' } });
  });

  it('baseline: probes bound to either path pass (TCP, HTTP, DNS, ICMP by address and by interface)', async () => {
    await topo!.heal();
    const results = await runInNs<ProbeResult[]>(
      topo!.nat,
      RUN_PROBES,
      { mode: 'probes', probes: [...boundProbes(PATH_A.local, 2000), ...boundProbes(PATH_B.local, 2000)] },
      pkg,
    );
    expect(results.map((r) => [r.target, r.ok, r.error?.code])).toEqual([
      [`tcp://${FAR_HOST}:7001 from ${PATH_A.local}`, true, undefined],
      [`http://${FAR_HOST}:7080/ok from ${PATH_A.local}`, true, undefined],
      [`dns://${FAR_HOST}:7053/probe.test?type=A from ${PATH_A.local}`, true, undefined],
      [`tcp://${FAR_HOST}:7001 from ${PATH_B.local}`, true, undefined],
      [`http://${FAR_HOST}:7080/ok from ${PATH_B.local}`, true, undefined],
      [`dns://${FAR_HOST}:7053/probe.test?type=A from ${PATH_B.local}`, true, undefined],
    ]);
    for (const source of [PATH_A.local, PATH_A.iface, PATH_B.local, PATH_B.iface]) {
      const key = source.includes('.') ? 'localAddress' : 'interface';
      expect((await icmp({ [key]: source })).ok, `icmp from ${source}`).toBe(true);
    }
  }, 60_000);

  it('a blackholed path B (nftables drop at the far side): only the probes bound to B fail, with PROBE_TIMEOUT', async () => {
    await topo!.cutPath(PATH_B);
    try {
      const results = await runInNs<ProbeResult[]>(
        topo!.nat,
        RUN_PROBES,
        {
          mode: 'probes',
          probes: [
            ...boundProbes(PATH_A.local, 1000),
            ...boundProbes(PATH_B.local, 1000),
            { kind: 'tcp', options: { host: FAR_HOST, port: 7001, timeoutMs: 1000 } }, // unbound: main table, path A
          ],
        },
        pkg,
      );
      expect(results.map((r) => [r.ok, r.error?.code])).toEqual([
        [true, undefined],
        [true, undefined],
        [true, undefined],
        [false, 'PROBE_TIMEOUT'],
        [false, 'PROBE_TIMEOUT'],
        [false, 'PROBE_TIMEOUT'],
        [true, undefined],
      ]);
      const icmpResults = await Promise.all(
        [
          { localAddress: PATH_A.local },
          { interface: PATH_A.iface },
          { localAddress: PATH_B.local },
          { interface: PATH_B.iface },
        ].map((o) => icmp(o)),
      );
      expect(icmpResults.map((r) => [r.target, r.ok, r.error?.code])).toEqual([
        [`icmp://${FAR_HOST} from ${PATH_A.local}`, true, undefined],
        [`icmp://${FAR_HOST} from ${PATH_A.iface}`, true, undefined],
        [`icmp://${FAR_HOST} from ${PATH_B.local}`, false, 'PROBE_TIMEOUT'],
        [`icmp://${FAR_HOST} from ${PATH_B.iface}`, false, 'PROBE_TIMEOUT'],
      ]);
    } finally {
      await topo!.heal();
    }
  }, 60_000);

  it('a blackholed path A: the unbound probe (default route over A) fails too, path B still passes', async () => {
    await topo!.cutPath(PATH_A);
    try {
      const results = await runInNs<ProbeResult[]>(
        topo!.nat,
        RUN_PROBES,
        {
          mode: 'probes',
          probes: [
            { kind: 'tcp', options: { host: FAR_HOST, port: 7001, timeoutMs: 1000 } },
            {
              kind: 'tcp',
              options: { host: FAR_HOST, port: 7001, localAddress: PATH_A.local, timeoutMs: 1000 },
            },
            {
              kind: 'tcp',
              options: { host: FAR_HOST, port: 7001, localAddress: PATH_B.local, timeoutMs: 1000 },
            },
          ],
        },
        pkg,
      );
      expect(results.map((r) => r.ok)).toEqual([false, false, true]);
    } finally {
      await topo!.heal();
    }
  }, 60_000);

  it('monitors bound to each path: with B cut, only B turns unhealthy, after fall rounds, with the evidence', async () => {
    await topo!.cutPath(PATH_B);
    try {
      const monitorOptions = {
        initialState: 'healthy',
        intervalMs: 1000,
        jitterMs: 50,
        fall: 2,
        rise: 3,
        quorum: 2,
      };
      const out = await runInNs<
        Record<'A' | 'B', { state: string; changes: StateChangeEvent[]; rounds: RoundResult[] }>
      >(
        topo!.nat,
        RUN_PROBES,
        {
          mode: 'monitors',
          durationMs: 3600, // rounds at about 0, 1, 2 and 3 s
          monitors: [
            { name: 'A', probes: boundProbes(PATH_A.local, 700), options: monitorOptions },
            { name: 'B', probes: boundProbes(PATH_B.local, 700), options: monitorOptions },
          ],
        },
        pkg,
      );
      expect(out.A.state).toBe('healthy');
      expect(out.A.changes).toEqual([]);
      expect(out.B.state).toBe('unhealthy');
      expect(out.B.changes).toHaveLength(1);
      const change = out.B.changes[0]!;
      expect(change).toMatchObject({ from: 'healthy', to: 'unhealthy' });
      expect(change.rounds.map((r) => r.seq)).toEqual([1, 2]); // exactly `fall` rounds
      expect(new Set(change.failures.map((f) => f.code))).toEqual(new Set(['PROBE_TIMEOUT']));
      expect(change.failures).toHaveLength(6); // 3 targets x 2 rounds
    } finally {
      await topo!.heal();
    }
  }, 60_000);
});

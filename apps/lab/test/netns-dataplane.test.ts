/**
 * The dataplane lab's plumbing in real network namespaces (root only): the namespaces and links the
 * plan describes, the Internet host's echo server, the private host's probe stream through a NAT
 * namespace with MASQUERADE, the lab playing the VPC router, the outage measured from the stream,
 * and the cleanup of a crashed lab's namespaces. MASQUERADE is installed here by hand, standing in
 * for nat-agent's `manageNat` (the end-to-end `--netns` run uses the agents' own).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupStaleNamespaces, deleteNamespace, listLabNamespaces } from '../src/netns/cleanup';
import { ipBatch, run } from '../src/netns/exec';
import {
  setPrivateRoute,
  startInternetHost,
  startProbeStream,
  type ProbeStream,
} from '../src/netns/netns-platform';
import { batches, buildCommands, netnsPlan, type NetnsPlan } from '../src/netns/plan';
import { IS_ROOT, LAB_BUNDLE } from './support/lab-bundle';

const SELF = [process.execPath, LAB_BUNDLE];

async function masquerade(ns: string): Promise<void> {
  await run('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
  await run('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], {
    input:
      'table ip labtest {\n chain post {\n  type nat hook postrouting priority srcnat;\n  ip saddr 10.0.0.0/16 oifname "out0" masquerade\n }\n}\n',
  });
}

async function waitFor(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!IS_ROOT)('dataplane namespaces (root)', () => {
  let plan: NetnsPlan;
  let echo: Awaited<ReturnType<typeof startInternetHost>> | undefined;
  let stream: ProbeStream | undefined;

  beforeAll(async () => {
    plan = netnsPlan(process.pid, [
      { instanceId: 'i-a', privateIp: '10.0.0.10' },
      { instanceId: 'i-b', privateIp: '10.0.1.10' },
    ]);
    await ipBatch(batches(buildCommands(plan)));
    for (const n of plan.nats) await masquerade(n.netns);
    echo = await startInternetHost(plan, SELF);
  });

  afterAll(async () => {
    stream?.stop();
    echo?.kill('SIGTERM');
    if (plan != null)
      for (const ns of [plan.core, plan.priv, plan.inet, ...plan.nats.map((n) => n.netns)])
        await deleteNamespace(ns);
  });

  it('routes the probe stream through the NAT the VPC router points at, masqueraded, and measures an outage', async () => {
    const [a, b] = plan.nats;
    await setPrivateRoute(plan, a!.vpcIp);
    stream = await startProbeStream(plan, SELF);
    await waitFor('answers through nat-a', () => stream!.replies.length > 50);
    // The Internet host only knows 203.0.113.0/24: an answer proves the source was masqueraded.
    const { stdout } = await run('ip', ['netns', 'exec', a!.netns, 'nft', 'list', 'table', 'ip', 'labtest']);
    expect(stdout).toContain('masquerade');

    // nat-a loses its egress; 800 ms later the "route table" moves to nat-b.
    const fault = Date.now();
    await run('ip', ['-n', a!.netns, 'link', 'set', 'out0', 'down']);
    await new Promise((r) => setTimeout(r, 800));
    await setPrivateRoute(plan, b!.vpcIp);
    const moved = Date.now();
    await waitFor('answers through nat-b', () => stream!.replies.some((r) => r.sentAt > moved + 100), 10_000);
    await new Promise((r) => setTimeout(r, 1_200));
    const outage = stream.outageSince(fault - 200, Date.now() - 1_000);
    expect(outage.outageMs).toBeGreaterThanOrEqual(600);
    expect(outage.outageMs).toBeLessThan(5_000);
    expect(outage.lost).toBeGreaterThan(30);

    // A blackhole route is an outage too, and a route back heals it.
    await setPrivateRoute(plan, null);
    const { stdout: routes } = await run('ip', ['-n', plan.priv, 'route', 'show', 'default']);
    expect(routes).toContain('blackhole');
  });

  it('never puts an interface in the root namespace', async () => {
    const { stdout } = await run('ip', ['-o', 'link', 'show']);
    for (const name of ['br-mgmt', 'br-vpc', 'br-inet', 'mgmt0', 'vpc0', 'out0', 'v-priv', 'v-inet']) {
      expect(stdout).not.toMatch(new RegExp(`\\d+: ${name}[@:]`));
    }
  });

  it('removes the namespaces of a lab that died, and only those', async () => {
    const dead = netnsPlan(4_194_303, []);
    await run('ip', ['netns', 'add', dead.core]);
    const removed = await cleanupStaleNamespaces();
    expect(removed.namespaces).toContain(dead.core);
    const left = await listLabNamespaces();
    expect(left).not.toContain(dead.core);
    // Ours (this live process) are untouched.
    expect(left).toContain(plan.core);
  });
});

if (!IS_ROOT) {
  console.log('dataplane namespace tests skipped: they need root (network namespaces, nftables)');
}

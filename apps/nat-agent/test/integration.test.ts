/**
 * Real `nat-agent run` processes against the testkit simulation (Consul, EC2, Auto Scaling, IMDS on
 * loopback). Every assertion about who wrote what comes from the emulators' journals; no test asserts
 * speed beyond generous "eventually" bounds (performance is the lab bench's job).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { defaultWorld, lockHolders, type WorldSpec } from '@nat-ha/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnAgent } from './support/agent-process';
import { baseConfig, MANAGED_TABLES, startCluster, until, type SimCluster } from './support/sim-cluster';

const KEY = 'nat-ha/groups/vpc/leader';
const clusters: SimCluster[] = [];
afterEach(async (ctx) => {
  // A failing test shows what every agent logged: the evidence a timeline needs.
  if (ctx.task.result?.state === 'fail') for (const c of clusters) console.error(c.dump());
  for (const c of clusters.splice(0)) await c.close();
});

async function cluster(
  agents: number,
  config?: Parameters<typeof startCluster>[0]['config'],
  world?: WorldSpec,
) {
  const c = await startCluster({
    agents,
    ...(config === undefined ? {} : { config }),
    ...(world === undefined ? {} : { world }),
  });
  clusters.push(c);
  return c;
}

const routeWriters = (c: SimCluster) =>
  c.sim.aws
    .journal()
    .filter((e) => e.action === 'ReplaceRoute' || e.action === 'CreateRoute')
    // The start-up IAM self-test DryRuns the same actions; they change nothing.
    .filter((e) => e.params.DryRun !== 'true')
    .filter((e) => MANAGED_TABLES.includes(e.params.RouteTableId ?? ''));

function noOverlap(c: SimCluster): void {
  const intervals = lockHolders(c.sim.consul.journal(), KEY);
  for (let i = 1; i < intervals.length; i++) {
    const prev = intervals[i - 1]!;
    expect(prev.toIndex, `holder ${i - 1} ended before holder ${i} began`).toBeDefined();
    expect(prev.toIndex as number).toBeLessThanOrEqual(intervals[i]!.fromIndex);
  }
}

describe('nat-agent processes against the simulated VPC', () => {
  it('elects exactly one leader, which alone points every managed route at its ENI', async () => {
    const c = await cluster(3);
    const leader = await c.leader();
    await c.routesAt(leader.eni);
    // Give the others time to (wrongly) do anything.
    await new Promise((r) => setTimeout(r, 1_500));
    const claimers = c.agents.filter((a) => a.process.logs.some((l) => l.event === 'routes_claimed'));
    expect(claimers.map((a) => a.instanceId)).toEqual([leader.instanceId]);
    const writers = new Set(routeWriters(c).map((e) => e.callerInstanceId));
    expect([...writers].filter((w) => w !== leader.instanceId)).toEqual([]);
    expect(lockHolders(c.sim.consul.journal(), KEY)).toHaveLength(1);
    const claimed = leader.process.logs.find((l) => l.event === 'routes_claimed')!;
    expect(claimed).toMatchObject({ group: 'vpc', routes: 3 });
    expect(typeof claimed.time).toBe('number');
  }, 60_000);

  it('crash (kill -9): a follower takes over after the liveness check and lock-delay, never overlapping', async () => {
    const c = await cluster(2);
    const leader = await c.leader();
    await c.routesAt(leader.eni);
    const follower = c.agents.find((a) => a !== leader)!;
    leader.process.kill('SIGKILL');
    await c.routesAt(follower.eni, 20_000);
    const took = await follower.process.waitFor('routes_claimed');
    expect(took.movedFromOther).toBe(3);
    noOverlap(c);
    // The key was freed by Consul invalidating the dead agent's session (its liveness check failed).
    const freed = c.sim.consul
      .journal()
      .filter((e) => e.op === 'lock-released-by-invalidation' && e.key === KEY);
    expect(freed).toHaveLength(1);
  }, 60_000);

  it('SIGTERM: the leader releases first, the follower claims, the old leader exits 0 after seeing it', async () => {
    const c = await cluster(2);
    const leader = await c.leader();
    await c.routesAt(leader.eni);
    const follower = c.agents.find((a) => a !== leader)!;
    await c.passingAre(c.agents.map((a) => a.instanceId));
    await c.believesCandidate(leader);
    leader.process.kill('SIGTERM');
    expect((await leader.process.exited).code).toBe(0);
    await c.routesAt(follower.eni);
    const done = leader.process.logs.find((l) => l.event === 'drain_completed')!;
    expect(done.reason).toBe('signal');
    expect((done.successors as Record<string, string | null>).vpc).toEqual(expect.any(String));
    // Released by the holder (no lock-delay), not invalidated.
    const journal = c.sim.consul.journal();
    expect(journal.some((e) => e.op === 'kv-release' && e.key === KEY)).toBe(true);
    expect(journal.some((e) => e.op === 'lock-released-by-invalidation' && e.key === KEY)).toBe(false);
    noOverlap(c);
  }, 60_000);

  it('Internet path lost on the leader: it resigns at once and a healthy follower takes the routes', async () => {
    const c = await cluster(2);
    const leader = await c.leader();
    await c.routesAt(leader.eni);
    const follower = c.agents.find((a) => a !== leader)!;
    await c.passingAre(c.agents.map((a) => a.instanceId));
    await c.believesCandidate(leader);
    await leader.target.down();
    const resigned = await leader.process.waitFor('resigned');
    expect(resigned.reason).toBe('health_lost');
    await c.routesAt(follower.eni);
    expect(c.sim.consul.journal().some((e) => e.op === 'kv-release' && e.key === KEY)).toBe(true);
    // The old leader keeps running, standing by, and says why.
    await until(
      () => leader.process.logs.some((l) => l.event === 'state_changed' && l.to === 'follower.standing-by'),
      'old leader standing by',
    );
    expect(leader.process.child.exitCode).toBeNull();
    noOverlap(c);
  }, 60_000);

  it('spot interruption: the leader drains, hands over and exits 0', async () => {
    const c = await cluster(2);
    const leader = await c.leader();
    await c.routesAt(leader.eni);
    const follower = c.agents.find((a) => a !== leader)!;
    await c.passingAre(c.agents.map((a) => a.instanceId));
    await c.believesCandidate(leader);
    c.sim.aws.control.sendSpotInterruption(leader.instanceId);
    expect((await leader.process.exited).code).toBe(0);
    await c.routesAt(follower.eni);
    expect(leader.process.logs.find((l) => l.event === 'drain_started')).toMatchObject({
      reason: 'spot',
      detail: 'terminate',
    });
    noOverlap(c);
  }, 60_000);

  it('ASG Terminating: completes the lifecycle action (CONTINUE) only after the successor holds the routes', async () => {
    const c = await cluster(2);
    const leader = await c.leader();
    await c.routesAt(leader.eni);
    const follower = c.agents.find((a) => a !== leader)!;
    await c.passingAre(c.agents.map((a) => a.instanceId));
    await c.believesCandidate(leader);
    c.sim.aws.control.terminateInAutoScalingGroup(leader.instanceId);
    expect((await leader.process.exited).code).toBe(0);
    const journal = c.sim.aws.journal();
    const completes = journal.filter((e) => e.action === 'CompleteLifecycleAction');
    expect(completes).toHaveLength(1);
    expect(completes[0]).toMatchObject({ callerInstanceId: leader.instanceId, outcome: 'ok' });
    expect(completes[0]!.params).toMatchObject({
      LifecycleActionResult: 'CONTINUE',
      LifecycleHookName: 'nat-ha-drain',
    });
    const successorWrites = routeWriters(c).filter((e) => e.callerInstanceId === follower.instanceId);
    expect(successorWrites.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...successorWrites.map((e) => e.seq))).toBeLessThan(completes[0]!.seq);
  }, 60_000);

  it('invalid configuration: exit 2, every problem listed, nothing sent to IMDS, EC2 or Consul', async () => {
    const c = await cluster(0);
    const consulBefore = c.sim.consul.journal().length;
    const bad = {
      ...baseConfig(1),
      http: { port: 'eighty' },
      consul: { lockDelayMs: -1, adress: 'x' },
      groups: [{ name: 'Bad Name', routeTables: { ids: ['rtb-1'], tags: { a: 'b' } } }],
    };
    const p = c.spawn(0, { config: bad });
    expect((await p.exited).code).toBe(2);
    const stderr = p.text.join('');
    for (const path of [
      'http.port',
      'consul.lockDelayMs',
      'consul:',
      'groups[0].name',
      'groups[0].routeTables',
      'groups[0].routeTables.ids[0]',
    ]) {
      expect(stderr).toContain(path);
    }
    const id = Object.keys(c.sim.endpoints.imds)[0]!;
    expect(c.sim.aws.control.imdsRequests(id)).toEqual([]);
    expect(c.sim.aws.calls().filter((e) => e.callerInstanceId === id)).toEqual([]);
    expect(
      c.sim.consul
        .journal()
        .slice(consulBefore)
        .filter((e) => e.node === id),
    ).toEqual([]);
  }, 60_000);

  it('status and plan: the table names the leader and candidates; plan lists calls and writes nothing', async () => {
    const c = await cluster(2);
    const leader = await c.leader();
    await c.routesAt(leader.eni);
    const follower = c.agents.find((a) => a !== leader)!;
    const listening = await leader.process.waitFor('http_listening');
    const out = await runCli(
      ['status', '--json', '--url', String(listening.url)],
      statusEnv(c, c.agents.indexOf(leader)),
    );
    expect(out.status, out.stderr).toBe(0);
    if (!out.stdout.includes('"holders"')) console.error(out.stdout);
    const view = JSON.parse(out.stdout) as {
      local: { groups: Array<{ name: string; state: string }> };
      cluster: { holders: Record<string, { node: string }>; instances: Array<{ instanceId: string }> };
    };
    expect(view.local.groups[0]).toMatchObject({ name: 'vpc', state: 'leader.serving' });
    expect(view.cluster.holders[KEY]?.node).toBe(leader.instanceId);
    expect(view.cluster.instances.map((i) => i.instanceId).sort()).toEqual(
      c.agents.map((a) => a.instanceId).sort(),
    );

    const before = c.sim.aws.journal().length;
    const plan = await runCli(['plan', '--json'], statusEnv(c, c.agents.indexOf(follower)));
    expect(plan.status).toBe(0);
    const planned = JSON.parse(plan.stdout) as {
      groups: Array<{ plan: { calls: Array<{ action: string }> } }>;
    };
    expect(planned.groups[0]!.plan.calls.map((x) => x.action)).toEqual([
      'ReplaceRoute',
      'ReplaceRoute',
      'ReplaceRoute',
    ]);
    expect(c.sim.aws.journal().length).toBe(before);
  }, 60_000);
});

const isRoot = process.getuid?.() === 0;
const hasNft = spawnSync('nft', ['--version'], { stdio: 'ignore' }).status === 0;
if (!isRoot || !hasNft) console.warn('[nat-agent integration] data plane test skipped: needs root and nft');

describe.skipIf(!isRoot || !hasNft)('data plane verification with a real agent process (root)', () => {
  const ns = `nagt-it-${process.pid}`;
  afterEach(() => {
    spawnSync('ip', ['netns', 'del', ns]);
  });

  it('a broken data plane: the agent refuses to lead and says why in logs, /health and /status', async () => {
    execFileSync('ip', ['netns', 'add', ns]);
    const ip = (...a: string[]) => execFileSync('ip', ['-n', ns, ...a]);
    ip('link', 'add', 'egress0', 'type', 'veth', 'peer', 'name', 'peer0');
    ip('link', 'set', 'egress0', 'up');
    ip('addr', 'add', '192.0.2.2/24', 'dev', 'egress0');
    ip('route', 'add', 'default', 'via', '192.0.2.1');
    const c = await cluster(1, (base) => ({
      ...base,
      dataplane: { mode: 'nftables', manageNat: false, namespace: ns },
    }));
    const agent = c.agents[0]!;
    const checked = await agent.process.waitFor('dataplane_checked');
    expect(checked.level).toBe('error');
    expect(checked.reason).toBe('net.ipv4.ip_forward is 0; no MASQUERADE rule in any nat postrouting chain');
    const ready = await agent.process.waitFor('agent_ready');
    expect(ready.ready).toBe(false);
    const url = String((await agent.process.waitFor('http_listening')).url);
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { reasons: string[] }).reasons[0]).toMatch(
      /^data plane: net.ipv4.ip_forward is 0/,
    );
    const status = (await (await fetch(`${url}/status`)).json()) as {
      ready: { ok: boolean; dataplane: { reason: string } };
    };
    expect(status.ready.ok).toBe(false);
    // Healthy path, ready Consul and EC2, but it must never contend.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(agent.process.events()).not.toContain('contending');
    expect(agent.process.events()).not.toContain('elected');
    expect(routeWriters(c)).toEqual([]);
  }, 60_000);
});

/**
 * Runs a short CLI command asynchronously: the emulators live in this process, so a synchronous
 * spawn would freeze the very servers the command talks to.
 */
async function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const p = spawnAgent({ name: args[0]!, command: args[0]!, args: args.slice(1), env });
  const { code } = await p.exited;
  const stdout = [...p.logs.map((l) => JSON.stringify(l)), ...p.text].join('\n');
  return { status: code, stdout: p.rawStdout(), stderr: stdout };
}

function statusEnv(c: SimCluster, index: number): Record<string, string> {
  const id = Object.keys(c.sim.endpoints.imds)[index]!;
  return {
    CONSUL_HTTP_ADDR: c.sim.endpoints.consulAgents[id]!,
    AWS_ENDPOINT_URL_EC2: c.sim.endpoints.ec2,
    AWS_ENDPOINT_URL_AUTO_SCALING: c.sim.endpoints.autoscaling,
    AWS_EC2_METADATA_SERVICE_ENDPOINT: c.sim.endpoints.imds[id]!,
    AWS_REGION: c.sim.region,
    AWS_EC2_METADATA_DISABLED: 'false',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    NAT_HA_GROUPS: JSON.stringify([
      { name: 'vpc', role: 'primary', routeTables: { tags: { 'nat-ha:managed': 'true' } } },
    ]),
  };
}

describe('fallback and rescue with real agent processes', () => {
  it('no healthy candidate: the (unhealthy) holder moves routes to the NAT gateway after the hold-down, and back when healthy', async () => {
    const c = await cluster(
      1,
      (base) => ({
        ...base,
        groups: [
          {
            name: 'vpc',
            role: 'primary',
            routeTables: { tags: { 'nat-ha:managed': 'true' } },
            fallback: { natGatewayId: 'nat-00000000000000100', holdDownMs: 1_000 },
          },
        ],
      }),
      defaultWorld({ natGateways: true }),
    );
    const agent = c.agents[0]!;
    await c.routesAt(agent.eni);
    await agent.target.down();
    await agent.process.waitFor('fallback_pending');
    const engaged = await agent.process.waitFor('fallback_engaged');
    expect(engaged.level).toBe('warn');
    await until(
      () => MANAGED_TABLES.every((t) => c.routeOf(t) === 'nat-00000000000000100'),
      'routes on the NAT gateway',
    );
    const url = String((await agent.process.waitFor('http_listening')).url);
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('nat_ha_fallback_active{group="vpc"} 1');
    await agent.target.up();
    await agent.process.waitFor('fallback_disengaged');
    await c.routesAt(agent.eni);
    // The routes land in EC2 before the agent has verified its claim and cleared the flag: poll.
    let metrics = '';
    const deadline = Date.now() + 10_000;
    while (!metrics.includes('nat_ha_fallback_active{group="vpc"} 0') && Date.now() < deadline) {
      metrics = await (await fetch(`${url}/metrics`)).text();
      if (!metrics.includes('nat_ha_fallback_active{group="vpc"} 0'))
        await new Promise((r) => setTimeout(r, 50));
    }
    expect(metrics).toContain('nat_ha_fallback_active{group="vpc"} 0');
  }, 60_000);

  it('rescue: another AZ takes an orphaned group after rescueAfterMs and hands it back to the recovered primary', async () => {
    const RTB = 'rtb-00000000000000100'; // us-east-1a's private table
    const group = {
      name: 'az-a',
      routeTables: { azPrivate: 'us-east-1a' },
      rescueAfterMs: 1_500,
      handBackAfterMs: 2_000,
    };
    const c = await cluster(2, (base) => ({ ...base, groups: [group] }));
    const [primary, rescue] = c.agents as [(typeof c.agents)[0], (typeof c.agents)[0]];
    const lastState = (a: typeof primary) =>
      a.process.logs.filter((l) => l.event === 'state_changed').at(-1)?.to;
    // (If the primary starts slowly, the rescue covers for it first and hands back: either way, wait.)
    await until(
      () => lastState(primary) === 'leader.serving' && lastState(rescue) === 'follower.rescue-waiting',
      'primary leads az-a, rescue waits',
      30_000,
    );
    expect(c.routeOf(RTB)).toBe(primary.eni);
    const killedAt = Date.now();
    primary.process.kill('SIGKILL');
    await until(() => c.routeOf(RTB) === rescue.eni, 'rescue took az-a', 30_000);
    const contending = rescue.process.logs
      .filter((l) => l.event === 'contending' && l.time >= killedAt)
      .at(0)!;
    const free = c.sim.consul
      .journal()
      .find(
        (e) =>
          e.op === 'lock-released-by-invalidation' &&
          e.key === 'nat-ha/groups/az-a/leader' &&
          e.time >= killedAt,
      )!;
    // It waited for the group to be leaderless for rescueAfterMs before contending.
    expect(contending.time - free.time).toBeGreaterThanOrEqual(1_400);

    // The primary comes back (a new process on the same instance): the rescue hands back.
    const back = c.spawn(0, { config: { ...baseConfig(primary.target.port), groups: [group] } });
    await rescue.process.waitFor('hand_back_armed', (l) => l.time >= killedAt, 30_000);
    const resigned = await rescue.process.waitFor('resigned', (l) => l.time >= killedAt, 30_000);
    expect(resigned.reason).toBe('hand_back');
    await until(() => c.routeOf(RTB) === primary.eni, 'primary owns az-a again', 30_000);
    await back.waitFor('routes_claimed');
    noOverlapOn(c, 'nat-ha/groups/az-a/leader');
  }, 90_000);
});

function noOverlapOn(c: SimCluster, key: string): void {
  const intervals = lockHolders(c.sim.consul.journal(), key);
  for (let i = 1; i < intervals.length; i++) {
    expect(intervals[i - 1]!.toIndex as number).toBeLessThanOrEqual(intervals[i]!.fromIndex);
  }
}

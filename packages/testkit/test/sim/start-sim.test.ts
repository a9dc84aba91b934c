// startSim: Consul with one agent per instance, EC2/Auto Scaling and one IMDS per instance on one
// clock, and one control plane — including a real child process that finds its identity and
// credentials through the SDK's default chain, exactly as a nat-agent process does in the lab.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../../src/sim/start-sim';
import { defaultWorld } from '../../src/world/default-world';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const world = defaultWorld();
const [natA, natB] = world.instances.map((i) => i.instanceId) as [string, string];

/** Runs an ES module snippet in a fresh node process with exactly `env`; resolves its stdout. */
function runNode(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: packageDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('startSim', () => {
  let sim: Sim | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('serves Consul with one agent per instance (node name = instance id, address = private IP)', async () => {
    sim = await startSim({ world });
    const e = sim.endpoints;
    expect(Object.keys(e)).toEqual([
      'region',
      'ec2',
      'autoscaling',
      'consul',
      'consulAgents',
      'imds',
      'control',
    ]);
    expect(Object.keys(e.consulAgents)).toEqual([natA, natB, world.instances[2]?.instanceId]);
    expect(Object.keys(e.imds)).toEqual(Object.keys(e.consulAgents));
    expect(e.autoscaling).toBe(e.ec2);
    const self = (await (await fetch(`${e.consulAgents[natB] as string}/v1/agent/self`)).json()) as {
      Config: { NodeName: string };
    };
    expect(self.Config.NodeName).toBe(natB);
    const nodes = (await (await fetch(`${e.consulAgents[natA] as string}/v1/catalog/nodes`)).json()) as {
      Node: string;
      Address: string;
    }[];
    expect(nodes.map((n) => [n.Node, n.Address]).sort()).toEqual(
      world.instances.map((i) => [i.instanceId, i.networkInterfaces[0]?.privateIpAddress]).sort(),
    );
  });

  it('a real process with only endpoint variables resolves region and role credentials from its IMDS; calls are attributed to it', async () => {
    sim = await startSim({ world });
    const e = sim.endpoints;
    const script = `
      import { EC2Client, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
      import { AutoScalingClient, DescribeAutoScalingInstancesCommand } from '@aws-sdk/client-auto-scaling';
      const ec2 = new EC2Client({});
      const out = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:nat-ha:cluster', Values: ['lab'] }] }));
      const as = new AutoScalingClient({});
      const asg = await as.send(new DescribeAutoScalingInstancesCommand({}));
      console.log(JSON.stringify({ region: await ec2.config.region(), instances: out.Reservations.length, asg: asg.AutoScalingInstances.length }));
    `;
    const result = await runNode(script, {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: packageDir,
      AWS_ENDPOINT_URL_EC2: e.ec2,
      AWS_ENDPOINT_URL_AUTO_SCALING: e.autoscaling,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: e.imds[natB] as string,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout.trim().split('\n').at(-1) as string)).toEqual({
      region: 'us-east-1',
      instances: 3,
      asg: 3,
    });
    const calls = sim.aws.calls();
    expect(calls.map((c) => [c.service, c.action, c.callerInstanceId])).toEqual([
      ['ec2', 'DescribeInstances', natB],
      ['autoscaling', 'DescribeAutoScalingInstances', natB],
    ]);
    expect(
      sim.aws.control.imdsRequests(natB).some((r) => r.path === '/latest/meta-data/placement/region'),
    ).toBe(true);
    expect(sim.aws.control.imdsRequests(natA)).toEqual([]);
  });

  it('stopping an instance kills its Consul agent; starting it revives the agent', async () => {
    sim = await startSim({ world });
    const agent = sim.endpoints.consulAgents[natA] as string;
    expect((await fetch(`${agent}/v1/agent/self`)).status).toBe(200);
    sim.aws.control.stopInstance(natA);
    await expect
      .poll(
        async () =>
          fetch(`${agent}/v1/agent/self`).then(
            (r) => r.status,
            () => 'refused',
          ),
        { timeout: 10_000 },
      )
      .toBe('refused');
    sim.aws.control.startInstance(natA);
    await expect
      .poll(
        async () =>
          fetch(`${agent}/v1/agent/self`).then(
            (r) => r.status,
            () => 'refused',
          ),
        { timeout: 10_000 },
      )
      .toBe(200);
  });

  it('one control plane for both: <control>aws/<method> and <control>consul/<method>', async () => {
    sim = await startSim({ world, linkConsulToInstances: false });
    const post = (path: string, args: unknown[]) =>
      fetch(`${sim?.endpoints.control as string}${path}`, { method: 'POST', body: JSON.stringify(args) });
    expect((await post('consul/partitionNode', [natA])).status).toBe(200);
    expect((await post('consul/healNode', [natA])).status).toBe(200);
    expect((await post('aws/stopInstance', [natB])).status).toBe(200);
    expect(sim.aws.control.instance(natB).state).toBe('stopped');
    // Not linked: the agent of a stopped instance keeps running.
    expect((await fetch(`${sim.endpoints.consulAgents[natB] as string}/v1/agent/self`)).status).toBe(200);
    const journal = (await (await fetch(`${sim.endpoints.control}consul/journal`)).json()) as {
      result: unknown[];
    };
    expect(journal.result.length).toBeGreaterThan(0);
  });
});

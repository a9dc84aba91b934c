/**
 * The dataplane platform, used by the lab process running inside `<prefix>-core`: each agent runs in
 * its NAT namespace (`ip netns exec`), manages real MASQUERADE there (`dataplane.manageNat`), probes
 * the Internet host through its own egress link; the Internet host runs the echo server; the lab
 * plays the VPC router for the private host and measures the probe stream.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { LabError } from '../errors';
import type { InternetPath } from '../internet/internet-path';
import type { Lab } from '../lab/lab';
import type { LabPlatform } from '../lab/platform';
import { createLineSplitter } from '../process/log-lines';
import { sleep } from '../util/wait';
import type { LabInstance } from '../world/topology';
import { ip } from './exec';
import { computeOutage, type Outage, type ProbeReply } from './outage';
import type { NatNetns, NetnsPlan } from './plan';

const PROBE_INTERVAL_MS = 10;

/** How to run this lab's own bundle again (for the echo server and the prober). */
export function defaultSelfCommand(): string[] {
  return [process.execPath, ...process.execArgv, process.argv[1] as string];
}

function spawnInNetns(self: readonly string[], netns: string, args: readonly string[]): ChildProcess {
  const [file, ...rest] = self;
  return spawn('ip', ['netns', 'exec', netns, file as string, ...rest, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The Internet host's echo server (UDP) and health target (TCP). */
export async function startInternetHost(
  plan: NetnsPlan,
  self: readonly string[] = defaultSelfCommand(),
): Promise<ChildProcess> {
  const echo = spawnInNetns(self, plan.inet, [
    '__netns-echo',
    '--host',
    plan.inetIp,
    '--udp-port',
    String(plan.echoPort),
    '--tcp-port',
    String(plan.healthPort),
  ]);
  await waitReady(echo, 'the Internet host');
  return echo;
}

export interface ProbeStream {
  readonly replies: readonly ProbeReply[];
  outageSince(from: number, to?: number): Outage & { intervalMs: number };
  stop(): void;
}

/** The private host's probe stream: one datagram every 10 ms to the Internet host's echo server. */
export async function startProbeStream(
  plan: NetnsPlan,
  self: readonly string[] = defaultSelfCommand(),
): Promise<ProbeStream> {
  const replies: ProbeReply[] = [];
  const prober = spawnInNetns(self, plan.priv, [
    '__netns-probe',
    '--host',
    plan.inetIp,
    '--port',
    String(plan.echoPort),
    '--interval-ms',
    String(PROBE_INTERVAL_MS),
  ]);
  const split = createLineSplitter((line) => {
    if (!line.startsWith('{"s":')) return;
    try {
      const r = JSON.parse(line) as { s: number; t: number; r: number };
      replies.push({ seq: r.s, sentAt: r.t, receivedAt: r.r });
      // Keep ten minutes at 100 per second.
      if (replies.length > 60_000) replies.splice(0, replies.length - 60_000);
    } catch {
      // A partial line at exit.
    }
  });
  prober.stdout?.setEncoding('utf8');
  const ready = waitReady(prober, 'the probe stream');
  prober.stdout?.on('data', (c: string) => split.push(c));
  await ready;
  return {
    replies,
    outageSince: (from, to = Date.now() - 1_000) => ({
      ...computeOutage(replies, { from, to }, PROBE_INTERVAL_MS),
      intervalMs: PROBE_INTERVAL_MS,
    }),
    stop: () => void prober.kill('SIGTERM'),
  };
}

/** Points the private host's default route at a NAT's VPC address, or blackholes it. */
export async function setPrivateRoute(plan: NetnsPlan, via: string | null): Promise<void> {
  if (via == null) await ip(['-n', plan.priv, 'route', 'replace', 'blackhole', 'default']);
  else await ip(['-n', plan.priv, 'route', 'replace', 'default', 'via', via, 'dev', 'eth0']);
}

async function waitReady(child: ChildProcess, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new LabError('COMMAND_FAILED', `${what} did not start`)), 15_000);
    const onData = (chunk: Buffer | string) => {
      if (String(chunk).includes('"ready":true')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new LabError('COMMAND_FAILED', `${what} exited with code ${String(code)}`));
    });
  });
}

export interface DataplaneProbe {
  /** The outage (longest gap in the probe stream) from `from` until now. */
  outageSince(from: number): Outage & { intervalMs: number };
  stop(): void;
}

export interface NetnsPlatform extends LabPlatform {
  readonly plan: NetnsPlan;
  /** Starts the VPC router for the private host and the probe stream; call once the lab runs. */
  startProbe(lab: Lab, note: (line: string) => void): Promise<DataplaneProbe>;
}

function natOf(plan: NetnsPlan, instance: LabInstance): NatNetns {
  const n = plan.nats.find((x) => x.instanceId === instance.instanceId);
  if (n == null) throw new LabError('INVALID_OPTION', `no namespace planned for ${instance.instanceId}`);
  return n;
}

async function egressUp(plan: NetnsPlan, nat: NatNetns): Promise<void> {
  await ip(['-n', nat.netns, 'link', 'set', 'out0', 'up']);
  await ip(['-n', nat.netns, 'route', 'replace', 'default', 'via', plan.inetIp, 'dev', 'out0']);
}

export async function createNetnsPlatform(
  plan: NetnsPlan,
  self: readonly string[] = defaultSelfCommand(),
): Promise<NetnsPlatform> {
  const children: ChildProcess[] = [await startInternetHost(plan, self)];
  const probes: ProbeStream[] = [];

  return {
    kind: 'netns',
    plan,
    simHost: plan.coreIp,
    agentCommand(instance, base) {
      const nat = natOf(plan, instance);
      return { ...base, file: 'ip', args: ['netns', 'exec', nat.netns, base.file, ...base.args] };
    },
    agentHttp: (instance) => ({ host: natOf(plan, instance).mgmtIp, port: plan.agentHttpPort }),
    dataplane: () => ({ mode: 'auto', manageNat: true, egressInterface: 'out0', vpcCidrs: [plan.vpcCidr] }),
    async startInternet(instance): Promise<InternetPath> {
      const nat = natOf(plan, instance);
      let up = true;
      return {
        instanceId: instance.instanceId,
        targets: [{ host: plan.inetIp, port: plan.healthPort }],
        get isUp() {
          return up;
        },
        async up() {
          await egressUp(plan, nat);
          up = true;
        },
        async down() {
          // The egress link goes down: probes and forwarded traffic both stop, as when an instance
          // loses its path to the Internet gateway.
          await ip(['-n', nat.netns, 'link', 'set', 'out0', 'down']);
          up = false;
        },
        close: async () => undefined,
      };
    },
    async onNodeDown(instance) {
      const nat = natOf(plan, instance);
      // The instance is gone: it forwards nothing any more.
      await ip(['-n', nat.netns, 'link', 'set', 'vpc0', 'down']);
      await ip(['-n', nat.netns, 'link', 'set', 'out0', 'down']);
    },
    async onNodeUp(instance) {
      const nat = natOf(plan, instance);
      await ip(['-n', nat.netns, 'link', 'set', 'vpc0', 'up']);
      await egressUp(plan, nat);
    },
    async startProbe(lab, note) {
      const stop = new AbortController();
      // The VPC router: the private host's default route follows the private subnet's route table.
      const world = lab.sim.aws.control.world();
      const subnet = world.subnets.find((s) => s.cidrBlock === '10.0.10.0/24')?.subnetId;
      const table = world.routeTables.find(
        (t) => subnet != null && (t.subnetIds ?? []).includes(subnet),
      )?.routeTableId;
      let applied = '';
      const router = (async () => {
        while (!stop.signal.aborted && table != null) {
          const r = lab.sim.aws.control
            .routeTable(table)
            .routes.find((x) => x.destinationCidrBlock === '0.0.0.0/0');
          const owner =
            r?.networkInterfaceId == null ? undefined : lab.topology.eniInstance.get(r.networkInterfaceId);
          const nat = plan.nats.find((n) => n.instanceId === owner);
          const via = r?.state === 'active' && nat != null ? nat.vpcIp : null;
          const want = via ?? 'blackhole';
          if (want !== applied) {
            try {
              await setPrivateRoute(plan, via);
              lab.events.record({
                kind: 'info',
                text: `VPC router: the private subnet's default route → ${via == null ? 'blackhole' : `${lab.name(owner)} (${via})`}`,
              });
              applied = want;
            } catch (error) {
              note(`VPC router: ${(error as Error).message}`);
            }
          }
          await sleep(10, stop.signal).catch(() => undefined);
        }
      })();
      const stream = await startProbeStream(plan, self);
      probes.push(stream);
      return {
        outageSince: (from) => stream.outageSince(from),
        stop() {
          stop.abort();
          stream.stop();
          void router;
        },
      };
    },
    async close() {
      for (const p of probes) p.stop();
      for (const c of children) if (c.exitCode == null) c.kill('SIGTERM');
    },
  };
}

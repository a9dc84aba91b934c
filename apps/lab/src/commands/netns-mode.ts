/**
 * `--netns`: the lab with a real data plane. The command runs in two processes:
 *
 * - the outer one (root namespace) checks for root and `ip`, removes namespaces of dead labs,
 *   creates this lab's namespaces, runs the inner one inside `<prefix>-core`, and always deletes the
 *   namespaces afterwards (also when the inner one crashes, and on SIGINT/SIGTERM); a lab killed with
 *   SIGKILL leaves them to the next start or to `pnpm lab --cleanup`;
 * - the inner one is the ordinary lab with the dataplane platform: the emulators listen on the
 *   management bridge, agents run in their NAT namespaces.
 */
import { spawn } from 'node:child_process';
import { defaultWorld } from '@nat-ha/testkit';
import { describeError } from '../errors';
import { cleanupStaleNamespaces, deleteNamespace } from '../netns/cleanup';
import { ipBatch, netnsAvailable } from '../netns/exec';
import { createNetnsPlatform, type NetnsPlatform } from '../netns/netns-platform';
import { batches, buildCommands, netnsPlan, type NetnsPlan } from '../netns/plan';
import type { CommandIo } from './command-io';

export const NETNS_INNER_FLAG = '--netns-inner';

function planFor(pid: number, instances: number): NetnsPlan {
  const world = defaultWorld({ natInstances: instances });
  return netnsPlan(
    pid,
    world.instances.map((i) => ({
      instanceId: i.instanceId,
      privateIp: i.networkInterfaces[0]?.privateIpAddress as string,
    })),
  );
}

/** The outer process. Returns the exit code (0 with a message when dataplane mode is unavailable). */
export async function runNetnsOuter(
  argv: readonly string[],
  instances: number,
  io: CommandIo,
): Promise<number> {
  const available = await netnsAvailable();
  if (!available.ok) {
    io.stderr(
      `nat-ha-lab: --netns skipped: ${available.reason}. Run without --netns for the loopback lab.\n`,
    );
    return 0;
  }
  const stale = await cleanupStaleNamespaces();
  if (stale.namespaces.length > 0)
    io.stderr(`nat-ha-lab: removed ${stale.namespaces.length} namespace(s) of labs that died\n`);
  const plan = planFor(process.pid, instances);
  const all = [plan.core, plan.priv, plan.inet, ...plan.nats.map((n) => n.netns)];
  const cleanup = async (): Promise<void> => {
    for (const ns of all) await deleteNamespace(ns);
  };
  try {
    await ipBatch(batches(buildCommands(plan)));
  } catch (error) {
    io.stderr(`nat-ha-lab: could not build the network namespaces: ${describeError(error)}\n`);
    await cleanup();
    return 1;
  }
  io.stderr(
    `nat-ha-lab: network namespaces ${plan.prefix}-* ready (core, priv, inet, ${plan.nats.length} NATs)\n`,
  );
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      plan.core,
      process.execPath,
      ...process.execArgv,
      process.argv[1] as string,
      ...argv,
      NETNS_INNER_FLAG,
      String(process.pid),
    ],
    { stdio: 'inherit' },
  );
  const forward = (signal: NodeJS.Signals) => () => {
    if (child.exitCode == null) child.kill(signal);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    const code = await new Promise<number>((resolve) =>
      child.on('exit', (c, s) => resolve(c ?? (s === 'SIGINT' ? 130 : 1))),
    );
    return code;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    await cleanup();
  }
}

/** The inner process: the dataplane platform for the plan the outer process built. */
export async function createInnerNetns(outerPid: number, instances: number): Promise<NetnsPlatform> {
  return createNetnsPlatform(planFor(outerPid, instances));
}

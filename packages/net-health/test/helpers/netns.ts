/**
 * Network namespaces for the root-only tests. Everything lives inside namespaces this test run
 * creates (names include the pid), with 10.77.0.0/16 addresses that exist only there; no interface
 * or route is added to the root namespace, so no packet can leave it (CONTRIBUTING.md, "Test hygiene").
 *
 *   namespace NAT (the NAT instance)                 namespace NET (the Internet)
 *   a0 10.77.1.2/24  ── veth path A ──  a1 10.77.1.1/24
 *   b0 10.77.2.2/24  ── veth path B ──  b1 10.77.2.1/24     lo 10.77.100.1/32 (the far host)
 *
 * In NAT, policy routing sends traffic from 10.77.1.2 over path A and from 10.77.2.2 over path B
 * (as amazon-ec2-net-utils does per ENI); unbound traffic uses path A (lower metric), and a socket
 * bound to b0 (ping -I b0) finds the path-B route.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export const FAR_HOST = '10.77.100.1';
export const PATH_A = { local: '10.77.1.2', iface: 'a0', peer: '10.77.1.1', peerIface: 'a1' } as const;
export const PATH_B = { local: '10.77.2.2', iface: 'b0', peer: '10.77.2.1', peerIface: 'b1' } as const;

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export async function run(file: string, args: string[]): Promise<string> {
  const { stdout } = await exec(file, args, { timeout: 30_000 });
  return stdout;
}

export interface Topology {
  nat: string;
  net: string;
  /** Runs a command inside a namespace. */
  inNs(ns: string, args: string[]): Promise<string>;
  /** Silently drops everything arriving over one path at the far side (a blackhole beyond the instance). */
  cutPath(path: typeof PATH_A | typeof PATH_B): Promise<void>;
  /** Removes all cuts. */
  heal(): Promise<void>;
  destroy(): Promise<void>;
}

async function deleteNs(name: string): Promise<void> {
  await run('ip', ['netns', 'del', name]).catch(() => {});
}

export async function createTopology(tag: string): Promise<Topology> {
  const nat = `nh-nat-${tag}`;
  const net = `nh-net-${tag}`;
  const inNs = (ns: string, args: string[]) => run('ip', ['netns', 'exec', ns, ...args]);
  const destroy = async () => {
    await deleteNs(nat);
    await deleteNs(net);
  };
  await destroy(); // a stale pair from a crashed run with the same pid
  try {
    await run('ip', ['netns', 'add', nat]);
    await run('ip', ['netns', 'add', net]);
    for (const p of [PATH_A, PATH_B]) {
      // Both ends are created directly inside the namespaces: nothing appears in the root namespace.
      await run('ip', [
        '-n',
        nat,
        'link',
        'add',
        p.iface,
        'type',
        'veth',
        'peer',
        'name',
        p.peerIface,
        'netns',
        net,
      ]);
      await run('ip', ['-n', nat, 'addr', 'add', `${p.local}/24`, 'dev', p.iface]);
      await run('ip', ['-n', net, 'addr', 'add', `${p.peer}/24`, 'dev', p.peerIface]);
      await run('ip', ['-n', nat, 'link', 'set', p.iface, 'up']);
      await run('ip', ['-n', net, 'link', 'set', p.peerIface, 'up']);
    }
    for (const ns of [nat, net]) await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    await run('ip', ['-n', net, 'addr', 'add', `${FAR_HOST}/32`, 'dev', 'lo']);
    await run('ip', [
      '-n',
      nat,
      'route',
      'add',
      FAR_HOST,
      'via',
      PATH_A.peer,
      'dev',
      PATH_A.iface,
      'metric',
      '10',
    ]);
    await run('ip', [
      '-n',
      nat,
      'route',
      'add',
      FAR_HOST,
      'via',
      PATH_B.peer,
      'dev',
      PATH_B.iface,
      'metric',
      '20',
    ]);
    for (const [p, table] of [
      [PATH_A, '101'],
      [PATH_B, '102'],
    ] as const) {
      await run('ip', ['-n', nat, 'route', 'add', FAR_HOST, 'via', p.peer, 'dev', p.iface, 'table', table]);
      await run('ip', ['-n', nat, 'rule', 'add', 'from', p.local, 'lookup', table, 'pref', `1${table}`]);
    }
  } catch (err) {
    await destroy();
    throw err;
  }
  return {
    nat,
    net,
    inNs,
    async cutPath(path) {
      await inNs(net, ['nft', 'add', 'table', 'inet', 'nhcut']);
      await inNs(net, [
        'nft',
        'add',
        'chain',
        'inet',
        'nhcut',
        'in',
        '{ type filter hook input priority 0; policy accept; }',
      ]);
      await inNs(net, ['nft', 'add', 'rule', 'inet', 'nhcut', 'in', 'iifname', path.peerIface, 'drop']);
    },
    async heal() {
      await inNs(net, ['nft', 'delete', 'table', 'inet', 'nhcut']).catch(() => {});
    },
    destroy,
  };
}

/** Starts a long-running node (tsx) script inside a namespace; resolves with its first stdout line. */
export async function spawnInNs(
  ns: string,
  script: string,
  args: string[],
  cwd: string,
): Promise<{ child: ChildProcess; firstLine: string }> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', script, ...args], {
    cwd,
    // stdin stays open: the child exits when it closes, so it cannot outlive this test worker.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const firstLine = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl !== -1) {
        child.stdout.off('data', onData);
        resolve(out.slice(0, nl));
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${stderr}`)));
    child.once('error', reject);
  });
  return { child, firstLine };
}

/** Runs a node (tsx) script inside a namespace to completion; returns its stdout parsed as JSON. */
export async function runInNs<T>(ns: string, script: string, input: unknown, cwd: string): Promise<T> {
  const { stdout } = await exec(
    'ip',
    ['netns', 'exec', ns, process.execPath, '--import', 'tsx', script, JSON.stringify(input)],
    {
      cwd,
      timeout: 60_000,
    },
  );
  return JSON.parse(stdout) as T;
}

/**
 * Removes network namespaces left by labs that died without cleaning up: every namespace named
 * `nhl<pid>-…` whose pid no longer runs (or all of ours with `all`). Processes still inside are
 * killed first, so nothing keeps using the addresses.
 */
import { isAlive } from '../lab/work-dir';
import { ip, run } from './exec';
import { ownerPid } from './plan';

export async function listLabNamespaces(): Promise<string[]> {
  try {
    const { stdout } = await ip(['netns', 'list']);
    return stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[0] ?? '')
      .filter((name) => ownerPid(name) != null);
  } catch {
    return [];
  }
}

export async function deleteNamespace(name: string): Promise<void> {
  try {
    const { stdout } = await ip(['netns', 'pids', name]);
    for (const pid of stdout
      .split('\n')
      .map(Number)
      .filter((p) => Number.isInteger(p) && p > 0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  } catch {
    // The namespace may be half-created; deleting it is still right.
  }
  await run('ip', ['netns', 'del', name]).catch(() => undefined);
}

export async function cleanupStaleNamespaces(
  options: { all?: boolean; prefix?: string } = {},
): Promise<{ namespaces: string[] }> {
  if (process.getuid?.() !== 0) return { namespaces: [] };
  const removed: string[] = [];
  for (const name of await listLabNamespaces()) {
    const pid = ownerPid(name) as number;
    const ours = options.prefix != null && name.startsWith(`${options.prefix}-`);
    if (!ours && options.all !== true && isAlive(pid)) continue;
    await deleteNamespace(name);
    removed.push(name);
  }
  return { namespaces: removed };
}

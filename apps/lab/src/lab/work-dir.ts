/**
 * The lab's directory (`$TMPDIR/nat-ha-lab-<pid>-XXXXXX`): the copied agent bundle, one agent.yaml
 * and one raw log per instance, and `owner.json` + `pids` so that a later lab start (or
 * `pnpm lab --cleanup`) can kill the agents and remove the files of a lab that died without cleaning
 * up (SIGKILL, power loss). A live owner's directory is never touched.
 */
import { appendFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const WORK_DIR_PREFIX = 'nat-ha-lab-';

export interface WorkDir {
  readonly path: string;
  recordPid(pid: number): Promise<void>;
  file(name: string): string;
  remove(): Promise<void>;
}

export async function createWorkDir(base = tmpdir()): Promise<WorkDir> {
  const path = await mkdtemp(join(base, `${WORK_DIR_PREFIX}${process.pid}-`));
  await writeFile(
    join(path, 'owner.json'),
    `${JSON.stringify({ pid: process.pid, startedAt: Date.now() })}\n`,
  );
  await writeFile(join(path, 'empty'), '');
  return {
    path,
    recordPid: (pid) => appendFile(join(path, 'pids'), `${pid}\n`),
    file: (name) => join(path, name),
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function cmdline(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

export interface StaleCleanup {
  directories: string[];
  processes: number[];
}

/** Removes directories of dead labs and kills the agents they left behind. */
export async function cleanupStaleWorkDirs(base = tmpdir()): Promise<StaleCleanup> {
  const out: StaleCleanup = { directories: [], processes: [] };
  let names: string[];
  try {
    names = await readdir(base);
  } catch {
    return out;
  }
  for (const name of names) {
    const m = new RegExp(`^${WORK_DIR_PREFIX}(\\d+)-`).exec(name);
    if (m == null) continue;
    const dir = join(base, name);
    let owner = Number(m[1]);
    try {
      owner = (JSON.parse(await readFile(join(dir, 'owner.json'), 'utf8')) as { pid: number }).pid;
    } catch {
      // No owner file: fall back to the pid in the name.
    }
    if (isAlive(owner) && (await cmdline(owner)) !== '') continue;
    const pids = (await readFile(join(dir, 'pids'), 'utf8').catch(() => ''))
      .split('\n')
      .map(Number)
      .filter((p) => Number.isInteger(p) && p > 0);
    for (const pid of pids) {
      // Only a process that still runs a file from this directory is ours (pids are reused).
      if ((await cmdline(pid)).includes(dir)) {
        try {
          process.kill(pid, 'SIGKILL');
          out.processes.push(pid);
        } catch {
          // Gone meanwhile.
        }
      }
    }
    await rm(dir, { recursive: true, force: true });
    out.directories.push(dir);
  }
  return out;
}

import { readFile, writeFile } from 'node:fs/promises';
import type { CommandRunner } from './command-runner';

/** Reads and writes kernel parameters such as `net.ipv4.ip_forward`. */
export interface Sysctl {
  get(name: string, signal?: AbortSignal): Promise<string>;
  set(name: string, value: string, signal?: AbortSignal): Promise<void>;
}

const procPath = (name: string) => `/proc/sys/${name.replaceAll('.', '/')}`;

/** Through /proc/sys: no process spawned (the agent re-checks every reconcile interval). */
export function createProcSysctl(): Sysctl {
  return {
    async get(name, signal) {
      return (
        await readFile(procPath(name), { encoding: 'utf8', ...(signal === undefined ? {} : { signal }) })
      ).trim();
    },
    async set(name, value, signal) {
      await writeFile(procPath(name), `${value}\n`, signal === undefined ? {} : { signal });
    },
  };
}

/** Through the `sysctl` program, so a runner with a `ip netns exec` prefix acts inside a namespace. */
export function createCommandSysctl(run: CommandRunner): Sysctl {
  return {
    async get(name, signal) {
      const r = await run('sysctl', ['-n', name], signal === undefined ? {} : { signal });
      if (r.code !== 0) throw new Error(`sysctl -n ${name} failed: ${r.stderr.trim()}`);
      return r.stdout.trim();
    },
    async set(name, value, signal) {
      const r = await run('sysctl', ['-w', `${name}=${value}`], signal === undefined ? {} : { signal });
      if (r.code !== 0) throw new Error(`sysctl -w ${name}=${value} failed: ${r.stderr.trim()}`);
    },
  };
}

import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupStaleWorkDirs, createWorkDir, isAlive } from '../src/lab/work-dir';

describe('lab directories and crash cleanup', () => {
  it('kills the agents of a dead lab and removes its directory; leaves a live lab alone', async () => {
    const base = await mkdtemp(join(tmpdir(), 'lab-workdir-test-'));
    try {
      // A "dead" lab: owner pid that does not exist, one leftover process running a file from its dir.
      const dead = join(base, 'nat-ha-lab-999999-abcdef');
      await (await import('node:fs/promises')).mkdir(dead);
      await writeFile(join(dead, 'owner.json'), JSON.stringify({ pid: 4_194_000 }));
      await writeFile(join(dead, 'sleeper.js'), 'setInterval(() => {}, 1000);');
      const leftover = spawn(process.execPath, [join(dead, 'sleeper.js')], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 200));
      await writeFile(join(dead, 'pids'), `${leftover.pid}\n`);
      // A live lab: this process.
      const live = await createWorkDir(base);

      const gone = new Promise((resolve) => leftover.once('exit', resolve));
      const result = await cleanupStaleWorkDirs(base);
      expect(result.directories).toEqual([dead]);
      expect(result.processes).toEqual([leftover.pid]);
      await gone;
      expect(isAlive(leftover.pid!)).toBe(false);
      expect(await readdir(base)).toEqual([live.path.split('/').at(-1)]);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it('never kills a process that merely reuses a recorded pid', async () => {
    const base = await mkdtemp(join(tmpdir(), 'lab-workdir-test-'));
    try {
      const dead = join(base, 'nat-ha-lab-999998-abcdef');
      await (await import('node:fs/promises')).mkdir(dead);
      await writeFile(join(dead, 'owner.json'), JSON.stringify({ pid: 4_194_001 }));
      // This test process's pid is recorded, but it does not run a file from that directory.
      await writeFile(join(dead, 'pids'), `${process.pid}\n`);
      const result = await cleanupStaleWorkDirs(base);
      expect(result.processes).toEqual([]);
      expect(result.directories).toEqual([dead]);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});

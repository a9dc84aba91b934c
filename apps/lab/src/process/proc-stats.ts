/**
 * Footprint of an agent process from /proc (Linux): resident memory from /proc/<pid>/status
 * (`VmRSS`, kB); its proportional and unique shares from /proc/<pid>/smaps_rollup (`Pss`, and
 * `Private_Clean` + `Private_Dirty` = USS, what the process alone costs: about 40 MB of every Node
 * process's RSS is the node binary's pages, shared by all of them); and CPU time from
 * /proc/<pid>/stat (utime + stime, in clock ticks; fields 14 and 15, counted after the
 * parenthesised command name, which may itself contain spaces).
 */
import { readFile } from 'node:fs/promises';

/** USER_HZ: 100 on every Linux architecture Node supports (sysconf(_SC_CLK_TCK)). */
export const CLOCK_TICKS_PER_SECOND = 100;

export function parseVmRssBytes(status: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return m == null ? undefined : Number(m[1]) * 1024;
}

export interface SharedShares {
  pssBytes: number;
  /** Unique set size: Private_Clean + Private_Dirty. */
  ussBytes: number;
}

export function parseSmapsRollup(rollup: string): SharedShares | undefined {
  const kB = (field: string): number | undefined => {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(rollup);
    return m == null ? undefined : Number(m[1]) * 1024;
  };
  const pss = kB('Pss');
  const clean = kB('Private_Clean');
  const dirty = kB('Private_Dirty');
  if (pss == null || clean == null || dirty == null) return undefined;
  return { pssBytes: pss, ussBytes: clean + dirty };
}

/** utime + stime in clock ticks. */
export function parseCpuTicks(stat: string): number | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  // After ") " come field 3 (state) onwards; utime is field 14, stime field 15.
  const fields = stat
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return utime + stime;
}

export interface ProcSample {
  at: number;
  rssBytes: number;
  cpuTicks: number;
  /** From smaps_rollup (Linux ≥ 4.14); undefined where it cannot be read. */
  shares?: SharedShares;
}

export async function sampleProcess(pid: number): Promise<ProcSample | undefined> {
  try {
    const [status, stat] = await Promise.all([
      readFile(`/proc/${pid}/status`, 'utf8'),
      readFile(`/proc/${pid}/stat`, 'utf8'),
    ]);
    const rssBytes = parseVmRssBytes(status);
    const cpuTicks = parseCpuTicks(stat);
    if (rssBytes == null || cpuTicks == null) return undefined;
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => undefined);
    const shares = rollup == null ? undefined : parseSmapsRollup(rollup);
    return { at: Date.now(), rssBytes, cpuTicks, ...(shares == null ? {} : { shares }) };
  } catch {
    return undefined; // not Linux, or the process is gone
  }
}

/** CPU use between two samples as a fraction of one core (0.005 = 0.5 %). */
export function cpuFraction(a: ProcSample, b: ProcSample): number {
  const wallS = (b.at - a.at) / 1000;
  if (wallS <= 0) return 0;
  return (b.cpuTicks - a.cpuTicks) / CLOCK_TICKS_PER_SECOND / wallS;
}

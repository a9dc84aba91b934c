/**
 * Seeded fault schedules for the campaign. A schedule is a pure function of its seed and options, so
 * a failing run is replayed with `pnpm chaos --seed <its seed> --runs 1`. Targets are roles
 * (`leader`, `follower` + an index), resolved when the fault fires, because who leads depends on
 * what happened before.
 */
import { LabError } from '../errors';
import { createRandom } from '../util/prng';

export const CHAOS_FAULT_KINDS = [
  'kill',
  'pause',
  'partition',
  'consul-leader-loss',
  'ec2-throttle',
  'ec2-5xx',
  'imds-outage',
  'health-flap',
  'spot',
] as const;
export type ChaosFaultKind = (typeof CHAOS_FAULT_KINDS)[number];

/** Faults that hit the whole cluster rather than one instance. */
export const CLUSTER_FAULTS: ReadonlySet<ChaosFaultKind> = new Set([
  'consul-leader-loss',
  'ec2-throttle',
  'ec2-5xx',
]);

export interface ScheduledFault {
  kind: ChaosFaultKind;
  /** Offset from the run's start. */
  atMs: number;
  /** How long the fault lasts before the lab undoes it (for `spot`: the delay before the restart). */
  durationMs: number;
  target: 'leader' | 'follower' | 'cluster';
  /** Which follower, modulo the number of followers when the fault fires. */
  pick: number;
}

export interface Schedule {
  seed: number;
  faults: ScheduledFault[];
  /** When the last fault ends (offset from the run's start). */
  endMs: number;
}

export interface ScheduleOptions {
  minFaults?: number;
  maxFaults?: number;
  kinds?: readonly ChaosFaultKind[];
  /** The lease (F): pauses are always longer than this. Default 500 ms. */
  leaseMs?: number;
  /** Multiplies every duration and gap (a shorter campaign for CI). Default 1. */
  timeScale?: number;
}

/** Duration ranges (ms) per kind, before `timeScale`, chosen around the timings they probe. */
const DURATIONS: Record<ChaosFaultKind, readonly [number, number]> = {
  kill: [500, 4_000], // time until the lab restarts the agent
  pause: [800, 4_000], // beyond the lease (0.5 s) and, past 1.8 s, beyond the liveness check
  partition: [1_000, 9_000], // below and above the gossip detection delay (6 s)
  'consul-leader-loss': [500, 4_000],
  'ec2-throttle': [1_000, 5_000],
  'ec2-5xx': [1_000, 4_000],
  'imds-outage': [1_000, 6_000],
  'health-flap': [1_000, 5_000], // below and above fall (2 rounds of 1 s)
  spot: [300, 1_500], // the replacement starts this long after the drained agent exits
};

export function parseFaultKinds(text: string): ChaosFaultKind[] {
  const kinds = text
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  for (const k of kinds) {
    if (!(CHAOS_FAULT_KINDS as readonly string[]).includes(k)) {
      throw new LabError(
        'INVALID_OPTION',
        `--faults: unknown fault '${k}' (known: ${CHAOS_FAULT_KINDS.join(', ')})`,
      );
    }
  }
  if (kinds.length === 0) throw new LabError('INVALID_OPTION', '--faults: name at least one fault');
  return kinds as ChaosFaultKind[];
}

export function generateSchedule(seed: number, options: ScheduleOptions = {}): Schedule {
  const min = options.minFaults ?? 1;
  const max = options.maxFaults ?? 3;
  const kinds = options.kinds ?? CHAOS_FAULT_KINDS;
  const lease = options.leaseMs ?? 500;
  const scale = options.timeScale ?? 1;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min) {
    throw new LabError('INVALID_OPTION', `fault count range must satisfy 1 ≤ min ≤ max, got ${min}..${max}`);
  }
  if (!(scale > 0)) throw new LabError('INVALID_OPTION', `timeScale must be > 0, got ${scale}`);
  if (kinds.length === 0) throw new LabError('INVALID_OPTION', 'kinds must not be empty');
  const r = createRandom(seed);
  const count = r.int(min, max);
  const faults: ScheduledFault[] = [];
  let at = Math.round(r.int(0, 1_000) * scale);
  for (let i = 0; i < count; i++) {
    const kind = r.pick(kinds);
    const [lo, hi] = DURATIONS[kind];
    let durationMs = Math.round(r.int(lo, hi) * scale);
    // A pause must outlast the lease, whatever the scale: that is the point of the fault.
    if (kind === 'pause') durationMs = Math.max(durationMs, lease + 300);
    const target = CLUSTER_FAULTS.has(kind) ? 'cluster' : r.chance(0.7) ? 'leader' : 'follower';
    faults.push({ kind, atMs: at, durationMs, target, pick: r.int(0, 1_000) });
    at += Math.round(r.int(500, 4_000) * scale);
  }
  const endMs = Math.max(...faults.map((f) => f.atMs + f.durationMs));
  return { seed, faults, endMs };
}

export function describeFault(f: ScheduledFault): string {
  const who = f.target === 'cluster' ? '' : ` ${f.target}${f.target === 'follower' ? `#${f.pick}` : ''}`;
  return `+${(f.atMs / 1000).toFixed(1)}s ${f.kind}${who} for ${(f.durationMs / 1000).toFixed(1)}s`;
}

export function describeSchedule(s: Schedule): string {
  return s.faults.map(describeFault).join(', ');
}

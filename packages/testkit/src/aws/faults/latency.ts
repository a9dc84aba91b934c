/**
 * Per-action response latency. The realistic preset models what an agent sees from inside a VPC:
 * ~80 ms for Describe calls, ~150 ms for mutating calls, ~1 ms for IMDS. No jitter: runs stay
 * reproducible, and the lab's bench reports distributions of its own timings, not of ours.
 */
import { TestkitError } from '../../errors';

export interface LatencyProfile {
  /** Non-mutating calls (EC2 Describe*, Auto Scaling Describe*). Default 0. */
  describeMs?: number;
  /** Mutating calls (ReplaceRoute, CompleteLifecycleAction, …). Default 0. */
  mutateMs?: number;
  /** Every IMDS request. Default 0. */
  imdsMs?: number;
  /** Per-action overrides by action name, e.g. `{ ReplaceRoute: 400 }`. */
  actions?: Record<string, number>;
}

export type LatencySetting = 'none' | 'realistic' | LatencyProfile;

export interface ResolvedLatency {
  describeMs: number;
  mutateMs: number;
  imdsMs: number;
  actions: Readonly<Record<string, number>>;
}

export const REALISTIC_LATENCY: ResolvedLatency = Object.freeze({
  describeMs: 80,
  mutateMs: 150,
  imdsMs: 1,
  actions: Object.freeze({}),
});

const NONE: ResolvedLatency = Object.freeze({
  describeMs: 0,
  mutateMs: 0,
  imdsMs: 0,
  actions: Object.freeze({}),
});

function ms(name: string, value: number | undefined): number {
  if (value == null) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TestkitError(
      'INVALID_OPTION',
      `latency: '${name}' must be a non-negative number of milliseconds, got ${String(value)}`,
    );
  }
  return value;
}

export function resolveLatency(setting: LatencySetting | undefined): ResolvedLatency {
  if (setting == null || setting === 'none') return NONE;
  if (setting === 'realistic') return REALISTIC_LATENCY;
  if (typeof setting !== 'object') {
    throw new TestkitError(
      'INVALID_OPTION',
      `latency must be 'none', 'realistic' or a profile object, got ${JSON.stringify(setting)}`,
    );
  }
  const actions: Record<string, number> = {};
  for (const [action, value] of Object.entries(setting.actions ?? {}))
    actions[action] = ms(`actions.${action}`, value);
  return {
    describeMs: ms('describeMs', setting.describeMs),
    mutateMs: ms('mutateMs', setting.mutateMs),
    imdsMs: ms('imdsMs', setting.imdsMs),
    actions,
  };
}

export function latencyFor(latency: ResolvedLatency, action: string, mutating: boolean): number {
  return latency.actions[action] ?? (mutating ? latency.mutateMs : latency.describeMs);
}

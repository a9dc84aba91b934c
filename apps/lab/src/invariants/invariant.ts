/**
 * The fault campaign's four invariants, each a pure function of the journals and the agents'
 * records, so each can be fed hand-made evidence that violates it (a checker that cannot fail is a
 * defect).
 */
export const INVARIANTS = ['lease-writes', 'convergence', 'no-flapping', 'no-agent-crash'] as const;
export type InvariantName = (typeof INVARIANTS)[number];

export interface Violation {
  /** Clock time the violation is about, when it has one. */
  at?: number;
  message: string;
}

export interface InvariantResult {
  name: InvariantName;
  ok: boolean;
  /** How many items were checked (writes, groups, exits…), so a vacuous pass is visible. */
  checked: number;
  violations: Violation[];
}

/** The fence timing of docs/safety.md: a deposed holder stops writing within F + W < L. */
export interface SafetyTiming {
  /** F: a lease lasts this long after the send time of the last good confirmation. */
  fenceAfterMs: number;
  /** W: hard bound on one guarded write. */
  maxWriteMs: number;
  /** L: lock-delay after an invalidation. */
  lockDelayMs: number;
}

/** nat-ha's defaults (docs/safety.md "Defaults and why"). */
export const DEFAULT_SAFETY_TIMING: SafetyTiming = { fenceAfterMs: 500, maxWriteMs: 800, lockDelayMs: 1_500 };

export interface GroupRef {
  name: string;
  key: string;
  tableIds: readonly string[];
  /** The group's Elastic IP: its AssociateAddress is a guarded write too. */
  eipAllocationId?: string;
}

export function result(name: InvariantName, checked: number, violations: Violation[]): InvariantResult {
  return { name, ok: violations.length === 0, checked, violations };
}

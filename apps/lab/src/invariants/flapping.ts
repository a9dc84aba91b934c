/**
 * Invariant 3: no flapping — a group's routes move no more often than faults happened. A move is a
 * change of the group's target ENI (a claim that rewrites every table of the group is one move).
 * With rescue groups (per-az) one fault can cost two moves (rescue, then hand-back), so the caller
 * passes `movesPerFault`.
 */
import { appliedRouteWrites } from '../measure/route-writes';
import type { Ec2JournalEntry } from '@nat-ha/testkit';
import { result, type GroupRef, type InvariantResult, type Violation } from './invariant';

export interface FlappingInput {
  groups: readonly GroupRef[];
  ec2Journal: readonly Ec2JournalEntry[];
  window: { from: number; to: number };
  /** Group name → its target ENI at the window's start. */
  initialTargets: ReadonlyMap<string, string | null>;
  faults: number;
  movesPerFault?: number;
}

export interface GroupMoves {
  group: string;
  moves: number;
  targets: string[];
}

export function countMoves(input: Omit<FlappingInput, 'faults' | 'movesPerFault'>): GroupMoves[] {
  const writes = appliedRouteWrites(input.ec2Journal).filter(
    (w) => (w.time as number) >= input.window.from && (w.time as number) <= input.window.to,
  );
  return input.groups.map((g) => {
    const tables = new Set(g.tableIds);
    let current = input.initialTargets.get(g.name) ?? null;
    const targets: string[] = [];
    let moves = 0;
    for (const w of writes) {
      if (!tables.has(w.tableId) || w.target === current) continue;
      current = w.target;
      moves++;
      targets.push(w.target ?? '∅');
    }
    return { group: g.name, moves, targets };
  });
}

export function checkFlapping(input: FlappingInput): InvariantResult {
  const allowed = input.faults * (input.movesPerFault ?? 1);
  const violations: Violation[] = [];
  const moves = countMoves(input);
  for (const m of moves) {
    if (m.moves > allowed) {
      violations.push({
        message: `group ${m.group}: ${m.moves} route moves (${m.targets.join(' → ')}) for ${input.faults} fault${input.faults === 1 ? '' : 's'} (allowed ${allowed})`,
      });
    }
  }
  return result('no-flapping', moves.length, violations);
}

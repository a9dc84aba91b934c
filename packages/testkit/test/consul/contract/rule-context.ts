import { it } from 'vitest';
import type { ConsulContractDriver, EmulatorControls } from './driver';
import type { Harness } from './harness';

export interface RuleContext {
  readonly driver: ConsulContractDriver;
  /** The current test's harness. */
  h(): Harness;
  /** The emulator's controls; only call from tests skipped when the driver has none. */
  controls(): EmulatorControls;
}

type Need = 'controls' | 'virtualTime' | 'acl';

const REASONS: Record<Need, string> = {
  controls: 'needs emulator controls',
  virtualTime: 'needs virtual time',
  acl: 'needs an ACL-enabled emulator target',
};

/**
 * Declares one rule test. When the rule needs something the driver cannot give, the test is
 * skipped, and the reason is part of its name in every run.
 */
export function rule(
  ctx: RuleContext,
  n: number,
  title: string,
  fn: () => Promise<void>,
  opts: { needs?: { need: Need; why: string }[]; timeoutMs?: number } = {},
): void {
  const needs = opts.needs ?? [];
  const missing = needs.some((x) => !ctx.driver.capabilities[x.need]);
  const suffix =
    needs.length === 0 ? '' : ` [${needs.map((x) => `${REASONS[x.need]}: ${x.why}`).join('; ')}]`;
  it.skipIf(missing)(`rule ${n}: ${title}${suffix}`, fn, opts.timeoutMs ?? 30_000);
}

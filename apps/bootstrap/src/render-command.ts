import type { FactsSource } from './aws-facts';
import { renderBundle } from './bundle';
import type { Clock } from './clock';
import { BootstrapError } from './errors';
import { EXIT, type ExitCode } from './exit-codes';
import type { BootstrapFacts, PeerFacts } from './facts';
import { applyPlan, formatPlan, formatSummary, hasChanges, planWrites } from './file-writer';
import type { RenderCommand } from './render-args';
import { waitForPeers } from './wait-for-peers';

export interface RenderDeps {
  facts: FactsSource;
  clock: Clock;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  signal?: AbortSignal;
}

/**
 * One `render` run: discover, render and validate everything in memory, then either print the diff
 * (`--dry-run`) or write what changed. Returns the exit status (`exit-codes.ts`); errors are thrown
 * as BootstrapError for the caller to map.
 */
export async function runRender(command: RenderCommand, deps: RenderDeps): Promise<ExitCode> {
  const facts = await collectFacts(command, deps);
  const bundle = renderBundle(facts, command.options);
  for (const warning of bundle.warnings)
    deps.stderr(`nat-bootstrap: warning: ${warning.key}: ${warning.message}\n`);

  const plan = await planWrites(command.options.outDir, bundle);
  const changed = hasChanges(plan);
  if (command.dryRun) {
    deps.stdout(formatPlan(plan));
    return changed ? EXIT.changed : EXIT.unchanged;
  }
  if (changed) await applyPlan(plan);
  deps.stdout(formatSummary(plan));
  return changed ? EXIT.changed : EXIT.unchanged;
}

export async function collectFacts(command: RenderCommand, deps: RenderDeps): Promise<BootstrapFacts> {
  const { signal } = deps;
  const self = await deps.facts.identity(signal);
  let peers: readonly PeerFacts[];
  if (command.waitForPeers > 0) {
    let last = -1;
    peers = await waitForPeers({
      count: command.waitForPeers,
      timeoutMs: command.waitTimeoutMs,
      intervalMs: command.waitIntervalMs,
      clock: deps.clock,
      discover: (s) => deps.facts.peers(self, s),
      onRound: (seen) => {
        if (seen.length !== last) {
          deps.stderr(
            `nat-bootstrap: waiting for peers: ${seen.length} of ${command.waitForPeers} visible\n`,
          );
          last = seen.length;
        }
      },
      ...(signal != null ? { signal } : {}),
    });
  } else {
    peers = await deps.facts.peers(self, signal);
  }
  if (signal?.aborted === true) throw new BootstrapError('ABORTED', 'render: aborted');
  return { self, peers, cloudAutoJoin: deps.facts.cloudAutoJoin(self) };
}

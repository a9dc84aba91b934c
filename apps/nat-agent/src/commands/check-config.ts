import { stringify } from 'yaml';
import { formatIssues } from '../config/load-config';
import { resolveLockTiming } from '../config/lock-timing';
import { redactConfig } from '../config/redact';
import { groupKey } from '../config/semantic-checks';
import type { AgentConfig } from '../config/schema';
import { loadFromArgs, type CommandArgs, type CommandContext } from './command-context';

/**
 * The effective configuration as `run` would use it: defaults filled, the lock profile's timings
 * resolved, lock keys derived, secrets redacted.
 */
export function effectiveConfig(config: AgentConfig): AgentConfig {
  const lock = resolveLockTiming(config.consul);
  return redactConfig({
    ...config,
    consul: { ...config.consul, lockDelayMs: lock.lockDelayMs, sessionTtlMs: lock.sessionTtlMs },
    groups: config.groups.map((g) => ({ ...g, key: groupKey(config.consul.keyPrefix, g) })),
  });
}

/** `nat-agent check-config`: exit 0 and the effective config, or exit 2 and every problem. */
export function checkConfig(args: CommandArgs, ctx: CommandContext): number {
  const result = loadFromArgs(args, ctx);
  if (!result.ok) {
    ctx.io.stderr(`nat-agent: ${formatIssues(result.issues, result.file)}\n`);
    return 2;
  }
  const effective = effectiveConfig(result.config);
  if (args.json) {
    ctx.io.stdout(
      `${JSON.stringify({ file: result.file ?? null, sources: result.sources, config: effective }, null, 2)}\n`,
    );
    return 0;
  }
  const header = [
    '# nat-agent: configuration is valid',
    `# file: ${result.file ?? '(none; defaults, environment and flags only)'}`,
    ...Object.entries(result.sources).map(([path, source]) => `# ${path} <- ${source}`),
    '# role "auto" is resolved at start-up: primary in the group\'s own AZ, rescue elsewhere',
  ];
  ctx.io.stdout(`${header.join('\n')}\n${stringify(effective)}`);
  return 0;
}

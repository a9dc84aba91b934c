import { COMMAND_HELP, HELP, parseCli, VERSION } from './cli';
import { createLibraryWiring } from './adapters/library-wiring';
import { checkConfig } from './commands/check-config';
import type { CommandContext } from './commands/command-context';
import { planCommand } from './commands/plan';
import { runCommand } from './commands/run';
import { statusCommand } from './commands/status';

/** Dispatches argv to a command; resolves with the process exit code. */
export async function main(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const parsed = parseCli(argv);
  switch (parsed.kind) {
    case 'help':
      ctx.io.stdout(parsed.command === undefined ? HELP : COMMAND_HELP[parsed.command]);
      return 0;
    case 'version':
      ctx.io.stdout(`${VERSION}\n`);
      return 0;
    case 'usage-error':
      ctx.io.stderr(
        `nat-agent: ${parsed.message}\n\n${parsed.command === undefined ? HELP : COMMAND_HELP[parsed.command]}`,
      );
      return 2;
    case 'command':
      switch (parsed.command) {
        case 'check-config':
          return checkConfig(parsed, ctx);
        case 'run':
          return runCommand(parsed, ctx, { wiring: createLibraryWiring, process });
        case 'status':
          return statusCommand(parsed, ctx, { wiring: createLibraryWiring });
        case 'plan':
          return planCommand(parsed, ctx, { wiring: createLibraryWiring });
      }
  }
}

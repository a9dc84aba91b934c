import { parseArgs } from 'node:util';

export const VERSION = '0.1.0';

export const HELP = `Usage: nat-bootstrap <command> [options]

Renders Consul agent configs, service definitions, systemd units and the IAM policy from what aws-discovery finds.

Commands:
  render  render Consul and nat-agent configuration from what this instance discovers

Options:
  -h, --help       show this help
  -v, --version    print the version
`;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const COMMANDS = ['render'] as const;
export type Command = (typeof COMMANDS)[number];

export type ParsedCli =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'command'; command: Command; args: string[] }
  | { kind: 'usage-error'; message: string };

/** Splits argv into a command and its arguments; unknown commands are a usage error (exit 2). */
export function parseCli(argv: readonly string[]): ParsedCli {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
    allowPositionals: true,
    strict: false,
  });
  if (values.version === true) return { kind: 'version' };
  const [first] = positionals;
  if (values.help === true || first == null) return { kind: 'help' };
  if (!(COMMANDS as readonly string[]).includes(first)) {
    return { kind: 'usage-error', message: `unknown command '${first}'` };
  }
  return { kind: 'command', command: first as Command, args: argv.slice(argv.indexOf(first) + 1) };
}

import { parseArgs } from 'node:util';

export const VERSION = '0.1.0';

export const HELP = `Usage: nat-bootstrap <command> [options]

Renders the Consul agent config, the nat-ha service definition, nat-agent's agent.yaml, systemd units
and the least-privilege IAM policy from what this instance discovers through IMDS and EC2.

Commands:
  render  render (or with --dry-run: diff) the configuration into --out DIR

Options:
  -h, --help       show this help (nat-bootstrap render --help: every render option)
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
  const first = argv[0];
  if (first != null && (COMMANDS as readonly string[]).includes(first)) {
    return { kind: 'command', command: first as Command, args: argv.slice(1) };
  }
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
    allowPositionals: true,
    strict: false,
  });
  if (values.version === true) return { kind: 'version' };
  const [command] = positionals;
  if (values.help === true || command == null) return { kind: 'help' };
  return { kind: 'usage-error', message: `unknown command '${command}'` };
}

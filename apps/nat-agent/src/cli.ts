import { parseArgs } from 'node:util';
import { OVERRIDES } from './config/overrides';
import { DEFAULT_CONFIG_PATH } from './config/schema';

export const VERSION = '0.1.0';

export const COMMANDS = ['run', 'check-config', 'status', 'plan'] as const;
export type Command = (typeof COMMANDS)[number];

const CONFIG_FLAGS = OVERRIDES.filter((o) => o.flag !== undefined);

function flagLines(extra: Array<[string, string]> = []): string {
  const rows: Array<[string, string]> = [
    [`-c, --config FILE`, `configuration file (default ${DEFAULT_CONFIG_PATH}; env NAT_HA_CONFIG)`],
    ...CONFIG_FLAGS.map((o): [string, string] => [
      `--${o.flag as string} VALUE`,
      `sets ${o.path} (env ${o.env})`,
    ]),
    ...extra,
    ['-h, --help', 'show this help'],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([a, b]) => `  ${a.padEnd(width)}  ${b}`).join('\n');
}

export const HELP = `Usage: nat-agent <command> [options]

The daemon that keeps exactly one healthy NAT instance routing for each election group.

Commands:
  run           contend for leadership and keep routes on the healthy leader
  check-config  validate the configuration and print it with secrets redacted
  status        ask the local agent and Consul what they believe
  plan          dry-run: what this instance would do if elected now

Options:
  -h, --help       show help (also: nat-agent <command> --help)
  -v, --version    print the version

Exit codes: 0 ok, 1 runtime failure, 2 invalid configuration or usage.
`;

export const COMMAND_HELP: Record<Command, string> = {
  run: `Usage: nat-agent run [options]

Runs the agent: checks the data plane, source/dest check and IAM, registers in Consul, contends for
each group's lock and, as leader, keeps the group's routes on this instance. SIGTERM or SIGINT drains
(hands leadership over, waits for a successor) and exits 0; a second signal exits at once.

Options:
${flagLines()}
`,
  'check-config': `Usage: nat-agent check-config [options]

Validates the configuration (file, NAT_HA_* and standard environment variables, flags) and prints the
effective result with secrets redacted. Touches nothing: no Consul, EC2 or IMDS request is made.
Exits 2 and lists every problem with its path when the configuration is invalid.

Options:
${flagLines([['--json', 'print JSON instead of YAML']])}
`,
  status: `Usage: nat-agent status [options]

Asks the local agent (GET /status) and Consul (lock holders, candidates and their checks) and prints,
per group: leader, candidates and their health, route targets and the last failover.

Options:
${flagLines([
  ['--url URL', "the agent's HTTP address (default from http.host and http.port)"],
  ['--json', 'print the combined view as JSON'],
])}
`,
  plan: `Usage: nat-agent plan [options]

Dry-run: resolves this instance's identity and every group's route tables, and prints the EC2 calls
it would make if it were elected now. Makes no change.

Options:
${flagLines([['--json', 'print JSON']])}
`,
};

export type ParsedCli =
  | { kind: 'help'; command?: Command }
  | { kind: 'version' }
  | {
      kind: 'command';
      command: Command;
      configPath?: string;
      flags: Record<string, string>;
      json: boolean;
      url?: string;
    }
  | { kind: 'usage-error'; message: string; command?: Command };

/** Parses argv. Unknown commands and flags are usage errors naming the bad input (exit 2). */
export function parseCli(argv: readonly string[]): ParsedCli {
  const first = argv.find((a) => !a.startsWith('-'));
  const command = (COMMANDS as readonly string[]).includes(first ?? '') ? (first as Command) : undefined;
  if (command === undefined) {
    if (argv.includes('-v') || argv.includes('--version')) return { kind: 'version' };
    if (first === undefined) return { kind: 'help' };
    return {
      kind: 'usage-error',
      message: `unknown command '${first}' (expected one of: ${COMMANDS.join(', ')})`,
    };
  }
  const rest = argv.filter((_, i) => i !== argv.indexOf(command));
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' },
    config: { type: 'string', short: 'c' },
  };
  for (const o of CONFIG_FLAGS) options[o.flag as string] = { type: 'string' };
  if (command !== 'run') options.json = { type: 'boolean' };
  if (command === 'status') options.url = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: rest, options, allowPositionals: true, strict: true }));
  } catch (error) {
    // Node's text goes on about positionals; the first sentence names the bad option.
    const text = (error as Error).message.split('. ')[0] ?? 'bad arguments';
    return { kind: 'usage-error', command, message: text.charAt(0).toLowerCase() + text.slice(1) };
  }
  if (values.help === true) return { kind: 'help', command };
  if (values.version === true) return { kind: 'version' };
  if (positionals.length > 0) {
    return { kind: 'usage-error', command, message: `unexpected argument '${positionals[0] as string}'` };
  }
  const flags: Record<string, string> = {};
  for (const o of CONFIG_FLAGS) {
    const v = values[o.flag as string];
    if (typeof v === 'string') flags[o.flag as string] = v;
  }
  return {
    kind: 'command',
    command,
    flags,
    json: values.json === true,
    ...(typeof values.config === 'string' ? { configPath: values.config } : {}),
    ...(typeof values.url === 'string' ? { url: values.url } : {}),
  };
}

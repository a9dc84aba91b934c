#!/usr/bin/env node
// nat-ha-sim: the testkit emulators as a standalone process for out-of-process tools.
import { parseArgs } from 'node:util';

const HELP = `Usage: nat-ha-sim <command> [options]

Commands:
  serve [--world FILE] [--port-base N]   start Consul, EC2/Auto Scaling and IMDS emulators
  world                                  print the default world JSON

Options:
  -h, --help       show this help
  -v, --version    print the version
`;

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
    allowPositionals: true,
    strict: false,
  });
  if (values.version === true) {
    process.stdout.write('0.1.0\n');
    return 0;
  }
  if (values.help === true || positionals.length === 0) {
    process.stdout.write(HELP);
    return 0;
  }
  process.stderr.write(`nat-ha-sim: unknown command '${positionals[0]}'\n${HELP}`);
  return 2;
}

process.exitCode = main(process.argv.slice(2));

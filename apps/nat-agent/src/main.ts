import { HELP, VERSION, parseCli } from './cli';

function main(argv: readonly string[]): number {
  const parsed = parseCli(argv);
  switch (parsed.kind) {
    case 'help':
      process.stdout.write(HELP);
      return 0;
    case 'version':
      process.stdout.write(`${VERSION}\n`);
      return 0;
    case 'usage-error':
      process.stderr.write(`nat-agent: ${parsed.message}\n\n${HELP}`);
      return 2;
    case 'command':
      process.stderr.write(`nat-agent: '${parsed.command}' is not built yet\n`);
      return 1;
  }
}

process.exitCode = main(process.argv.slice(2));

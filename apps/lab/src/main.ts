import { HELP, VERSION, parseCli } from './cli';
import { runBenchCommand } from './commands/bench-command';
import { runChaosCommand } from './commands/chaos-command';
import { processIo } from './commands/command-io';
import { runNetnsOuter } from './commands/netns-mode';
import { runLabCommand } from './commands/run-lab';
import { runEchoServer, runProbe } from './netns/probe-processes';

function flag(argv: readonly string[], name: string): string {
  const i = argv.indexOf(name);
  const v = i < 0 ? undefined : argv[i + 1];
  if (v == null) throw new Error(`missing ${name}`);
  return v;
}

async function main(argv: readonly string[]): Promise<number> {
  // The dataplane lab's helper programs (run inside namespaces): not part of the documented CLI.
  if (argv[0] === '__netns-echo') {
    await runEchoServer({
      host: flag(argv, '--host'),
      udpPort: Number(flag(argv, '--udp-port')),
      tcpPort: Number(flag(argv, '--tcp-port')),
    });
    return 0;
  }
  if (argv[0] === '__netns-probe') {
    await runProbe({
      host: flag(argv, '--host'),
      port: Number(flag(argv, '--port')),
      intervalMs: Number(flag(argv, '--interval-ms')),
    });
    return 0;
  }
  const io = processIo(argv);
  const parsed = parseCli(argv);
  switch (parsed.kind) {
    case 'help':
      io.stdout(HELP);
      return 0;
    case 'version':
      io.stdout(`${VERSION}\n`);
      return 0;
    case 'usage-error':
      io.stderr(`nat-ha-lab: ${parsed.message}\n\n${HELP}`);
      return 2;
    case 'run':
      if (parsed.options.netns && parsed.options.netnsInner == null && !parsed.options.cleanup) {
        return runNetnsOuter(argv, parsed.options.instances, io);
      }
      return runLabCommand(parsed.options, io);
    case 'bench':
      if (parsed.options.netns && parsed.options.netnsInner == null) return runNetnsOuter(argv, 3, io);
      return runBenchCommand(parsed.options, io);
    case 'chaos':
      return runChaosCommand(parsed.options, io);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // Agents, emulators and timers are closed by now; exit without waiting for idle sockets.
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(
      `nat-ha-lab: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);

import { existsSync, readFileSync } from 'node:fs';
import { createAwsFactsSource } from './aws-facts';
import { HELP, VERSION, parseCli } from './cli';
import { systemClock } from './clock';
import { BootstrapError } from './errors';
import { EXIT, exitCodeFor, type ExitCode } from './exit-codes';
import { parseRenderArgs } from './render-args';
import { runRender } from './render-command';
import { renderHelp } from './render-flags';

// The AWS SDK warns on every run under Node < 22 that future SDK releases will need Node 22. nat-ha
// pins its SDK version and supports Node 20.19+ on purpose; the notice would only bury real errors
// in cloud-init logs. An operator who sets the variable keeps their own choice.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const stdout = (text: string): void => void process.stdout.write(text);
const stderr = (text: string): void => void process.stderr.write(text);

async function main(argv: readonly string[]): Promise<ExitCode> {
  const parsed = parseCli(argv);
  switch (parsed.kind) {
    case 'help':
      stdout(HELP);
      return EXIT.unchanged;
    case 'version':
      stdout(`${VERSION}\n`);
      return EXIT.unchanged;
    case 'usage-error':
      stderr(`nat-bootstrap: ${parsed.message}\n\n${HELP}`);
      return EXIT.usage;
    case 'command':
      break;
  }
  if (parsed.args.includes('--help') || parsed.args.includes('-h')) {
    stdout(renderHelp());
    return EXIT.unchanged;
  }
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new BootstrapError('ABORTED', 'interrupted by a signal'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const command = parseRenderArgs(parsed.args, {
      env: process.env,
      cwd: process.cwd(),
      readFile: (path) => readFileSync(path, 'utf8'),
      exists: (path) => existsSync(path),
    });
    const imdsEndpoint = process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
    const facts = createAwsFactsSource({
      discovery: command.options.discovery,
      ...(imdsEndpoint != null && imdsEndpoint !== '' ? { imdsEndpoint } : {}),
      ...(command.endpoints.ec2 != null ? { ec2Endpoint: command.endpoints.ec2 } : {}),
      ...(command.endpoints.autoScaling != null
        ? { autoScalingEndpoint: command.endpoints.autoScaling }
        : {}),
    });
    return await runRender(command, { facts, clock: systemClock, stdout, stderr, signal: controller.signal });
  } catch (error) {
    const normalised = BootstrapError.from(error, 'UNEXPECTED', 'render failed');
    stderr(`nat-bootstrap: ${normalised.message}\n`);
    return exitCodeFor(normalised.code);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    stderr(`nat-bootstrap: ${String(error)}\n`);
    process.exitCode = EXIT.failure;
  },
);

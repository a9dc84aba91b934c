#!/usr/bin/env node
// nat-ha-sim: the testkit emulators as a standalone process for out-of-process tools (the lab,
// nat-agent processes, the AWS CLI, a shell).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { TestkitError } from './errors';
import { startSim } from './sim/start-sim';
import { defaultWorld } from './world/default-world';
import { validateWorld } from './world/parse-world';
import type { WorldSpec } from './world/world-spec';

const VERSION = '0.1.0';

const HELP = `Usage: nat-ha-sim <command> [options]

Simulated AWS VPC for nat-ha: Consul (one agent per instance), the EC2 Query API with
Auto Scaling, and one IMDSv2 endpoint per instance, all on 127.0.0.1.

Commands:
  serve     start the emulators; print one JSON line with the endpoints when ready,
            then run until SIGTERM or SIGINT (exit 0)
  world     print the default world as JSON (a starting point for --world files)

Options for serve:
  --world FILE        world JSON (default: the built-in lab world; see 'nat-ha-sim world')
  --port-base N       fixed ports for n instances: EC2/Auto Scaling and its control plane on N,
                      instance k's IMDS on N+1+k, the Consul control plane on N+1+n and
                      instance k's Consul agent on N+2+n+k (default: ephemeral ports)
  --host ADDR         address to listen on (default 127.0.0.1)
  --latency MODE      none (default) or realistic (EC2 describe 80 ms, mutate 150 ms, IMDS 1 ms)
  --throttling        enforce EC2's published API token buckets

Options for world:
  --azs N             availability zones, 1-6 (default 3)
  --nat-instances N   NAT instances, spread over the AZs (default: one per AZ)
  --route-tables N    private route tables, one private subnet each (default: one per AZ)
  --nat-gateways      add one NAT gateway per AZ

Common:
  -h, --help          show this help
  -v, --version       print the version

The ready line (stdout, one line):
  {"region":…,"ec2":URL,"autoscaling":URL,"consul":URL,"consulAgents":{instanceId:URL},
   "imds":{instanceId:URL},"control":URL}
  Give each agent process AWS_ENDPOINT_URL_EC2=<ec2>, AWS_ENDPOINT_URL_AUTO_SCALING=<autoscaling>,
  AWS_EC2_METADATA_SERVICE_ENDPOINT=<imds[id]> and CONSUL_HTTP_ADDR=<consulAgents[id]>: the SDK's
  default chain then resolves that instance's region and role credentials from its IMDS.
  Control: POST <control>aws/<method> or <control>consul/<method> with a JSON array of arguments.

Exit codes: 0 ok, 1 runtime failure (e.g. port in use), 2 bad usage or invalid world.
`;

class UsageError extends Error {}

function intFlag(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value == null) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${value}'`);
  }
  return Number(value);
}

async function readWorld(file: string): Promise<WorldSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read world file '${file}': ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`world file '${file}' is not valid JSON: ${(err as Error).message}`);
  }
  const { world, problems } = validateWorld(json);
  if (world == null) {
    const lines = problems.map((p) => `  ${p.path}: ${p.message}`).join('\n');
    throw new UsageError(`world file '${file}' is invalid (${problems.length} problem(s)):\n${lines}`);
  }
  return world;
}

async function serve(values: Record<string, string | boolean | undefined>): Promise<number> {
  const portBase = intFlag('port-base', values['port-base'] as string | undefined, 1, 65535);
  const latency = (values.latency as string | undefined) ?? 'none';
  if (latency !== 'none' && latency !== 'realistic')
    throw new UsageError(`--latency must be 'none' or 'realistic', got '${latency}'`);
  const world = typeof values.world === 'string' ? await readWorld(values.world) : defaultWorld();
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  let sim: Awaited<ReturnType<typeof startSim>>;
  try {
    sim = await startSim({
      world,
      latency,
      throttling: values.throttling === true,
      ...(portBase != null ? { portBase } : {}),
      ...(typeof values.host === 'string' ? { host: values.host } : {}),
      signal: stop.signal,
    });
  } catch (err) {
    // A signal during start-up is a normal stop, not a failure.
    if (stop.signal.aborted) return 0;
    throw err;
  }
  process.stdout.write(`${JSON.stringify(sim.endpoints)}\n`);
  if (!stop.signal.aborted)
    await new Promise<void>((resolve) =>
      stop.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
  await sim.close();
  return 0;
}

function world(values: Record<string, string | boolean | undefined>): number {
  const spec = defaultWorld({
    ...(values.azs != null
      ? { availabilityZones: intFlag('azs', values.azs as string, 1, 6) as number }
      : {}),
    ...(values['nat-instances'] != null
      ? { natInstances: intFlag('nat-instances', values['nat-instances'] as string, 1, 64) as number }
      : {}),
    ...(values['route-tables'] != null
      ? { privateRouteTables: intFlag('route-tables', values['route-tables'] as string, 1, 200) as number }
      : {}),
    natGateways: values['nat-gateways'] === true,
  });
  process.stdout.write(`${JSON.stringify(spec, null, 2)}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        world: { type: 'string' },
        'port-base': { type: 'string' },
        host: { type: 'string' },
        latency: { type: 'string' },
        throttling: { type: 'boolean' },
        azs: { type: 'string' },
        'nat-instances': { type: 'string' },
        'route-tables': { type: 'string' },
        'nat-gateways': { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    process.stderr.write(`nat-ha-sim: ${(err as Error).message}\nRun 'nat-ha-sim --help' for usage.\n`);
    return 2;
  }
  const { positionals } = parsed;
  // No option is `multiple`, so every value is a string, a boolean or absent.
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.version === true) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (values.help === true || positionals.length === 0) {
    process.stdout.write(HELP);
    return 0;
  }
  const [command, ...rest] = positionals;
  try {
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0] as string}'`);
    const serveOnly = ['world', 'port-base', 'host', 'latency', 'throttling'];
    const worldOnly = ['azs', 'nat-instances', 'route-tables', 'nat-gateways'];
    if (command === 'serve') {
      const wrong = worldOnly.find((k) => values[k] != null);
      if (wrong != null) throw new UsageError(`--${wrong} is an option of 'world', not 'serve'`);
      return await serve(values);
    }
    if (command === 'world') {
      const wrong = serveOnly.find((k) => values[k] != null);
      if (wrong != null) throw new UsageError(`--${wrong} is an option of 'serve', not 'world'`);
      return world(values);
    }
    throw new UsageError(`unknown command '${command as string}' (expected serve or world)`);
  } catch (err) {
    if (
      err instanceof UsageError ||
      (TestkitError.isInstance(err) && err.code === 'INVALID_OPTION' && command === 'world')
    ) {
      process.stderr.write(`nat-ha-sim: ${err.message}\nRun 'nat-ha-sim --help' for usage.\n`);
      return 2;
    }
    process.stderr.write(`nat-ha-sim: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`nat-ha-sim: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);

import { parseArgs } from 'node:util';
import { CHAOS_FAULT_KINDS, parseFaultKinds, type ChaosFaultKind } from './chaos/schedule';
import { LabError } from './errors';
import { SCENARIO_NAMES, isScenarioName, type ScenarioName } from './scenarios/scenarios';
import { TOPOLOGIES, parseTopologyName, type TopologyName } from './world/topology';

export const VERSION = '0.1.0';

export const HELP = `Usage: nat-ha-lab [run] [options]       (pnpm lab)
       nat-ha-lab bench [options]           (pnpm bench)
       nat-ha-lab chaos [options]           (pnpm chaos)

A simulated VPC on one machine: the testkit's Consul, EC2, Auto Scaling and IMDS emulators with one
real nat-agent process per NAT instance; a live view, a guided failover demo, the failover bench and
the fault campaign.

Lab (run) options:
  --scenario NAME     run one scenario non-interactively: ${SCENARIO_NAMES.join(', ')}
  --json              with --scenario: print one JSON result on stdout (exit 0 success, 1 failure)
  --plain             plain log lines even on a terminal (automatic without a TTY)
  --no-demo           skip the guided demo: just the live view (and keys on a terminal)
  --topology NAME     ${TOPOLOGIES.join(' | ')} (default vpc: one group, every NAT a candidate)
  --instances N       NAT instances (default 3, one per AZ)
  --netns             dataplane mode: network namespaces, real MASQUERADE, a probe stream (root)
  --cleanup           remove what crashed labs left behind (namespaces, agents, files) and exit
  --verbose           show every timeline event (check changes, DryRuns, session destroys)

Bench options:
  --quick             fewer runs and no long scenarios (a few minutes)
  --netns             also measure the dataplane outage (root)
  --out FILE          write the JSON results there and the Markdown table to FILE.md
                      (default bench-results.json in the current directory)

Chaos options:
  --runs N            runs (default 20)
  --seed S            first run's seed (default: random, printed); run i uses S + i;
                      --seed S --runs 1 replays one run
  --faults LIST       fault kinds (default all: ${CHAOS_FAULT_KINDS.join(', ')})
  --max-faults N      faults per run (default 3)
  --time-scale X      multiply fault durations and gaps (default 1)
  --failures FILE     append failing seeds (default chaos-failures.jsonl)
  --json              print the campaign result as JSON on stdout

Common: -h, --help; -v, --version
`;

export interface RunOptions {
  scenario?: ScenarioName;
  json: boolean;
  plain: boolean;
  demo: boolean;
  topology: TopologyName;
  instances: number;
  netns: boolean;
  cleanup: boolean;
  verbose: boolean;
  agentBundle?: string;
  /** Set by the dataplane mode's outer process: the pid whose namespaces to use (hidden option). */
  netnsInner?: number;
}

export interface BenchOptions {
  quick: boolean;
  out: string;
  verbose: boolean;
  netns: boolean;
  agentBundle?: string;
  netnsInner?: number;
}

export interface ChaosOptions {
  runs: number;
  seed: number;
  seedGiven: boolean;
  faults: ChaosFaultKind[];
  maxFaults: number;
  timeScale: number;
  failures: string;
  json: boolean;
  topology: TopologyName;
  verbose: boolean;
  agentBundle?: string;
}

export type ParsedCli =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; options: RunOptions }
  | { kind: 'bench'; options: BenchOptions }
  | { kind: 'chaos'; options: ChaosOptions }
  | { kind: 'usage-error'; message: string };

function int(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value == null) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new LabError(
      'INVALID_OPTION',
      `--${name} must be an integer from ${min} to ${max}, got '${value}'`,
    );
  }
  return n;
}

const COMMON = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  verbose: { type: 'boolean' },
  'agent-bundle': { type: 'string' },
} as const;

/** Parses argv (without `node` and the script). Unknown options are usage errors (exit 2). */
export function parseCli(argv: readonly string[], random: () => number = Math.random): ParsedCli {
  const [first] = argv;
  const command = first != null && !first.startsWith('-') ? first : 'run';
  const rest = first != null && !first.startsWith('-') ? argv.slice(1) : argv;
  try {
    switch (command) {
      case 'run': {
        const { values } = parseArgs({
          args: [...rest],
          options: {
            ...COMMON,
            scenario: { type: 'string' },
            json: { type: 'boolean' },
            plain: { type: 'boolean' },
            'no-demo': { type: 'boolean' },
            topology: { type: 'string' },
            instances: { type: 'string' },
            netns: { type: 'boolean' },
            cleanup: { type: 'boolean' },
            'netns-inner': { type: 'string' },
          },
          strict: true,
          allowPositionals: false,
        });
        if (values.help === true) return { kind: 'help' };
        if (values.version === true) return { kind: 'version' };
        if (values.scenario != null && !isScenarioName(values.scenario)) {
          throw new LabError(
            'INVALID_OPTION',
            `--scenario must be one of ${SCENARIO_NAMES.join(', ')}, got '${values.scenario}'`,
          );
        }
        if (values.json === true && values.scenario == null) {
          throw new LabError(
            'INVALID_OPTION',
            '--json needs --scenario NAME (one scenario, one JSON result)',
          );
        }
        return {
          kind: 'run',
          options: {
            ...(values.scenario == null ? {} : { scenario: values.scenario }),
            json: values.json === true,
            plain: values.plain === true,
            demo: values['no-demo'] !== true,
            topology: parseTopologyName(values.topology ?? 'vpc'),
            instances: int('instances', values.instances, 3, 2, 10),
            netns: values.netns === true,
            cleanup: values.cleanup === true,
            verbose: values.verbose === true,
            ...(values['agent-bundle'] == null ? {} : { agentBundle: values['agent-bundle'] }),
            ...(values['netns-inner'] == null
              ? {}
              : { netnsInner: int('netns-inner', values['netns-inner'], 0, 1, 4_194_304) }),
          },
        };
      }
      case 'bench': {
        const { values } = parseArgs({
          args: [...rest],
          options: {
            ...COMMON,
            quick: { type: 'boolean' },
            out: { type: 'string' },
            netns: { type: 'boolean' },
            'netns-inner': { type: 'string' },
          },
          strict: true,
          allowPositionals: false,
        });
        if (values.help === true) return { kind: 'help' };
        if (values.version === true) return { kind: 'version' };
        return {
          kind: 'bench',
          options: {
            quick: values.quick === true,
            out: values.out ?? 'bench-results.json',
            verbose: values.verbose === true,
            netns: values.netns === true,
            ...(values['agent-bundle'] == null ? {} : { agentBundle: values['agent-bundle'] }),
            ...(values['netns-inner'] == null
              ? {}
              : { netnsInner: int('netns-inner', values['netns-inner'], 0, 1, 4_194_304) }),
          },
        };
      }
      case 'chaos': {
        const { values } = parseArgs({
          args: [...rest],
          options: {
            ...COMMON,
            runs: { type: 'string' },
            seed: { type: 'string' },
            faults: { type: 'string' },
            'max-faults': { type: 'string' },
            'time-scale': { type: 'string' },
            failures: { type: 'string' },
            json: { type: 'boolean' },
            topology: { type: 'string' },
          },
          strict: true,
          allowPositionals: false,
        });
        if (values.help === true) return { kind: 'help' };
        if (values.version === true) return { kind: 'version' };
        const timeScale = values['time-scale'] == null ? 1 : Number(values['time-scale']);
        if (!(timeScale > 0 && timeScale <= 10)) {
          throw new LabError(
            'INVALID_OPTION',
            `--time-scale must be a number in (0, 10], got '${values['time-scale']}'`,
          );
        }
        return {
          kind: 'chaos',
          options: {
            runs: int('runs', values.runs, 20, 1, 100_000),
            seed: int('seed', values.seed, Math.floor(random() * 1_000_000), 0, 4_294_967_295),
            seedGiven: values.seed != null,
            faults: values.faults == null ? [...CHAOS_FAULT_KINDS] : parseFaultKinds(values.faults),
            maxFaults: int('max-faults', values['max-faults'], 3, 1, 20),
            timeScale,
            failures: values.failures ?? 'chaos-failures.jsonl',
            json: values.json === true,
            topology: parseTopologyName(values.topology ?? 'vpc'),
            verbose: values.verbose === true,
            ...(values['agent-bundle'] == null ? {} : { agentBundle: values['agent-bundle'] }),
          },
        };
      }
      default:
        return { kind: 'usage-error', message: `unknown command '${command}'` };
    }
  } catch (error) {
    const message = LabError.isInstance(error) ? error.message : (error as Error).message;
    return { kind: 'usage-error', message };
  }
}

/**
 * A real `node dist/nat-agent.js run` process for integration tests: its JSON log lines are parsed
 * as they arrive, and tests wait for stable event names rather than sleeping.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BUNDLE = fileURLToPath(new URL('../../dist/nat-agent.js', import.meta.url));

export interface LogLine {
  level: string;
  time: number;
  event: string;
  group?: string;
  [key: string]: unknown;
}

export interface AgentProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  /** Non-JSON output (stderr and anything unparsable), for failure messages. */
  readonly text: string[];
  /** Resolves with the first line (already seen or future) matching; rejects after `timeoutMs`. */
  waitFor(event: string, match?: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
  events(): string[];
  /** Everything written to stdout, unparsed (for commands that print JSON documents). */
  rawStdout(): string;
}

/** Environment every agent child gets: the test hygiene variables of the parent, minus the ones
 * that would stop the SDK from reading credentials from the (emulated) IMDS. */
export function childEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (k.startsWith('NAT_HA_') || k.startsWith('CONSUL_') || k === 'AWS_EC2_METADATA_DISABLED') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

export function spawnAgent(options: {
  name: string;
  env: Record<string, string>;
  args?: string[];
  command?: string;
  /** Node's own flags (e.g. `--cpu-prof`), before the bundle. */
  nodeArgs?: string[];
}): AgentProcess {
  const argv = [...(options.nodeArgs ?? []), BUNDLE, options.command ?? 'run', ...(options.args ?? [])];
  const child = spawn(process.execPath, argv, {
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const text: string[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  let raw = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    raw += chunk;
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        text.push(line);
      }
    }
    for (const w of [...waiters]) w();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    text.push(chunk);
    for (const w of [...waiters]) w();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
      for (const w of [...waiters]) w();
    }),
  );
  let done = false;
  void exited.then(() => (done = true));

  return {
    name: options.name,
    child,
    logs,
    text,
    exited,
    events: () => logs.map((l) => l.event),
    rawStdout: () => raw,
    kill(signal = 'SIGTERM') {
      if (!done) child.kill(signal);
    },
    waitFor(event, match = () => true, timeoutMs = 20_000) {
      return new Promise<LogLine>((resolve, reject) => {
        const check = () => {
          const hit = logs.find((l) => l.event === event && match(l));
          if (hit !== undefined) {
            finish();
            resolve(hit);
          } else if (done) {
            finish();
            reject(new Error(`${options.name} exited before logging ${event}:\n${tail()}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`${options.name}: no ${event} within ${timeoutMs} ms:\n${tail()}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };

  function tail(): string {
    return [...logs.slice(-15).map((l) => JSON.stringify(l)), ...text.slice(-10)].join('\n');
  }
}

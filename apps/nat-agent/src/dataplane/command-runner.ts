import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the command's stdin (e.g. an `nft -f -` script). */
  input?: string;
  signal?: AbortSignal;
  /** Kills the command after this long (default 5000 ms). */
  timeoutMs?: number;
}

/** Runs a program without a shell. Resolves with its exit code; rejects only if it cannot be run. */
export type CommandRunner = (
  command: string,
  args: readonly string[],
  options?: RunOptions,
) => Promise<CommandResult>;

export interface CommandRunnerOptions {
  /** Prepended to every command, e.g. `['ip', 'netns', 'exec', 'ns1']` to act inside a namespace. */
  prefix?: readonly string[];
}

const DEFAULT_TIMEOUT_MS = 5_000;

export function createCommandRunner(options: CommandRunnerOptions = {}): CommandRunner {
  const prefix = options.prefix ?? [];
  return (command, args, run = {}) =>
    new Promise<CommandResult>((resolve, reject) => {
      const argv = [...prefix, command, ...args];
      const child = spawn(argv[0] as string, argv.slice(1), {
        stdio: ['pipe', 'pipe', 'pipe'],
        timeout: run.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        ...(run.signal === undefined ? {} : { signal: run.signal }),
        env: { ...process.env, LC_ALL: 'C' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code, signal) =>
        resolve({
          code: code ?? (signal === null ? 1 : 128),
          stdout,
          stderr: signal === null ? stderr : `${stderr}killed by ${signal}`,
        }),
      );
      child.stdin.on('error', () => undefined); // the command may exit before reading its input
      child.stdin.end(run.input ?? '');
    });
}

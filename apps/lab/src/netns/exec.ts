/** Runs host tools (`ip`) for the dataplane lab; a failure becomes a LabError naming the command. */
import { execFile } from 'node:child_process';
import { LabError } from '../errors';

export interface ExecResult {
  stdout: string;
  stderr: string;
}

export function run(
  file: string,
  args: readonly string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      [...args],
      { timeout: options.timeoutMs ?? 20_000, maxBuffer: 8 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error != null) {
          reject(
            new LabError(
              'COMMAND_FAILED',
              `${file} ${args.join(' ')} failed: ${stderr.trim() || error.message}`,
              {
                cause: error,
                retryable: false,
              },
            ),
          );
          return;
        }
        resolve({ stdout, stderr });
      },
    );
    if (options.input != null) {
      child.stdin?.end(options.input);
    }
  });
}

/** `ip [-n NS] -batch -` per run of commands (much faster than one process per command). */
export async function ipBatch(
  groups: readonly { netns: string | null; lines: readonly string[] }[],
): Promise<void> {
  for (const g of groups) {
    await run('ip', [...(g.netns == null ? [] : ['-n', g.netns]), '-batch', '-'], {
      input: `${g.lines.join('\n')}\n`,
    });
  }
}

export function ip(args: readonly string[]): Promise<ExecResult> {
  return run('ip', args);
}

/** True when `ip` exists and we are root (network namespaces need CAP_SYS_ADMIN). */
export async function netnsAvailable(): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (process.getuid?.() !== 0)
    return { ok: false, reason: 'dataplane mode needs root (network namespaces, nftables)' };
  try {
    await run('ip', ['-V'], { timeoutMs: 5_000 });
  } catch {
    return { ok: false, reason: "dataplane mode needs the 'ip' tool (iproute2)" };
  }
  return { ok: true };
}

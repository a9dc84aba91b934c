import { spawn } from 'node:child_process';
import { LAB_BUNDLE } from './lab-bundle';

export interface LabRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built lab (`node dist/lab.js …`) to completion; kills it after `timeoutMs`. */
export function runLab(args: readonly string[], timeoutMs: number): Promise<LabRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [LAB_BUNDLE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The last lines of the human log, for assertion messages. */
export function tail(text: string, lines = 60): string {
  return text.split('\n').slice(-lines).join('\n');
}

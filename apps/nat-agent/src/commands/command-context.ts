import { readFileSync } from 'node:fs';
import type { ParsedCli } from '../cli';
import { loadConfig, type LoadResult } from '../config/load-config';

export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface CommandContext {
  env: Readonly<Record<string, string | undefined>>;
  io: CommandIo;
  /** Reads a file; `undefined` when it does not exist. */
  readFile(path: string): string | undefined;
}

export type CommandArgs = Extract<ParsedCli, { kind: 'command' }>;

export function readFileIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export function loadFromArgs(args: CommandArgs, ctx: CommandContext): LoadResult {
  return loadConfig({
    ...(args.configPath === undefined ? {} : { configPath: args.configPath }),
    flags: args.flags,
    env: ctx.env,
    readFile: (path) => ctx.readFile(path),
  });
}

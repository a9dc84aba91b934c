/**
 * One NAT instance's nat-agent, supervised: the lab spawns the real bundle (`node nat-agent.js run`),
 * parses its JSON log lines as they arrive, sends it signals (SIGKILL, SIGTERM, SIGSTOP/SIGCONT),
 * restarts it, and records every exit together with what the lab did to cause it, so the fault
 * campaign can tell an injected death from a crash (invariant 4).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { LabError } from '../errors';
import { createLineSplitter, parseLogLine, type AgentLogLine } from './log-lines';

export type LabSignal = 'SIGKILL' | 'SIGTERM' | 'SIGSTOP' | 'SIGCONT' | 'SIGINT';

/** A log line, tagged with the process generation (1 for the first start, 2 after a restart…). */
export interface TaggedLogLine extends AgentLogLine {
  instanceId: string;
  generation: number;
}

export interface AgentExit {
  generation: number;
  pid: number | undefined;
  at: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What the lab did that explains this exit, if anything (a signal it sent, a notice). */
  expected?: ExpectedExit;
}

/** Why the lab expects an exit: a signal it sent (with its own label) or a notice that drains. */
export interface ExpectedExit {
  cause: string;
  signal?: LabSignal;
  at: number;
}

export interface AgentCommand {
  /** Program, e.g. `process.execPath` or `ip` (dataplane mode: `ip netns exec <ns> node …`). */
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
}

export interface AgentProcessOptions {
  instanceId: string;
  name: string;
  command: AgentCommand;
  /** Raw output (stdout and stderr) is appended here, for the user to read after a run. */
  logFile?: string;
  /** Lines kept in memory per agent (the oldest are dropped beyond it). Default 200 000. */
  maxLines?: number;
}

export type AgentProcessState = 'not-started' | 'running' | 'paused' | 'exited';

export interface AgentProcess {
  readonly instanceId: string;
  readonly name: string;
  readonly state: AgentProcessState;
  readonly pid: number | undefined;
  readonly generation: number;
  /** The agent's HTTP base URL, from its `http_listening` line (current generation). */
  readonly httpUrl: string | undefined;
  readonly logs: readonly TaggedLogLine[];
  /** Non-JSON output: stderr and unparsable stdout, tagged by generation. */
  readonly text: readonly { generation: number; at: number; text: string }[];
  readonly exits: readonly AgentExit[];
  /** Starts the process (a new generation). Refused while one is running. */
  start(): void;
  /**
   * Sends a signal. `cause` records why, so an exit that follows is known to be the lab's doing;
   * SIGSTOP/SIGCONT change the state to paused/running.
   */
  signal(signal: LabSignal, cause?: string): void;
  /** Marks the next exit as expected (e.g. a drain after a spot notice the lab sent). */
  expectExit(cause: string): void;
  /** Resolves at the next exit of the current generation (at once if not running). */
  whenExited(): Promise<AgentExit | undefined>;
  /** Resolves when generation `generation` has exited (at once if it already has). */
  whenGenerationExited(generation: number): Promise<AgentExit | undefined>;
  /** Listens to every parsed line; returns the unsubscribe function. */
  onLine(listener: (line: TaggedLogLine) => void): () => void;
  /** Listens to exits. */
  onExit(listener: (exit: AgentExit) => void): () => void;
  /** First line (of this generation, past or future) with this event that matches. */
  waitForEvent(
    event: string,
    options: {
      timeoutMs: number;
      match?: (line: TaggedLogLine) => boolean;
      signal?: AbortSignal;
      sinceTime?: number;
    },
  ): Promise<TaggedLogLine>;
  /** SIGCONT if paused, SIGTERM, then SIGKILL after `graceMs`; resolves when gone. */
  stop(graceMs?: number): Promise<void>;
  /** Last lines, for error messages. */
  tail(lines?: number): string;
  /** Closes the raw log file (after the process is gone). */
  dispose(): Promise<void>;
}

export function createAgentProcess(options: AgentProcessOptions): AgentProcess {
  const maxLines = options.maxLines ?? 200_000;
  const logs: TaggedLogLine[] = [];
  const text: { generation: number; at: number; text: string }[] = [];
  const exits: AgentExit[] = [];
  const lineListeners = new Set<(line: TaggedLogLine) => void>();
  const exitListeners = new Set<(exit: AgentExit) => void>();
  let child: ChildProcess | undefined;
  let state: AgentProcessState = 'not-started';
  let generation = 0;
  let httpUrl: string | undefined;
  let expected: ExpectedExit | undefined;
  let exitWaiters: Array<(exit: AgentExit | undefined) => void> = [];
  let logStream: WriteStream | undefined;
  if (options.logFile != null) {
    logStream = createWriteStream(options.logFile, { flags: 'a' });
    logStream.on('error', () => undefined); // a full disk must not take the lab down
  }

  function pushLine(gen: number, raw: string, stream: 'stdout' | 'stderr'): void {
    logStream?.write(stream === 'stderr' ? `[stderr] ${raw}\n` : `${raw}\n`);
    const parsed =
      stream === 'stdout'
        ? parseLogLine(raw)
        : raw.trim() === ''
          ? undefined
          : { kind: 'text' as const, text: raw };
    if (parsed == null) return;
    if (parsed.kind === 'text') {
      text.push({ generation: gen, at: Date.now(), text: parsed.text });
      if (text.length > maxLines) text.splice(0, text.length - maxLines);
      return;
    }
    const line: TaggedLogLine = { ...parsed.line, instanceId: options.instanceId, generation: gen };
    if (line.event === 'http_listening' && typeof line['url'] === 'string' && gen === generation) {
      httpUrl = line['url'];
    }
    logs.push(line);
    if (logs.length > maxLines) logs.splice(0, logs.length - maxLines);
    for (const l of [...lineListeners]) l(line);
  }

  const api: AgentProcess = {
    instanceId: options.instanceId,
    name: options.name,
    get state() {
      return state;
    },
    get pid() {
      return state === 'running' || state === 'paused' ? child?.pid : undefined;
    },
    get generation() {
      return generation;
    },
    get httpUrl() {
      return state === 'running' || state === 'paused' ? httpUrl : undefined;
    },
    logs,
    text,
    exits,
    start() {
      if (state === 'running' || state === 'paused') {
        throw new LabError(
          'AGENT_START_FAILED',
          `${options.name}: already running (pid ${String(child?.pid)})`,
        );
      }
      generation++;
      const gen = generation;
      httpUrl = undefined;
      expected = undefined;
      logStream?.write(`# ---- ${options.name} generation ${gen} started at ${new Date().toISOString()}\n`);
      const proc = spawn(options.command.file, options.command.args, {
        env: options.command.env,
        cwd: options.command.cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = proc;
      state = 'running';
      const out = createLineSplitter((l) => pushLine(gen, l, 'stdout'));
      const err = createLineSplitter((l) => pushLine(gen, l, 'stderr'));
      proc.stdout?.setEncoding('utf8').on('data', (c: string) => out.push(c));
      proc.stderr?.setEncoding('utf8').on('data', (c: string) => err.push(c));
      proc.on('error', (error) => {
        text.push({ generation: gen, at: Date.now(), text: `spawn error: ${error.message}` });
      });
      proc.on('close', (code, signal) => {
        out.end();
        err.end();
        const exit: AgentExit = {
          generation: gen,
          pid: proc.pid,
          at: Date.now(),
          code,
          signal,
          ...(expected == null ? {} : { expected }),
        };
        exits.push(exit);
        if (gen === generation) {
          state = 'exited';
          httpUrl = undefined;
        }
        logStream?.write(
          `# ---- ${options.name} generation ${gen} exited code=${String(code)} signal=${String(signal)}\n`,
        );
        const waiters = exitWaiters;
        exitWaiters = [];
        for (const w of waiters) w(exit);
        for (const l of [...exitListeners]) l(exit);
      });
    },
    signal(sig, cause) {
      if (child == null || (state !== 'running' && state !== 'paused')) return;
      if (sig !== 'SIGSTOP' && sig !== 'SIGCONT')
        expected = { cause: cause ?? sig, signal: sig, at: Date.now() };
      try {
        child.kill(sig);
      } catch {
        return; // already gone
      }
      if (sig === 'SIGSTOP') state = 'paused';
      if (sig === 'SIGCONT' && state === 'paused') state = 'running';
      if ((sig === 'SIGKILL' || sig === 'SIGTERM') && state === 'paused') {
        // A stopped process only acts on SIGTERM once continued; SIGKILL works regardless.
        if (sig === 'SIGTERM') child.kill('SIGCONT');
        state = 'running';
      }
    },
    expectExit(cause) {
      expected = { cause, at: Date.now() };
    },
    whenExited() {
      if (state !== 'running' && state !== 'paused') return Promise.resolve(exits.at(-1));
      return new Promise((resolve) => exitWaiters.push(resolve));
    },
    whenGenerationExited(gen) {
      const done = exits.find((e) => e.generation === gen);
      if (done != null || gen !== generation) return Promise.resolve(done);
      return api.whenExited();
    },
    onLine(listener) {
      lineListeners.add(listener);
      return () => lineListeners.delete(listener);
    },
    onExit(listener) {
      exitListeners.add(listener);
      return () => exitListeners.delete(listener);
    },
    waitForEvent(event, opts) {
      const gen = generation;
      const match = opts.match ?? (() => true);
      const since = opts.sinceTime ?? Number.NEGATIVE_INFINITY;
      const hit = (l: TaggedLogLine) =>
        l.generation === gen && l.event === event && l.time >= since && match(l);
      const found = logs.find(hit);
      if (found != null) return Promise.resolve(found);
      return new Promise<TaggedLogLine>((resolve, reject) => {
        const cleanup = () => {
          clearTimeout(timer);
          offLine();
          offExit();
          opts.signal?.removeEventListener('abort', onAbort);
        };
        const offLine = api.onLine((l) => {
          if (hit(l)) {
            cleanup();
            resolve(l);
          }
        });
        const offExit = api.onExit((e) => {
          if (e.generation !== gen) return;
          cleanup();
          reject(
            new LabError(
              'AGENT_START_FAILED',
              `${options.name} exited (code ${String(e.code)}, signal ${String(e.signal)}) before logging ${event}:\n${api.tail()}`,
            ),
          );
        });
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new LabError(
              'TIMEOUT',
              `${options.name}: no ${event} within ${opts.timeoutMs} ms:\n${api.tail()}`,
            ),
          );
        }, opts.timeoutMs);
        const onAbort = () => {
          cleanup();
          reject(new LabError('ABORTED', 'aborted', { cause: opts.signal?.reason }));
        };
        opts.signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    async stop(graceMs = 3_000) {
      if (state !== 'running' && state !== 'paused') return;
      const exited = api.whenExited();
      if (state === 'paused') api.signal('SIGCONT');
      api.signal('SIGTERM', 'lab-shutdown');
      const timer = setTimeout(() => api.signal('SIGKILL', 'lab-shutdown'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    dispose() {
      const stream = logStream;
      logStream = undefined;
      if (stream == null) return Promise.resolve();
      return new Promise<void>((resolve) => stream.end(() => resolve()));
    },
    tail(n = 15) {
      const gen = generation;
      const lines = logs
        .filter((l) => l.generation === gen)
        .slice(-n)
        .map((l) => JSON.stringify(l));
      const texts = text
        .filter((t) => t.generation === gen)
        .slice(-10)
        .map((t) => t.text);
      return [...lines, ...texts].join('\n');
    },
  };
  return api;
}

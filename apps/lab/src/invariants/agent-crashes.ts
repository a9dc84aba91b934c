/**
 * Invariant 4: no agent crash and no unhandled rejection. Every exit of an agent process must be
 * explained by something the lab did (a signal it sent, a notice that drains) and end the way
 * nat-agent documents (SIGTERM and notices drain and exit 0; SIGKILL kills); no `fatal` log line;
 * nothing on stderr that looks like an uncaught error or a stack trace.
 */
import type { AgentExit } from '../process/agent-process';
import { result, type InvariantResult, type Violation } from './invariant';

export interface AgentRecord {
  instanceId: string;
  name: string;
  exits: readonly AgentExit[];
  logs: readonly { time: number; level: string; event?: string; generation: number; [k: string]: unknown }[];
  text: readonly { at: number; text: string; generation: number }[];
}

export interface AgentCrashInput {
  agents: readonly AgentRecord[];
  window: { from: number; to: number };
}

/** Output that means an uncaught error, never a warning. */
const CRASH_TEXT = [
  /unhandled ?(promise ?)?rejection/i,
  /uncaught ?exception/i,
  /^\s+at .+(\(.+:\d+:\d+\)|:\d+:\d+)$/, // a stack frame
  /^(\w+)?Error(\s\[\w+\])?: /,
  /^FATAL ERROR:/, // V8 (out of memory)
];

function exitExplained(exit: AgentExit): string | undefined {
  const cause = exit.expected?.cause;
  if (cause == null) {
    return `exited unexpectedly (code ${String(exit.code)}, signal ${String(exit.signal)})`;
  }
  if (cause === 'lab-shutdown') return undefined;
  const sent = exit.expected?.signal;
  if (sent === 'SIGKILL') {
    return exit.signal === 'SIGKILL'
      ? undefined
      : `was sent SIGKILL (${cause}) but exited with code ${String(exit.code)}`;
  }
  // SIGTERM, SIGINT and interruption notices drain: exit 0. A SIGTERM that arrives before the agent
  // installed its handler ends it by the signal itself, which is also what Node does by default.
  if (exit.code === 0) return undefined;
  if ((sent === 'SIGTERM' || sent === 'SIGINT') && exit.signal === sent) return undefined;
  return `exited with code ${String(exit.code)} (signal ${String(exit.signal)}) after ${cause}; a drain exits 0`;
}

export function checkAgentCrashes(input: AgentCrashInput): InvariantResult {
  const { from, to } = input.window;
  const violations: Violation[] = [];
  let checked = 0;
  for (const a of input.agents) {
    for (const exit of a.exits) {
      if (exit.at < from || exit.at > to) continue;
      checked++;
      const problem = exitExplained(exit);
      if (problem != null)
        violations.push({ at: exit.at, message: `${a.name} (generation ${exit.generation}) ${problem}` });
    }
    for (const line of a.logs) {
      if (line.time < from || line.time > to) continue;
      if (line.event === 'fatal' || line.level === 'fatal') {
        checked++;
        const error = JSON.stringify(line['error'] ?? line['msg'] ?? '');
        violations.push({ at: line.time, message: `${a.name} logged fatal: ${error}` });
      }
    }
    for (const t of a.text) {
      if (t.at < from || t.at > to) continue;
      if (CRASH_TEXT.some((re) => re.test(t.text))) {
        checked++;
        violations.push({ at: t.at, message: `${a.name} printed: ${t.text.slice(0, 200)}` });
      }
    }
  }
  return result('no-agent-crash', checked, violations);
}

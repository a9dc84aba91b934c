/**
 * nat-agent writes one JSON object per line on stdout (docs/operations.md "Logs"): `time` in epoch
 * milliseconds, `level`, `event`, and `group` for group events. This splits a byte stream into those
 * lines and parses them; anything that is not a JSON object (a stack trace, Node's own warnings) is
 * kept as text, because the fault campaign treats it as evidence of a crash.
 */
export interface AgentLogLine {
  level: string;
  time: number;
  event?: string;
  group?: string;
  [field: string]: unknown;
}

export type ParsedLine = { kind: 'json'; line: AgentLogLine } | { kind: 'text'; text: string };

export function parseLogLine(raw: string): ParsedLine | undefined {
  const text = raw.trimEnd();
  if (text.trim() === '') return undefined;
  if (text.startsWith('{')) {
    try {
      const value = JSON.parse(text) as unknown;
      if (value != null && typeof value === 'object' && !Array.isArray(value)) {
        const obj = value as Record<string, unknown>;
        if (typeof obj['time'] === 'number') {
          const raw = obj['level'];
          const level = typeof raw === 'string' ? raw : typeof raw === 'number' ? String(raw) : 'info';
          return { kind: 'json', line: { ...obj, level, time: obj['time'] } };
        }
      }
    } catch {
      // Not JSON after all: keep it as text below.
    }
  }
  return { kind: 'text', text };
}

/** Accumulates chunks and yields complete lines (the last partial line waits for its newline). */
export function createLineSplitter(onLine: (line: string) => void): {
  push(chunk: string): void;
  end(): void;
} {
  let buffer = '';
  return {
    push(chunk) {
      buffer += chunk;
      let nl = buffer.indexOf('\n');
      while (nl >= 0) {
        onLine(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf('\n');
      }
    },
    end() {
      if (buffer !== '') onLine(buffer);
      buffer = '';
    },
  };
}

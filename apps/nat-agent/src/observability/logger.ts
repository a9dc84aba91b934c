import { pino, type DestinationStream } from 'pino';
import type { Logger, LogLevel } from '../ports';

export interface JsonLoggerOptions {
  level: LogLevel;
  /** Fields on every line (instance id, AZ). */
  base?: Record<string, unknown>;
  /** Default: stdout, written synchronously so the last lines before exit are never lost. */
  destination?: DestinationStream;
}

/**
 * JSON lines on stdout: `{"level":"info","time":<epoch ms>,"event":"elected",…}`. `time` is in
 * milliseconds because the lab builds its failover timeline from these lines; `event` is one of the
 * stable names in `LogEvent`.
 */
export function createJsonLogger(options: JsonLoggerOptions): Logger & { flush(): void } {
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  const log = pino(
    {
      level: options.level,
      base: { service: 'nat-agent', ...options.base },
      timestamp: pino.stdTimeFunctions.epochTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  return {
    event(level, name, fields = {}) {
      log[level]({ ...renameReserved(fields), event: name });
    },
    raw(level, fields, message) {
      if (message === undefined) log[level](fields);
      else log[level](fields, message);
    },
    flush() {
      log.flush();
    },
  };
}

/** Keys pino writes itself: a field of the same name would overwrite them (e.g. `level`). */
const RESERVED = new Set(['level', 'time', 'event', 'service', 'pid', 'hostname', 'msg']);

function renameReserved(fields: Record<string, unknown>): Record<string, unknown> {
  if (!Object.keys(fields).some((k) => RESERVED.has(k))) return fields;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[RESERVED.has(k) ? `${k}_` : k] = v;
  return out;
}

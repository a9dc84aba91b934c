import type { Logger, LogLevel } from '../ports';

/** The pino-shaped logger every nat-ha library accepts. */
export interface LibraryLogger {
  debug(fields: Record<string, unknown>, message?: string): void;
  info(fields: Record<string, unknown>, message?: string): void;
  warn(fields: Record<string, unknown>, message?: string): void;
  error(fields: Record<string, unknown>, message?: string): void;
}

/** Library lines go to the same JSON stream, tagged with the component that wrote them. */
export function toLibraryLogger(logger: Logger, component: string): LibraryLogger {
  const at =
    (level: LogLevel) =>
    (fields: Record<string, unknown>, message?: string): void =>
      logger.raw?.(level, { component, ...fields }, message);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** aws-discovery's logger takes the message first. */
export interface MessageFirstLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function toMessageFirstLogger(logger: Logger, component: string): MessageFirstLogger {
  const at =
    (level: LogLevel) =>
    (message: string, fields?: Record<string, unknown>): void =>
      logger.raw?.(level, { component, ...fields }, message);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

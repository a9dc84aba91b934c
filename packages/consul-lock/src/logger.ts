/**
 * A pino-compatible logger surface: structured fields first, then a message. Events carry a stable
 * `event` field (`lock_acquired`, `lock_deposed`, `session_renew_failed`, …) so an app can alert on them.
 */
export interface Logger {
  debug(fields: Record<string, unknown>, message?: string): void;
  info(fields: Record<string, unknown>, message?: string): void;
  warn(fields: Record<string, unknown>, message?: string): void;
  error(fields: Record<string, unknown>, message?: string): void;
}

const noop = (): void => {};

/** The default logger: drops everything. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/**
 * The optional logger the app injects. Both methods are optional so `console` or a pino child
 * logger fit as they are; the library never logs on its own otherwise.
 */
export interface DiscoveryLogger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
}

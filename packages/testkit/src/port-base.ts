/**
 * The emulators' fixed-port option (`portBase`), shared by the AWS and Consul emulators: its
 * validation, and the error a listener that cannot bind its port becomes.
 */
import { TestkitError } from './errors';

/**
 * `portBase` checked eagerly: an integer port, with room for the `extra` ports that follow it
 * (`what` names them in the message). `undefined` stays undefined: ephemeral ports.
 */
export function validatePortBase(
  who: string,
  value: number | undefined,
  extra: number,
  what: string,
): number | undefined {
  if (value == null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new TestkitError(
      'INVALID_OPTION',
      `${who}: option 'portBase' must be a port number 1–65535, got ${String(value)}`,
    );
  }
  if (value + extra > 65535) {
    throw new TestkitError(
      'INVALID_OPTION',
      `${who}: option 'portBase' ${value} leaves no room for ${what} (the last would be ${value + extra})`,
    );
  }
  return value;
}

/** A listen failure as `INVALID_OPTION` naming the address (a fixed port already in use). */
export function listenError(
  host: string,
  port: number,
  err: NodeJS.ErrnoException,
  prefix = '',
): TestkitError {
  return new TestkitError(
    'INVALID_OPTION',
    err.code === 'EADDRINUSE'
      ? `${prefix}cannot listen on ${host}:${port}: the port is in use (choose another portBase)`
      : `${prefix}cannot listen on ${host}:${port}: ${err.message}`,
    { cause: err },
  );
}

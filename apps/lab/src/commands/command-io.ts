/** The process surface a command uses, injected so commands are testable without a terminal. */
export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: NodeJS.ReadStream;
  stdoutIsTty: boolean;
  columns: () => number;
  rows: () => number;
  /** SIGINT / SIGTERM. */
  onInterrupt: (listener: () => void) => void;
  offInterrupt: (listener: () => void) => void;
  argv: readonly string[];
}

export function processIo(argv: readonly string[]): CommandIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    stdin: process.stdin,
    stdoutIsTty: process.stdout.isTTY === true,
    columns: () => process.stdout.columns ?? 100,
    rows: () => process.stdout.rows ?? 40,
    onInterrupt(listener) {
      process.on('SIGINT', listener);
      process.on('SIGTERM', listener);
    },
    offInterrupt(listener) {
      process.off('SIGINT', listener);
      process.off('SIGTERM', listener);
    },
    argv,
  };
}

import type { BootstrapErrorCode } from './errors';

/**
 * Exit statuses of `nat-bootstrap render`, chosen so that a systemd unit or a shell can act on
 * "did anything change" without parsing output (the same idea as `terraform plan -detailed-exitcode`).
 */
export const EXIT = {
  /** Every file already had the rendered content and mode: nothing was (or would be) written. */
  unchanged: 0,
  /** An error not caused by the command line or the configuration (discovery, I/O, timeout). */
  failure: 1,
  /** Bad flags or environment, or a rendered config that fails validation. Nothing was written. */
  usage: 2,
  /** At least one file was created or updated (with `--dry-run`: would be). */
  changed: 10,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Usage and configuration problems are the operator's to fix (exit 2); the rest are exit 1. */
export function exitCodeFor(code: BootstrapErrorCode): ExitCode {
  switch (code) {
    case 'INVALID_OPTION':
    case 'INVALID_CONFIG':
      return EXIT.usage;
    case 'DISCOVERY_FAILED':
    case 'PEERS_TIMEOUT':
    case 'WRITE_FAILED':
    case 'ABORTED':
    case 'UNEXPECTED':
      return EXIT.failure;
  }
}

/**
 * Consul's `checks.StatusHandler`: hysteresis for HTTP and TCP checks. Counters start at their
 * thresholds so the first result is reported at once; after that `SuccessBeforePassing`
 * consecutive successes are needed to report passing, and `FailuresBeforeCritical` consecutive
 * failures to report critical, with `FailuresBeforeWarning` (default: the critical threshold)
 * reporting warning on the way (spec §6.3).
 */
import type { ConsulCheckStatus } from './journal';

export interface StatusThresholds {
  successBeforePassing: number;
  failuresBeforeWarning: number;
  failuresBeforeCritical: number;
}

export type StatusReport = (status: ConsulCheckStatus, output: string) => void;

export interface StatusHandler {
  /** Feeds one probe result; calls `report` when the thresholds say the status changes. */
  update(status: ConsulCheckStatus, output: string): void;
}

export function createStatusHandler(thresholds: StatusThresholds, report: StatusReport): StatusHandler {
  let successCounter = thresholds.successBeforePassing;
  let failuresCounter = thresholds.failuresBeforeCritical;
  return {
    update(status, output) {
      if (status === 'passing' || status === 'warning') {
        successCounter++;
        failuresCounter = 0;
        if (successCounter >= thresholds.successBeforePassing) report(status, output);
        return;
      }
      failuresCounter++;
      successCounter = 0;
      if (failuresCounter >= thresholds.failuresBeforeCritical) {
        report(status, output);
        return;
      }
      if (failuresCounter >= thresholds.failuresBeforeWarning) report('warning', output);
    },
  };
}

import { describe, expect, it } from 'vitest';
import type { ConsulCheckStatus } from './journal';
import { createStatusHandler, type StatusThresholds } from './status-handler';

function run(thresholds: StatusThresholds, results: ConsulCheckStatus[]): (ConsulCheckStatus | '-')[] {
  const out: (ConsulCheckStatus | '-')[] = [];
  let last: ConsulCheckStatus | '-' = '-';
  const h = createStatusHandler(thresholds, (s) => (last = s));
  for (const r of results) {
    last = '-';
    h.update(r, '');
    out.push(last);
  }
  return out;
}

describe('createStatusHandler', () => {
  it('reports every result without thresholds', () => {
    expect(
      run({ successBeforePassing: 0, failuresBeforeWarning: 0, failuresBeforeCritical: 0 }, [
        'passing',
        'critical',
        'warning',
      ]),
    ).toEqual(['passing', 'critical', 'warning']);
  });

  it('reports the first result at once, then waits for the thresholds', () => {
    expect(
      run({ successBeforePassing: 2, failuresBeforeWarning: 3, failuresBeforeCritical: 3 }, [
        'critical',
        'passing',
        'passing',
        'critical',
        'critical',
        'critical',
      ]),
    ).toEqual(['critical', '-', 'passing', '-', '-', 'critical']);
  });

  it('reports warning between FailuresBeforeWarning and FailuresBeforeCritical', () => {
    expect(
      run({ successBeforePassing: 0, failuresBeforeWarning: 1, failuresBeforeCritical: 3 }, [
        'passing',
        'critical',
        'critical',
        'critical',
      ]),
    ).toEqual(['passing', 'warning', 'warning', 'critical']);
  });
});

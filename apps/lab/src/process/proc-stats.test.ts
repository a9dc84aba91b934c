import { describe, expect, it } from 'vitest';
import { cpuFraction, parseCpuTicks, parseVmRssBytes } from './proc-stats';

describe('parseVmRssBytes', () => {
  it('reads VmRSS in kB as bytes', () => {
    expect(parseVmRssBytes('Name:\tnode\nVmPeak:\t 1000 kB\nVmRSS:\t   51234 kB\nThreads:\t11\n')).toBe(
      51234 * 1024,
    );
  });

  it('is undefined without a VmRSS line (kernel thread, zombie)', () => {
    expect(parseVmRssBytes('Name:\tkworker\nState:\tI (idle)\n')).toBeUndefined();
  });
});

describe('parseCpuTicks', () => {
  it('adds utime and stime (fields 14 and 15), even with spaces and parentheses in the name', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
    const stat = '4242 (node (nat) x) S 1 4242 4242 0 -1 4194560 900 0 0 0 123 45 0 0 20 0 11 0';
    expect(parseCpuTicks(stat)).toBe(168);
  });

  it('is undefined for garbage', () => {
    expect(parseCpuTicks('nonsense')).toBeUndefined();
  });
});

describe('cpuFraction', () => {
  it('is CPU seconds over wall seconds', () => {
    expect(
      cpuFraction({ at: 0, rssBytes: 0, cpuTicks: 100 }, { at: 10_000, rssBytes: 0, cpuTicks: 105 }),
    ).toBe(0.005);
  });
});

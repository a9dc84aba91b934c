import { describe, expect, it } from 'vitest';
import { cpuFraction, parseCpuTicks, parseSmapsRollup, parseVmRssBytes } from './proc-stats';

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

describe('parseSmapsRollup', () => {
  const rollup = [
    '00400000-7ffd4a1f3000 ---p 00000000 00:00 0                          [rollup]',
    'Rss:               78812 kB',
    'Pss:               45120 kB',
    'Pss_Anon:          30100 kB',
    'Shared_Clean:      40960 kB',
    'Shared_Dirty:          0 kB',
    'Private_Clean:      1024 kB',
    'Private_Dirty:     30828 kB',
    '',
  ].join('\n');

  it('reads Pss and USS (Private_Clean + Private_Dirty) in bytes, not Pss_Anon', () => {
    expect(parseSmapsRollup(rollup)).toEqual({ pssBytes: 45120 * 1024, ussBytes: (1024 + 30828) * 1024 });
  });

  it('is undefined when a field is missing (old kernel, no access)', () => {
    expect(parseSmapsRollup('Rss: 1 kB\nPss: 1 kB\n')).toBeUndefined();
  });
});

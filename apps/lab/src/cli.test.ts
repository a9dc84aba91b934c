import { describe, expect, it } from 'vitest';
import { HELP, parseCli } from './cli';

describe('nat-ha-lab command line', () => {
  it('runs the lab with the defaults when no command is given (pnpm lab)', () => {
    expect(parseCli([])).toEqual({
      kind: 'run',
      options: {
        json: false,
        plain: false,
        demo: true,
        topology: 'vpc',
        instances: 3,
        netns: false,
        cleanup: false,
        verbose: false,
      },
    });
  });

  it('accepts the run options without the command name (pnpm lab --scenario crash --json)', () => {
    const parsed = parseCli(['--scenario', 'crash', '--json', '--topology', 'per-az']);
    expect(parsed).toMatchObject({
      kind: 'run',
      options: { scenario: 'crash', json: true, topology: 'per-az' },
    });
    expect(parseCli(['run', '--cleanup'])).toMatchObject({ kind: 'run', options: { cleanup: true } });
  });

  it('prints help and the version', () => {
    expect(parseCli(['--help'])).toEqual({ kind: 'help' });
    expect(parseCli(['chaos', '-h'])).toEqual({ kind: 'help' });
    expect(parseCli(['-v'])).toEqual({ kind: 'version' });
    expect(HELP).toContain('Usage: nat-ha-lab');
  });

  it('rejects unknown commands, unknown options and bad values with a message naming them', () => {
    expect(parseCli(['frobnicate'])).toEqual({
      kind: 'usage-error',
      message: "unknown command 'frobnicate'",
    });
    expect(parseCli(['--frob'])).toMatchObject({
      kind: 'usage-error',
      message: expect.stringContaining('--frob'),
    });
    expect(parseCli(['--scenario', 'meteor'])).toMatchObject({
      kind: 'usage-error',
      message: expect.stringContaining(
        '--scenario must be one of graceful, health, crash, node, partition, spot',
      ),
    });
    expect(parseCli(['--json'])).toMatchObject({
      kind: 'usage-error',
      message: expect.stringContaining('--json needs --scenario'),
    });
    expect(parseCli(['chaos', '--runs', '0'])).toMatchObject({
      kind: 'usage-error',
      message: "--runs must be an integer from 1 to 100000, got '0'",
    });
    expect(parseCli(['--topology', 'mesh'])).toMatchObject({ kind: 'usage-error' });
  });

  it('bench: --quick and --out', () => {
    expect(parseCli(['bench', '--quick', '--out', 'x.json'])).toEqual({
      kind: 'bench',
      options: { quick: true, out: 'x.json', verbose: false, netns: false },
    });
  });

  it('chaos: seed given or drawn, runs, fault kinds', () => {
    expect(parseCli(['chaos', '--runs', '5', '--seed', '42', '--faults', 'kill,pause'])).toMatchObject({
      kind: 'chaos',
      options: { runs: 5, seed: 42, seedGiven: true, faults: ['kill', 'pause'], maxFaults: 3, timeScale: 1 },
    });
    expect(parseCli(['chaos'], () => 0.5)).toMatchObject({
      kind: 'chaos',
      options: { runs: 20, seed: 500_000, seedGiven: false },
    });
    expect(parseCli(['chaos', '--faults', 'meteor'])).toMatchObject({ kind: 'usage-error' });
  });
});

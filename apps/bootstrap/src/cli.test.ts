import { describe, expect, it } from 'vitest';
import { HELP, parseCli } from './cli';
import { EXIT, exitCodeFor } from './exit-codes';

describe('nat-bootstrap command line', () => {
  it('prints help when no command is given or --help is passed', () => {
    expect(parseCli([])).toEqual({ kind: 'help' });
    expect(parseCli(['--help'])).toEqual({ kind: 'help' });
    expect(HELP).toContain('Usage: nat-bootstrap');
  });

  it('reports the version', () => {
    expect(parseCli(['-v'])).toEqual({ kind: 'version' });
  });

  it('rejects an unknown command with a message naming it', () => {
    expect(parseCli(['frobnicate'])).toEqual({
      kind: 'usage-error',
      message: "unknown command 'frobnicate'",
    });
  });

  it('passes everything after the command through, -v and --help included', () => {
    expect(parseCli(['render', '--out', 'x', '-v'])).toEqual({
      kind: 'command',
      command: 'render',
      args: ['--out', 'x', '-v'],
    });
  });
});

describe('exit codes', () => {
  it("are 2 for the operator's mistakes and 1 for everything else", () => {
    expect(exitCodeFor('INVALID_OPTION')).toBe(EXIT.usage);
    expect(exitCodeFor('INVALID_CONFIG')).toBe(EXIT.usage);
    expect(exitCodeFor('DISCOVERY_FAILED')).toBe(EXIT.failure);
    expect(exitCodeFor('PEERS_TIMEOUT')).toBe(EXIT.failure);
    expect(exitCodeFor('WRITE_FAILED')).toBe(EXIT.failure);
    expect({ ...EXIT }).toEqual({ unchanged: 0, failure: 1, usage: 2, changed: 10 });
  });
});

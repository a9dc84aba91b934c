import { describe, expect, it } from 'vitest';
import { HELP, parseCli } from './cli';

describe('nat-agent command line', () => {
  it('prints help when no command is given or --help is passed', () => {
    expect(parseCli([])).toEqual({ kind: 'help' });
    expect(parseCli(['--help'])).toEqual({ kind: 'help' });
    expect(HELP).toContain('Usage: nat-agent');
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

  it('passes the arguments after the command through', () => {
    expect(parseCli(['run', '--flag', 'x'])).toEqual({
      kind: 'command',
      command: 'run',
      args: ['--flag', 'x'],
    });
  });
});

import { describe, expect, it } from 'vitest';
import { createLineSplitter, parseLogLine } from './log-lines';

describe('parseLogLine', () => {
  it('parses a nat-agent JSON line with its epoch-ms time, level and event', () => {
    expect(
      parseLogLine('{"level":"info","time":1700000000123,"event":"elected","group":"vpc","lockIndex":3}'),
    ).toEqual({
      kind: 'json',
      line: { level: 'info', time: 1700000000123, event: 'elected', group: 'vpc', lockIndex: 3 },
    });
  });

  it('keeps non-JSON output (stack traces, warnings) as text', () => {
    expect(parseLogLine('    at process.processTicksAndRejections (node:internal)')).toEqual({
      kind: 'text',
      text: '    at process.processTicksAndRejections (node:internal)',
    });
    expect(parseLogLine('{not json')).toEqual({ kind: 'text', text: '{not json' });
    expect(parseLogLine('{"no":"time"}')).toEqual({ kind: 'text', text: '{"no":"time"}' });
  });

  it('ignores blank lines', () => {
    expect(parseLogLine('   ')).toBeUndefined();
  });

  it('turns a numeric pino level into a string rather than dropping the line', () => {
    const parsed = parseLogLine('{"level":30,"time":5}');
    expect(parsed).toEqual({ kind: 'json', line: { level: '30', time: 5 } });
  });
});

describe('createLineSplitter', () => {
  it('yields complete lines across chunk boundaries and flushes the tail at end', () => {
    const lines: string[] = [];
    const s = createLineSplitter((l) => lines.push(l));
    s.push('{"a":');
    s.push('1}\n{"b"');
    expect(lines).toEqual(['{"a":1}']);
    s.push(':2}\npartial');
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
    s.end();
    expect(lines).toEqual(['{"a":1}', '{"b":2}', 'partial']);
  });
});

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createJsonLogger } from './logger';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n'))
        if (l.trim() !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, destination };
}

describe('JSON logger', () => {
  it('writes one JSON line per event with the level label, epoch-millisecond time and the event name', () => {
    const { lines, destination } = capture();
    const log = createJsonLogger({ level: 'info', base: { instance: 'i-1' }, destination });
    const before = Date.now();
    log.event('warn', 'resigned', { group: 'az-a', reason: 'health_lost' });
    log.event('debug', 'candidates_changed', {});
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'warn',
      event: 'resigned',
      group: 'az-a',
      reason: 'health_lost',
      instance: 'i-1',
      service: 'nat-agent',
    });
    expect(lines[0]!.time).toBeGreaterThanOrEqual(before);
    expect(Number.isInteger(lines[0]!.time)).toBe(true);
  });

  it('a field named like a reserved key cannot overwrite the level or the event name', () => {
    const { lines, destination } = capture();
    const log = createJsonLogger({ level: 'info', destination });
    log.event('info', 'health_changed', { level: 'healthy', event: 'other', time: 1 });
    expect(lines[0]).toMatchObject({
      level: 'info',
      event: 'health_changed',
      level_: 'healthy',
      event_: 'other',
      time_: 1,
    });
  });

  it('passes library lines through with their own event names', () => {
    const { lines, destination } = capture();
    const log = createJsonLogger({ level: 'debug', destination });
    log.raw?.('info', { component: 'election:a', event: 'lock_acquired' }, 'acquired');
    expect(lines[0]).toMatchObject({
      level: 'info',
      component: 'election:a',
      event: 'lock_acquired',
      msg: 'acquired',
    });
  });
});

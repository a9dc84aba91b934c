import { describe, expect, it } from 'vitest';
import { linkSignal } from './linked-signal';

describe('linkSignal', () => {
  it('follows the parent with its reason', () => {
    const parent = new AbortController();
    const link = linkSignal(parent.signal);
    expect(link.signal.aborted).toBe(false);
    parent.abort(new Error('lease lost'));
    expect(link.signal.aborted).toBe(true);
    expect((link.signal.reason as Error).message).toBe('lease lost');
  });

  it('is aborted at once for an aborted parent, and never for no parent', () => {
    const parent = new AbortController();
    parent.abort();
    expect(linkSignal(parent.signal).signal.aborted).toBe(true);
    expect(linkSignal(undefined).signal.aborted).toBe(false);
  });

  it('stops following after dispose()', () => {
    const parent = new AbortController();
    const link = linkSignal(parent.signal);
    link.dispose();
    parent.abort();
    expect(link.signal.aborted).toBe(false);
  });
});

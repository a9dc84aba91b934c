import { describe, expect, it } from 'vitest';
import { NetHealthError } from './errors';

describe('NetHealthError', () => {
  it('carries a stable code, the retryable flag and the cause', () => {
    const cause = new Error('socket hang up');
    const err = new NetHealthError('PROBE_TIMEOUT', 'something failed', { retryable: true, cause });
    expect(err.code).toBe('PROBE_TIMEOUT');
    expect(err.retryable).toBe(true);
    expect(err.cause).toBe(cause);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('NetHealthError');
  });

  it('defaults to not retryable', () => {
    expect(new NetHealthError('INVALID_OPTION', 'bad option').retryable).toBe(false);
  });

  it('is recognised across copies of the package by its Symbol.for brand, not by class identity', () => {
    const foreign = Object.defineProperty(
      { code: 'INVALID_OPTION' },
      Symbol.for('@nat-ha/net-health.error'),
      { value: true },
    );
    expect(NetHealthError.isInstance(foreign)).toBe(true);
    expect(NetHealthError.isInstance(new Error('plain'))).toBe(false);
    expect(NetHealthError.isInstance(null)).toBe(false);
    expect(NetHealthError.isInstance({ code: 'INVALID_OPTION' })).toBe(false);
  });

  it('marks itself as a nat-ha error so apps can handle any library error by shape', () => {
    const err = new NetHealthError('INVALID_OPTION', 'bad');
    expect((err as unknown as Record<symbol, unknown>)[Symbol.for('nat-ha.error')]).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { RouteSwitcherError } from './errors';

describe('RouteSwitcherError', () => {
  it('carries a stable code, the retryable flag and the cause', () => {
    const cause = new Error('socket hang up');
    const err = new RouteSwitcherError('EC2_THROTTLED', 'something failed', { retryable: true, cause });
    expect(err.code).toBe('EC2_THROTTLED');
    expect(err.retryable).toBe(true);
    expect(err.cause).toBe(cause);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('RouteSwitcherError');
  });

  it('defaults to not retryable', () => {
    expect(new RouteSwitcherError('INVALID_OPTION', 'bad option').retryable).toBe(false);
  });

  it('is recognised across copies of the package by its Symbol.for brand, not by class identity', () => {
    const foreign = Object.defineProperty(
      { code: 'INVALID_OPTION' },
      Symbol.for('@nat-ha/route-switcher.error'),
      { value: true },
    );
    expect(RouteSwitcherError.isInstance(foreign)).toBe(true);
    expect(RouteSwitcherError.isInstance(new Error('plain'))).toBe(false);
    expect(RouteSwitcherError.isInstance(null)).toBe(false);
    expect(RouteSwitcherError.isInstance({ code: 'INVALID_OPTION' })).toBe(false);
  });

  it('marks itself as a nat-ha error so apps can handle any library error by shape', () => {
    const err = new RouteSwitcherError('INVALID_OPTION', 'bad');
    expect((err as unknown as Record<symbol, unknown>)[Symbol.for('nat-ha.error')]).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { TestkitError } from './errors';

describe('TestkitError', () => {
  it('carries a stable code, the retryable flag and the cause', () => {
    const cause = new Error('socket hang up');
    const err = new TestkitError('ABORTED', 'something failed', { retryable: true, cause });
    expect(err.code).toBe('ABORTED');
    expect(err.retryable).toBe(true);
    expect(err.cause).toBe(cause);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('TestkitError');
  });

  it('defaults to not retryable', () => {
    expect(new TestkitError('INVALID_OPTION', 'bad option').retryable).toBe(false);
  });

  it('is recognised across copies of the package by its Symbol.for brand, not by class identity', () => {
    const foreign = Object.defineProperty({ code: 'INVALID_OPTION' }, Symbol.for('@nat-ha/testkit.error'), {
      value: true,
    });
    expect(TestkitError.isInstance(foreign)).toBe(true);
    expect(TestkitError.isInstance(new Error('plain'))).toBe(false);
    expect(TestkitError.isInstance(null)).toBe(false);
    expect(TestkitError.isInstance({ code: 'INVALID_OPTION' })).toBe(false);
  });

  it('marks itself as a nat-ha error so apps can handle any library error by shape', () => {
    const err = new TestkitError('INVALID_OPTION', 'bad');
    expect((err as unknown as Record<symbol, unknown>)[Symbol.for('nat-ha.error')]).toBe(true);
  });
});

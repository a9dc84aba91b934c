import { describe, expect, it } from 'vitest';
import { DiscoveryError } from './errors';

describe('DiscoveryError', () => {
  it('carries a stable code, the retryable flag and the cause', () => {
    const cause = new Error('socket hang up');
    const err = new DiscoveryError('IMDS_UNAVAILABLE', 'something failed', { retryable: true, cause });
    expect(err.code).toBe('IMDS_UNAVAILABLE');
    expect(err.retryable).toBe(true);
    expect(err.cause).toBe(cause);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('DiscoveryError');
  });

  it('defaults to not retryable', () => {
    expect(new DiscoveryError('INVALID_OPTION', 'bad option').retryable).toBe(false);
  });

  it('is recognised across copies of the package by its Symbol.for brand, not by class identity', () => {
    const foreign = Object.defineProperty(
      { code: 'INVALID_OPTION' },
      Symbol.for('@nat-ha/aws-discovery.error'),
      { value: true },
    );
    expect(DiscoveryError.isInstance(foreign)).toBe(true);
    expect(DiscoveryError.isInstance(new Error('plain'))).toBe(false);
    expect(DiscoveryError.isInstance(null)).toBe(false);
    expect(DiscoveryError.isInstance({ code: 'INVALID_OPTION' })).toBe(false);
  });

  it('marks itself as a nat-ha error so apps can handle any library error by shape', () => {
    const err = new DiscoveryError('INVALID_OPTION', 'bad');
    expect((err as unknown as Record<symbol, unknown>)[Symbol.for('nat-ha.error')]).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { ConsulLockError } from './errors';

describe('ConsulLockError', () => {
  it('carries a stable code, the retryable flag and the cause', () => {
    const cause = new Error('socket hang up');
    const err = new ConsulLockError('CONSUL_UNAVAILABLE', 'something failed', { retryable: true, cause });
    expect(err.code).toBe('CONSUL_UNAVAILABLE');
    expect(err.retryable).toBe(true);
    expect(err.cause).toBe(cause);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ConsulLockError');
  });

  it('defaults to not retryable', () => {
    expect(new ConsulLockError('INVALID_OPTION', 'bad option').retryable).toBe(false);
  });

  it('is recognised across copies of the package by its Symbol.for brand, not by class identity', () => {
    const foreign = Object.defineProperty(
      { code: 'INVALID_OPTION' },
      Symbol.for('@nat-ha/consul-lock.error'),
      { value: true },
    );
    expect(ConsulLockError.isInstance(foreign)).toBe(true);
    expect(ConsulLockError.isInstance(new Error('plain'))).toBe(false);
    expect(ConsulLockError.isInstance(null)).toBe(false);
    expect(ConsulLockError.isInstance({ code: 'INVALID_OPTION' })).toBe(false);
  });

  it('marks itself as a nat-ha error so apps can handle any library error by shape', () => {
    const err = new ConsulLockError('INVALID_OPTION', 'bad');
    expect((err as unknown as Record<symbol, unknown>)[Symbol.for('nat-ha.error')]).toBe(true);
  });
});

describe('ConsulLockError.from (house style 10)', () => {
  it('keeps aborts as ABORTED, never retryable', () => {
    const error = ConsulLockError.from(new DOMException('aborted', 'AbortError'));
    expect(error.code).toBe('ABORTED');
    expect(error.retryable).toBe(false);
  });

  it('maps network errno codes, also when undici puts them on the cause, to retryable CONSUL_UNAVAILABLE', () => {
    const direct = ConsulLockError.from(
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    );
    const wrapped = ConsulLockError.from(
      Object.assign(new TypeError('fetch failed'), {
        cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
      }),
    );
    expect([direct.code, direct.retryable, wrapped.code, wrapped.retryable]).toEqual([
      'CONSUL_UNAVAILABLE',
      true,
      'CONSUL_UNAVAILABLE',
      true,
    ]);
  });

  it('maps certificate failures to CONSUL_TLS, not retryable', () => {
    const error = ConsulLockError.from(
      Object.assign(new Error('self signed'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
    );
    expect([error.code, error.retryable]).toEqual(['CONSUL_TLS', false]);
  });

  it('passes its own errors through unchanged', () => {
    const own = new ConsulLockError('CONSUL_NO_LEADER', 'No cluster leader', { retryable: true });
    expect(ConsulLockError.from(own)).toBe(own);
  });
});

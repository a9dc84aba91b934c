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

describe('NetHealthError.from', () => {
  const sys = (code: string, message = code): Error => Object.assign(new Error(message), { code });

  it.each([
    ['ECONNREFUSED', 'PROBE_REFUSED'],
    ['ECONNRESET', 'PROBE_RESET'],
    ['UND_ERR_SOCKET', 'PROBE_RESET'],
    ['ETIMEDOUT', 'PROBE_TIMEOUT'],
    ['ETIMEOUT', 'PROBE_TIMEOUT'],
    ['UND_ERR_HEADERS_TIMEOUT', 'PROBE_TIMEOUT'],
    ['ENETUNREACH', 'PROBE_UNREACHABLE'],
    ['EHOSTUNREACH', 'PROBE_UNREACHABLE'],
    ['EPERM', 'PROBE_UNREACHABLE'],
    ['EADDRNOTAVAIL', 'PROBE_SOURCE_UNAVAILABLE'],
    ['ENOTFOUND', 'PROBE_NXDOMAIN'],
    ['ESERVFAIL', 'PROBE_DNS_FAILED'],
    ['EREFUSED', 'PROBE_DNS_FAILED'],
    ['EAI_AGAIN', 'PROBE_DNS_FAILED'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'PROBE_TLS'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'PROBE_TLS'],
  ])('maps %s to %s, retryable', (systemCode, code) => {
    const err = NetHealthError.from(sys(systemCode));
    expect(err.code).toBe(code);
    expect(err.retryable).toBe(true);
    expect(err.message).toContain(systemCode);
  });

  it('looks through undici-style cause chains and AggregateError', () => {
    const wrapped = Object.assign(new Error('fetch failed'), { cause: sys('ECONNREFUSED') });
    expect(NetHealthError.from(wrapped).code).toBe('PROBE_REFUSED');
    const aggregate = new AggregateError([sys('ENETUNREACH'), sys('ECONNREFUSED')], 'all failed');
    expect(NetHealthError.from(aggregate).code).toBe('PROBE_UNREACHABLE');
  });

  it('keeps aborts as ABORTED, never retryable', () => {
    const abort = new DOMException('aborted', 'AbortError');
    const err = NetHealthError.from(abort);
    expect(err.code).toBe('ABORTED');
    expect(err.retryable).toBe(false);
    expect(NetHealthError.from(sys('UND_ERR_ABORTED')).code).toBe('ABORTED');
  });

  it('passes its own errors through unchanged and wraps unknown values as the fallback', () => {
    const own = new NetHealthError('PROBE_WRONG_STATUS', 'got 503', { retryable: true });
    expect(NetHealthError.from(own)).toBe(own);
    const unknown = NetHealthError.from('weird');
    expect(unknown.code).toBe('PROBE_FAILED');
    expect(unknown.message).toBe('weird');
    expect(NetHealthError.from(new Error('x'), 'PROBE_TLS').code).toBe('PROBE_TLS');
  });

  it('marks set-up errors as not retryable', () => {
    expect(NetHealthError.isRetryableCode('PROBE_PING_UNAVAILABLE')).toBe(false);
    expect(NetHealthError.isRetryableCode('INVALID_OPTION')).toBe(false);
    expect(NetHealthError.isRetryableCode('PROBE_TIMEOUT')).toBe(true);
  });
});

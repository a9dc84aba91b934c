import { describe, expect, it } from 'vitest';
import { BootstrapError, invalidOption } from './errors';

describe('BootstrapError', () => {
  it('carries a stable code, retryable flag and cause, and the shared nat-ha brand', () => {
    const cause = new Error('root');
    const error = new BootstrapError('PEERS_TIMEOUT', 'saw 2 of 3', { cause, retryable: true });
    expect(error.code).toBe('PEERS_TIMEOUT');
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(cause);
    expect(BootstrapError.isInstance(error)).toBe(true);
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for('nat-ha.error')]).toBe(true);
    expect(BootstrapError.isInstance(new Error('x'))).toBe(false);
  });

  it('from() keeps our errors, keeps aborts as aborts, wraps the rest with the cause and retryability', () => {
    const ours = new BootstrapError('INVALID_CONFIG', 'x');
    expect(BootstrapError.from(ours, 'UNEXPECTED', 'ctx')).toBe(ours);
    const abort = new DOMException('This operation was aborted', 'AbortError');
    expect(BootstrapError.from(abort, 'DISCOVERY_FAILED', 'discovery').code).toBe('ABORTED');
    const throttled = Object.assign(new Error('Rate exceeded'), { retryable: true });
    const wrapped = BootstrapError.from(throttled, 'DISCOVERY_FAILED', 'peer discovery failed');
    expect(wrapped).toMatchObject({
      code: 'DISCOVERY_FAILED',
      retryable: true,
      message: 'peer discovery failed: Rate exceeded',
    });
    expect(wrapped.cause).toBe(throttled);
    expect(BootstrapError.from('text', 'UNEXPECTED', 'ctx').message).toBe('ctx: text');
  });

  it('invalidOption names the option and the value', () => {
    expect(() => invalidOption('--role', 'must be server or client', 'x')).toThrow(
      '--role must be server or client (got "x")',
    );
  });
});

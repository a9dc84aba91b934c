import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { fromAwsError } from './aws-errors';
import { DiscoveryError } from './errors';

describe('fromAwsError (house style 10, §1.4)', () => {
  it('classifies throttling by code whatever the status', () => {
    for (const [name, status] of [
      ['RequestLimitExceeded', 503],
      ['Throttling', 400],
      ['TooManyRequestsException', 400],
    ] as const) {
      const err = new EC2ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status } });
      expect(fromAwsError(err, 'op')).toMatchObject({ code: 'AWS_THROTTLED', retryable: true });
    }
  });

  it('treats the SDK TimeoutError and Node transport codes as unavailable and retryable', () => {
    expect(fromAwsError(Object.assign(new Error('t'), { name: 'TimeoutError' }), 'op').code).toBe(
      'AWS_UNAVAILABLE',
    );
    expect(fromAwsError(Object.assign(new Error('x'), { code: 'EHOSTUNREACH' }), 'op')).toMatchObject({
      code: 'AWS_UNAVAILABLE',
      retryable: true,
    });
  });

  it('an abort stays an abort, never retryable', () => {
    const ac = new AbortController();
    ac.abort();
    expect(fromAwsError(new Error('anything'), 'op', ac.signal)).toMatchObject({
      code: 'ABORTED',
      retryable: false,
    });
  });

  it('a shapeless error (configuration or bug) is a final AWS_REQUEST_FAILED', () => {
    expect(fromAwsError(new TypeError('x is not a function'), 'op')).toMatchObject({
      code: 'AWS_REQUEST_FAILED',
      retryable: false,
    });
    expect(fromAwsError('a string', 'op').code).toBe('AWS_REQUEST_FAILED');
  });

  it('passes a DiscoveryError through unchanged', () => {
    const original = new DiscoveryError('ASG_NOT_FOUND', 'x');
    expect(fromAwsError(original, 'op')).toBe(original);
  });
});

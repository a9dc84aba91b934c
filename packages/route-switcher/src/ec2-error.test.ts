import { describe, expect, it } from 'vitest';
import { ec2Error } from '../test/support/fake-ec2';
import { classifyEc2Error, fromEc2Error } from './ec2-error';
import { RouteSwitcherError } from './errors';

function sysError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code });
}

describe('classifyEc2Error / fromEc2Error (§1.3 status table, §1.4 retry classes)', () => {
  it.each([
    [ec2Error('RequestLimitExceeded', 503), 'throttled', 'EC2_THROTTLED', true],
    // Classification is by code, independent of HTTP status (§1.4).
    [ec2Error('RequestLimitExceeded', 400), 'throttled', 'EC2_THROTTLED', true],
    [ec2Error('InternalError', 500), 'server', 'EC2_UNAVAILABLE', true],
    [ec2Error('Unavailable', 503), 'server', 'EC2_UNAVAILABLE', true],
    [sysError('ECONNREFUSED'), 'network', 'EC2_UNAVAILABLE', true],
    [sysError('ECONNRESET'), 'network', 'EC2_UNAVAILABLE', true],
    [
      Object.assign(new Error('Request timed out'), { name: 'TimeoutError', code: 'ETIMEDOUT' }),
      'timeout',
      'EC2_TIMEOUT',
      true,
    ],
    [ec2Error('UnauthorizedOperation', 403), 'unauthorized', 'IAM_DENIED', false],
    [ec2Error('AuthFailure', 401), 'auth-failed', 'EC2_AUTH_FAILED', false],
    [ec2Error('InvalidRouteTableID.NotFound', 400), 'client', 'ROUTE_TABLE_NOT_FOUND', false],
    [ec2Error('InvalidNetworkInterfaceID.NotFound', 400), 'client', 'NETWORK_INTERFACE_NOT_FOUND', false],
    [ec2Error('InvalidNatGatewayID.NotFound', 400), 'client', 'NAT_GATEWAY_NOT_FOUND', false],
    [ec2Error('InvalidAllocationID.NotFound', 400), 'client', 'ADDRESS_NOT_FOUND', false],
    [ec2Error('InvalidSubnetID.NotFound', 400), 'client', 'SUBNET_NOT_FOUND', false],
    [ec2Error('InvalidParameterValue', 400), 'client', 'EC2_REQUEST_FAILED', false],
    [ec2Error('RouteAlreadyExists', 400), 'client', 'EC2_REQUEST_FAILED', false],
    [ec2Error('DryRunOperation', 412), 'dry-run-ok', 'EC2_REQUEST_FAILED', false],
  ] as const)('%s → %s / %s', (err, kind, code, retryable) => {
    expect(classifyEc2Error(err).kind).toBe(kind);
    const e = fromEc2Error(err, 'ReplaceRoute');
    expect(e.code).toBe(code);
    expect(e.retryable).toBe(retryable);
    expect(e.cause).toBe(err);
  });

  it('keeps the EC2 code in ec2Code so callers can branch without parsing messages', () => {
    const e = fromEc2Error(
      ec2Error('InvalidParameterValue', 400, "There is no route defined for '0.0.0.0/0'"),
      'ReplaceRoute',
    );
    expect(e.ec2Code).toBe('InvalidParameterValue');
    expect(e.message).toContain('ReplaceRoute failed with InvalidParameterValue');
  });

  it('treats a 5xx with a non-XML body (plain Error with $metadata) as transient (§1.3)', () => {
    const err = Object.assign(new Error('@aws-sdk XML parse error: unexpected content'), {
      $metadata: { httpStatusCode: 500 },
    });
    expect(classifyEc2Error(err).kind).toBe('server');
    expect(fromEc2Error(err).retryable).toBe(true);
  });

  it('keeps aborts as aborts and never retryable (house style 10)', () => {
    const abort = Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    const e = fromEc2Error(abort);
    expect(e.code).toBe('ABORTED');
    expect(e.retryable).toBe(false);
  });

  it('passes RouteSwitcherErrors through untouched', () => {
    const own = new RouteSwitcherError('VERIFY_TIMEOUT', 'x');
    expect(fromEc2Error(own)).toBe(own);
  });

  it('does not mistake a non-EC2 error name for an EC2 code', () => {
    const f = classifyEc2Error(new TypeError('boom'));
    expect(f.kind).toBe('client');
    expect(f.ec2Code).toBeUndefined();
  });
});

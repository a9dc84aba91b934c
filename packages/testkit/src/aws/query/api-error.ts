/**
 * An error answer of the emulated AWS APIs (a wire value, not a TestkitError): the code, the HTTP
 * status from the spec's §1.3 table, and the message. Handlers throw it; the server renders it
 * in the service's error envelope (EC2 `<Response><Errors>…`, Auto Scaling `<ErrorResponse>`).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }

  static isInstance(value: unknown): value is ApiError {
    return value instanceof ApiError;
  }
}

/** HTTP status for an EC2 error code (spec §1.3; rule 8). */
export function ec2StatusFor(code: string): number {
  switch (code) {
    case 'AuthFailure':
      return 401;
    case 'UnauthorizedOperation':
      return 403;
    case 'DryRunOperation':
      return 412;
    case 'RequestLimitExceeded':
    case 'Unavailable':
    case 'ServiceUnavailable':
      return 503;
    case 'InternalError':
    case 'InternalFailure':
    case 'ServerInternal':
      return 500;
    default:
      return 400;
  }
}

/** Shorthand for a 400 client error. */
export const invalidParameterValue = (message: string): ApiError =>
  new ApiError('InvalidParameterValue', message);
export const missingParameter = (name: string): ApiError =>
  new ApiError('MissingParameter', `The request must contain the parameter ${name}`);

/**
 * NextToken/MaxResults paging (rule 16). Tokens are opaque base64url strings carrying the offset
 * and a fingerprint of the request's selection parameters, so a token reused with different
 * filters is rejected like AWS rejects a foreign token, instead of silently skipping results.
 */
import { createHash } from 'node:crypto';
import { invalidParameterValue } from './api-error';
import type { QueryParams } from './params';

export interface PageLimits {
  /** Smallest MaxResults the action accepts. */
  min: number;
  /** Largest MaxResults the action accepts. */
  max: number;
  /** Wire names of the paging parameters (EC2: NextToken/MaxResults; Auto Scaling: NextToken/MaxRecords). */
  maxParam?: string;
  /** Error for a bad token (EC2: InvalidParameterValue; Auto Scaling throws its own). */
  invalidToken?: (token: string) => Error;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

function fingerprint(params: QueryParams, maxParam: string): string {
  const selection = params
    .names()
    .filter((k) => k !== 'NextToken' && k !== maxParam && k !== 'DryRun')
    .sort()
    .map((k) => `${k}=${params.get(k) ?? ''}`)
    .join('&');
  return createHash('sha256').update(selection).digest('base64url').slice(0, 12);
}

export function paginate<T>(items: readonly T[], params: QueryParams, limits: PageLimits): Page<T> {
  const maxParam = limits.maxParam ?? 'MaxResults';
  const invalidToken =
    limits.invalidToken ??
    ((token: string) =>
      invalidParameterValue(`Value ( ${token} ) for parameter nextToken is invalid. The token is invalid.`));
  const max = params.integer(maxParam);
  if (max != null && (max < limits.min || max > limits.max)) {
    throw invalidParameterValue(
      `Value ( ${max} ) for parameter ${maxParam.charAt(0).toLowerCase()}${maxParam.slice(1)} is invalid. Expecting a value between ${limits.min} and ${limits.max}.`,
    );
  }
  const fp = fingerprint(params, maxParam);
  let offset = 0;
  const token = params.get('NextToken');
  if (token != null) {
    const match = /^(\d+)\.([\w-]+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (match == null || match[2] !== fp || Number(match[1]) > items.length) throw invalidToken(token);
    offset = Number(match[1]);
  }
  // Without MaxResults EC2 returns everything in one page (up to 1000 for the paginated actions).
  const size = max ?? Math.max(items.length - offset, 0);
  const end = offset + size;
  const page = items.slice(offset, end);
  if (end < items.length) {
    return { items: page, nextToken: Buffer.from(`${end}.${fp}`, 'utf8').toString('base64url') };
  }
  return { items: page };
}

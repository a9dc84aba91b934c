import { invalidOption } from './errors';

/**
 * Eager option checks shared by every entry point (house style 11): each failure is an
 * `INVALID_OPTION` error whose message names the option and the value it got.
 */
export function integerInRange(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    invalidOption(name, `must be an integer from ${min} to ${max}`, value);
  }
  return value;
}

export function nonEmptyString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    invalidOption(name, 'must be a non-empty string', value);
  return value;
}

export function optionalNonEmptyString(name: string, value: unknown): string | undefined {
  return value === undefined ? undefined : nonEmptyString(name, value);
}

/** An `http:`/`https:` URL without query, fragment or user info; returns origin and base path. */
export function httpEndpoint(
  name: string,
  value: unknown,
): { origin: string; basePath: string; href: string } {
  if (typeof value !== 'string' || value === '') invalidOption(name, 'must be an http(s) URL', value);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    invalidOption(name, 'must be an http(s) URL', value);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    invalidOption(name, 'must use http: or https:', value);
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    invalidOption(name, 'must not carry a query, fragment or user info', value);
  }
  const basePath = url.pathname.replace(/\/+$/, '');
  return { origin: url.origin, basePath, href: `${url.origin}${basePath}` };
}

import { invalidOption } from './errors';
import { httpEndpoint, nonEmptyString, optionalNonEmptyString } from './validate';

export type AutoJoinAddressType = 'private_v4' | 'public_v4' | 'public_v6';

export interface CloudAutoJoinOptions {
  tagKey: string;
  tagValue: string;
  /** Defaults (in Consul) to the instance's own region from metadata. */
  region?: string;
  /** Defaults (in Consul) to `private_v4`. */
  addrType?: AutoJoinAddressType;
  /** A custom EC2 endpoint URL, e.g. a VPC interface endpoint. */
  endpoint?: string;
}

const ADDR_TYPES = new Set<string>(['private_v4', 'public_v4', 'public_v6']);

/**
 * The Consul cloud auto-join string for `retry_join` that selects the same peers by tag
 * (consul-http-api.md §8.3): `provider=aws tag_key=… tag_value=… [region=…] [addr_type=…]`.
 * Consul itself filters on `tag:<key>=<value>` and `instance-state-name=running` and needs only
 * `ec2:DescribeInstances`. Credentials are never embedded: Consul uses the instance role.
 *
 * Note that Consul passes `tag_value` to EC2 as a filter value, so `*` and `?` in it act as
 * wildcards there, while `discoverPeers` matches the value exactly.
 */
export function cloudAutoJoinString(options: CloudAutoJoinOptions): string {
  const tagKey = nonEmptyString('tagKey', options.tagKey);
  const tagValue = nonEmptyString('tagValue', options.tagValue);
  const region = optionalNonEmptyString('region', options.region);
  if (options.addrType !== undefined && !ADDR_TYPES.has(options.addrType)) {
    // Consul would silently fall back to private_v4 (§8.3); a typo should fail here instead.
    invalidOption('addrType', 'must be private_v4, public_v4 or public_v6', options.addrType);
  }
  const endpoint =
    options.endpoint === undefined ? undefined : httpEndpoint('endpoint', options.endpoint).href;
  const pairs: [string, string | undefined][] = [
    ['provider', 'aws'],
    ['tag_key', tagKey],
    ['tag_value', tagValue],
    ['region', region],
    ['addr_type', options.addrType],
    ['endpoint', endpoint],
  ];
  return pairs
    .filter((pair): pair is [string, string] => pair[1] !== undefined)
    .map(([key, value]) => `${key}=${quoteAutoJoinValue(value)}`)
    .join(' ');
}

/**
 * Quotes a value the way go-discover's parser reads it back (§8.3: "values containing spaces,
 * backslashes or quotes must be double-quoted"). Its lexer also ends an unquoted value at `=`,
 * trims surrounding whitespace and rejects raw line breaks inside quotes (Go `strconv.Unquote`),
 * so those are quoted and escaped too.
 */
export function quoteAutoJoinValue(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we look for
  if (value !== '' && !/[\s"\\=\x00-\x1f\x7f]/.test(value)) return value;
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

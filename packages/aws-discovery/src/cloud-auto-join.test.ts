import { describe, expect, it } from 'vitest';
import { cloudAutoJoinString, quoteAutoJoinValue, type CloudAutoJoinOptions } from './cloud-auto-join';
import { parseGoDiscoverConfig } from '../test/support/go-discover-parse';

describe('cloudAutoJoinString (consul-http-api.md §8.3)', () => {
  it('produces the plain provider=aws tag_key/tag_value string', () => {
    expect(cloudAutoJoinString({ tagKey: 'nat-ha:group', tagValue: 'egress' })).toBe(
      'provider=aws tag_key=nat-ha:group tag_value=egress',
    );
  });

  it('adds region, addr_type and endpoint when given', () => {
    expect(
      cloudAutoJoinString({
        tagKey: 'Role',
        tagValue: 'nat',
        region: 'eu-west-3',
        addrType: 'private_v4',
        endpoint: 'https://vpce-1.ec2.eu-west-3.vpce.amazonaws.com',
      }),
    ).toBe(
      'provider=aws tag_key=Role tag_value=nat region=eu-west-3 addr_type=private_v4 endpoint=https://vpce-1.ec2.eu-west-3.vpce.amazonaws.com',
    );
  });

  it('double-quotes values with spaces, backslashes or quotes, escaping inside', () => {
    expect(cloudAutoJoinString({ tagKey: 'Cluster Name', tagValue: 'say "hi" \\o/' })).toBe(
      'provider=aws tag_key="Cluster Name" tag_value="say \\"hi\\" \\\\o/"',
    );
  });

  it.each([
    'nat egress',
    'back\\slash',
    '"quoted"',
    'a=b',
    ' leading and trailing ',
    'tab\there',
    'line\nbreak',
    'bell\x07',
    'ünïcødé 🚀',
    '==',
  ])('round-trips %j through go-discover’s parser', (value) => {
    const options: CloudAutoJoinOptions = { tagKey: value, tagValue: value, region: 'us-east-1' };
    expect(parseGoDiscoverConfig(cloudAutoJoinString(options))).toEqual({
      provider: 'aws',
      tag_key: value,
      tag_value: value,
      region: 'us-east-1',
    });
  });

  it('leaves plain values unquoted, like go-discover’s own String()', () => {
    expect(quoteAutoJoinValue('nat-ha:group/1.2_x')).toBe('nat-ha:group/1.2_x');
  });

  it.each<[string, Partial<CloudAutoJoinOptions>]>([
    ['tagKey', { tagKey: '' }],
    ['tagValue', { tagValue: '  ' }],
    ['region', { region: '' }],
    ['addrType', { addrType: 'private_v6' as never }],
    ['endpoint', { endpoint: 'ec2.amazonaws.com' }],
  ])('rejects a bad %s with INVALID_OPTION (Consul would silently ignore it)', (name, bad) => {
    expect(() => cloudAutoJoinString({ tagKey: 'k', tagValue: 'v', ...bad })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringContaining(`\`${name}\``) }),
    );
  });
});

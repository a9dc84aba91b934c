import { describe, expect, it } from 'vitest';
import { destinationInput, parseDestination } from './destination';

describe('parseDestination', () => {
  it.each([
    ['0.0.0.0/0', { cidr: '0.0.0.0/0', family: 4 }],
    ['10.1.0.0/16', { cidr: '10.1.0.0/16', family: 4 }],
    ['::/0', { cidr: '::/0', family: 6 }],
    ['64:FF9B::/96', { cidr: '64:ff9b::/96', family: 6 }],
  ])('%s → %o', (input, expected) => {
    expect(parseDestination(input)).toEqual(expected);
  });

  it.each(['0.0.0.0', '0.0.0.0/33', '1.2.3/8', '::/129', 'pl-123', '/0', '10.0.0.0/x'])(
    'rejects %s',
    (input) => {
      expect(parseDestination(input)).toBeUndefined();
    },
  );

  it('maps families to the SDK destination members (§2.3)', () => {
    expect(destinationInput(parseDestination('0.0.0.0/0')!)).toEqual({ DestinationCidrBlock: '0.0.0.0/0' });
    expect(destinationInput(parseDestination('::/0')!)).toEqual({ DestinationIpv6CidrBlock: '::/0' });
  });
});

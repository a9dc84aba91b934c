import { describe, expect, it } from 'vitest';
import { availabilityZoneIdFor, awsId, macFor, opaqueFor, privateDnsNameFor } from './ids';

describe('ids', () => {
  it('formats AWS-shaped ids: prefix and 17 hex digits', () => {
    expect(awsId('rtb', 1)).toBe('rtb-00000000000000001');
    expect(awsId('i', 0x100)).toMatch(/^i-[0-9a-f]{17}$/);
  });

  it('derives stable, distinct, locally administered MACs', () => {
    const a = macFor('eni-1');
    expect(a).toMatch(/^0e(:[0-9a-f]{2}){5}$/);
    expect(macFor('eni-1')).toBe(a);
    expect(macFor('eni-2')).not.toBe(a);
  });

  it('derives opaque strings of the requested length', () => {
    expect(opaqueFor('x', 40)).toHaveLength(40);
    expect(opaqueFor('x', 200)).toHaveLength(200);
    expect(opaqueFor('x', 40)).toMatch(/^[A-Za-z0-9]+$/);
    expect(opaqueFor('y', 40)).not.toBe(opaqueFor('x', 40));
  });

  it('names zone ids and private DNS names like EC2', () => {
    expect(availabilityZoneIdFor('us-east-1a')).toBe('use1-az1');
    expect(availabilityZoneIdFor('eu-west-3c')).toBe('euw3-az3');
    expect(availabilityZoneIdFor('ap-southeast-2b')).toBe('apse2-az2');
    expect(privateDnsNameFor('10.0.1.10', 'us-east-1')).toBe('ip-10-0-1-10.ec2.internal');
    expect(privateDnsNameFor('10.0.1.10', 'eu-west-3')).toBe('ip-10-0-1-10.eu-west-3.compute.internal');
  });
});

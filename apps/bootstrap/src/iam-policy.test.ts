import { describe, expect, it } from 'vitest';
import { command, sampleFacts } from '../test/fixtures';
import { buildIamPolicy, partitionOf, type IamStatement } from './iam-policy';

const ARN = 'arn:aws:ec2:us-east-1:123456789012';
const VPC = { StringEquals: { 'ec2:Vpc': `${ARN}:vpc/vpc-0a1b2c3d4e5f60718` } };
const actions = (statements: IamStatement[]) => statements.flatMap((s) => s.Action).sort();

describe('buildIamPolicy', () => {
  it('default (per-AZ private tables): describes on *, route writes and source/dest check limited to this VPC', () => {
    const policy = buildIamPolicy(sampleFacts(), command().options);
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'NatHaDescribe',
          Effect: 'Allow',
          Action: [
            'ec2:DescribeInstances',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeRouteTables',
            'ec2:DescribeSubnets',
          ],
          Resource: '*',
        },
        {
          Sid: 'NatHaSwitchRoutes',
          Effect: 'Allow',
          Action: ['ec2:CreateRoute', 'ec2:ReplaceRoute'],
          Resource: `${ARN}:route-table/*`,
          Condition: VPC,
        },
        {
          Sid: 'NatHaSourceDestCheck',
          Effect: 'Allow',
          Action: ['ec2:ModifyNetworkInterfaceAttribute'],
          Resource: `${ARN}:network-interface/*`,
          Condition: VPC,
        },
      ],
    });
  });

  it('no EIP, no hook: no Associate/DisassociateAddress, no CompleteLifecycleAction, no Auto Scaling', () => {
    const all = actions(buildIamPolicy(sampleFacts(), command().options).Statement);
    expect(all.filter((a) => /Address|Lifecycle|autoscaling/.test(a))).toEqual([]);
  });

  it('route tables by ARN when ids are given', () => {
    const policy = buildIamPolicy(
      sampleFacts(),
      command([
        '--group-mode',
        'single',
        '--route-table',
        'rtb-0123456789abcdef0',
        '--route-table',
        'rtb-0123456789abcdef1',
      ]).options,
    );
    expect(policy.Statement.find((s) => s.Sid === 'NatHaSwitchRoutes')).toEqual({
      Sid: 'NatHaSwitchRoutes',
      Effect: 'Allow',
      Action: ['ec2:CreateRoute', 'ec2:ReplaceRoute'],
      Resource: [`${ARN}:route-table/rtb-0123456789abcdef0`, `${ARN}:route-table/rtb-0123456789abcdef1`],
    });
    expect(policy.Statement[0]?.Action).toEqual([
      'ec2:DescribeInstances',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeRouteTables',
    ]);
  });

  it('route tables by tag condition: the AZs this instance serves, or one value, or any value of the key', () => {
    const perAz = buildIamPolicy(
      sampleFacts(),
      command(['--route-table-tag', 'nat-ha:group', '--rescue-az', 'us-east-1c']).options,
    );
    expect(perAz.Statement.find((s) => s.Sid === 'NatHaSwitchRoutes')?.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/nat-ha:group': ['us-east-1a', 'us-east-1c'] },
    });
    const single = buildIamPolicy(
      sampleFacts(),
      command(['--group-mode', 'single', '--route-table-tag', 'nat-ha=private']).options,
    );
    expect(single.Statement.find((s) => s.Sid === 'NatHaSwitchRoutes')?.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/nat-ha': 'private' },
    });
  });

  it('an EIP adds AssociateAddress on that allocation (and DescribeAddresses); never DisassociateAddress', () => {
    const policy = buildIamPolicy(sampleFacts(), command(['--eip', 'eipalloc-0123456789abcdef0']).options);
    expect(policy.Statement.find((s) => s.Sid === 'NatHaElasticIp')).toEqual({
      Sid: 'NatHaElasticIp',
      Effect: 'Allow',
      Action: ['ec2:AssociateAddress'],
      Resource: `${ARN}:elastic-ip/eipalloc-0123456789abcdef0`,
    });
    expect(actions(policy.Statement)).not.toContain('ec2:DisassociateAddress');
    expect(policy.Statement[0]?.Action).toContain('ec2:DescribeAddresses');
    expect(policy.Statement.find((s) => s.Sid === 'NatHaElasticIpTarget')?.Action).toEqual([
      'ec2:AssociateAddress',
    ]);
  });

  it('a lifecycle hook adds CompleteLifecycleAction on that group only; ASG discovery adds the describes', () => {
    const policy = buildIamPolicy(
      sampleFacts(),
      command(['--lifecycle-hook', 'drain', '--lifecycle-asg', 'nat-a']).options,
    );
    expect(policy.Statement.find((s) => s.Sid === 'NatHaLifecycleHook')).toEqual({
      Sid: 'NatHaLifecycleHook',
      Effect: 'Allow',
      Action: ['autoscaling:CompleteLifecycleAction'],
      Resource: 'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/nat-a',
    });
    expect(policy.Statement.find((s) => s.Sid === 'NatHaDescribeAutoScaling')?.Resource).toBe('*');
  });

  it('uses the partition of the region', () => {
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(partitionOf('eu-west-1')).toBe('aws');
    const facts = sampleFacts();
    const policy = buildIamPolicy(
      { ...facts, self: { ...facts.self, region: 'cn-north-1' } },
      command().options,
    );
    expect(policy.Statement[1]?.Resource).toBe('arn:aws-cn:ec2:cn-north-1:123456789012:route-table/*');
  });
});

import type { BootstrapFacts } from './facts';
import type { RenderOptions } from './render-options';

/**
 * The least-privilege IAM policy for a nat-ha instance role, derived from the same options that
 * shape `agent.yaml`, so the two cannot disagree:
 *
 * - Describe* calls (discovery, route reads; Consul's cloud auto-join needs only
 *   `ec2:DescribeInstances`, consul-http-api.md §8.3) have no resource-level permissions: `*`.
 * - Route writes (`ReplaceRoute`, and `CreateRoute` for a missing default route; the start-up DryRun
 *   self-test needs the same) are limited to the managed tables: by ARN, or by tag condition, or —
 *   when nat-agent finds each AZ's private tables itself — to route tables of this VPC.
 * - `ModifyNetworkInterfaceAttribute` (source/dest check off) is limited to ENIs in this VPC.
 * - `AssociateAddress` only when an Elastic IP follows the leader, limited to that allocation (with
 *   reassociation it moves the address in one call; `DisassociateAddress` is never needed);
 *   `CompleteLifecycleAction` only when a lifecycle hook is used, limited to its Auto Scaling group.
 *
 * The action list follows what nat-ha's code calls (route-switcher, aws-discovery, nat-agent).
 *
 * The policy covers the groups *this* instance serves. For one role shared by every NAT instance,
 * render with every AZ as `--rescue-az` (or use a tag key without a value) so it covers them all.
 */
export interface IamPolicyDocument {
  Version: '2012-10-17';
  Statement: IamStatement[];
}

export interface IamStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export function buildIamPolicy(facts: BootstrapFacts, options: RenderOptions): IamPolicyDocument {
  const { region, accountId, vpcId } = facts.self;
  const partition = partitionOf(region);
  const ec2Arn = (resource: string): string => `arn:${partition}:ec2:${region}:${accountId}:${resource}`;
  const vpcCondition = { StringEquals: { 'ec2:Vpc': ec2Arn(`vpc/${vpcId}`) } };
  const { groups } = options;
  const usesEip = groups.eipAllocationId != null;
  const usesAutoScaling = options.discovery.autoScalingGroupName != null || options.lifecycle != null;

  // DescribeNetworkInterfaces: route-switcher reads the ENI's source/dest check before changing it.
  const describe = ['ec2:DescribeInstances', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeRouteTables'];
  if (groups.routeTables.kind === 'az-private') describe.push('ec2:DescribeSubnets');
  if (usesEip) describe.push('ec2:DescribeAddresses');

  const statements: IamStatement[] = [
    { Sid: 'NatHaDescribe', Effect: 'Allow', Action: describe, Resource: '*' },
  ];
  if (usesAutoScaling) {
    statements.push({
      Sid: 'NatHaDescribeAutoScaling',
      Effect: 'Allow',
      Action: ['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeAutoScalingInstances'],
      Resource: '*',
    });
  }

  const routeWrite = ['ec2:CreateRoute', 'ec2:ReplaceRoute'];
  const tables = groups.routeTables;
  if (tables.kind === 'ids') {
    statements.push({
      Sid: 'NatHaSwitchRoutes',
      Effect: 'Allow',
      Action: routeWrite,
      Resource: tables.ids.map((id) => ec2Arn(`route-table/${id}`)),
    });
  } else if (tables.kind === 'tag') {
    const values = tagValues(facts, options, tables);
    statements.push({
      Sid: 'NatHaSwitchRoutes',
      Effect: 'Allow',
      Action: routeWrite,
      Resource: ec2Arn('route-table/*'),
      Condition:
        values == null
          ? { Null: { [`aws:ResourceTag/${tables.key}`]: 'false' } }
          : {
              StringEquals: {
                [`aws:ResourceTag/${tables.key}`]: values.length === 1 ? (values[0] as string) : values,
              },
            },
    });
  } else {
    statements.push({
      Sid: 'NatHaSwitchRoutes',
      Effect: 'Allow',
      Action: routeWrite,
      Resource: ec2Arn('route-table/*'),
      Condition: vpcCondition,
    });
  }

  statements.push({
    Sid: 'NatHaSourceDestCheck',
    Effect: 'Allow',
    Action: ['ec2:ModifyNetworkInterfaceAttribute'],
    Resource: ec2Arn('network-interface/*'),
    Condition: vpcCondition,
  });

  if (usesEip) {
    statements.push(
      {
        // AssociateAddress with AllowReassociation moves the address from the old leader in one call
        // (ec2-query-and-imds.md §2.7); nothing in nat-ha calls DisassociateAddress, so it is not granted.
        Sid: 'NatHaElasticIp',
        Effect: 'Allow',
        Action: ['ec2:AssociateAddress'],
        Resource: ec2Arn(`elastic-ip/${groups.eipAllocationId as string}`),
      },
      {
        // AssociateAddress is also authorised against the ENI and instance it targets.
        Sid: 'NatHaElasticIpTarget',
        Effect: 'Allow',
        Action: ['ec2:AssociateAddress'],
        Resource: [ec2Arn('network-interface/*'), ec2Arn('instance/*')],
      },
    );
  }

  if (options.lifecycle != null) {
    statements.push({
      Sid: 'NatHaLifecycleHook',
      Effect: 'Allow',
      Action: ['autoscaling:CompleteLifecycleAction'],
      Resource: `arn:${partition}:autoscaling:${region}:${accountId}:autoScalingGroup:*:autoScalingGroupName/${options.lifecycle.autoScalingGroupName}`,
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** Per-AZ groups match `key=<az>` for each AZ served; a single group its one value (or any). */
function tagValues(
  facts: BootstrapFacts,
  options: RenderOptions,
  tables: { key: string; value?: string },
): string[] | undefined {
  if (options.groups.mode === 'single') return tables.value == null ? undefined : [tables.value];
  return [...new Set([facts.self.availabilityZone, ...options.groups.rescueAzs])].sort();
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function renderIamPolicy(policy: IamPolicyDocument): string {
  return `${JSON.stringify(policy, null, 2)}\n`;
}

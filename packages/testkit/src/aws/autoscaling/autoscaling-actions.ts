/**
 * The Auto Scaling actions a NAT agent uses (spec §2.9; rule 37): plain awsQuery, `X.member.N`
 * lists, results inside `<XResult>`. Errors are ValidationError (400) unless noted.
 */
import { ApiError } from '../query/api-error';
import { paginate } from '../query/pagination';
import type { QueryParams } from '../query/params';
import { escapeXml, leaf, memberList, node } from '../query/xml';
import type { AsgRec, PendingLifecycleAction } from '../state/records';
import type { WorldState } from '../state/world-state';
import type { Caller } from '../ec2/action';
import { compileFilters } from '../ec2/filters';

export interface AsActionContext {
  readonly params: QueryParams;
  readonly state: WorldState;
  readonly caller: Caller;
  /** Instance state transition time for terminations a lifecycle action completes. */
  readonly transitionMs: number;
}

export interface AsAction {
  readonly name: string;
  readonly mutating: boolean;
  readonly params: readonly string[];
  /** Returns the children of `<{Action}Result>` (empty string for an empty result). */
  run(ctx: AsActionContext): string;
}

function validation(message: string): ApiError {
  return new ApiError('ValidationError', message);
}

function invalidNextToken(token: string): ApiError {
  return new ApiError('InvalidNextToken', `The token '${token}' was invalid`);
}

function instanceMember(state: WorldState, m: AsgRec['instances'][number]): string {
  const inst = state.data.instances.get(m.instanceId);
  return [
    leaf('InstanceId', m.instanceId),
    leaf('InstanceType', inst?.instanceType),
    leaf('AvailabilityZone', inst?.availabilityZone),
    leaf('LifecycleState', m.lifecycleState),
    leaf('HealthStatus', m.healthStatus),
    node(
      'LaunchTemplate',
      leaf('LaunchTemplateId', 'lt-00000000000000001'),
      leaf('LaunchTemplateName', 'nat-ha'),
      leaf('Version', '1'),
    ),
    leaf('ProtectedFromScaleIn', m.protectedFromScaleIn),
  ].join('');
}

function renderGroup(state: WorldState, g: AsgRec, includeInstances: boolean): string {
  const azs = [
    ...new Set(
      g.subnetIds
        .map((s) => state.data.subnets.get(s)?.availabilityZone)
        .filter((a): a is string => a != null),
    ),
  ];
  return [
    leaf('AutoScalingGroupName', g.autoScalingGroupName),
    leaf('AutoScalingGroupARN', g.arn),
    node(
      'LaunchTemplate',
      leaf('LaunchTemplateId', 'lt-00000000000000001'),
      leaf('LaunchTemplateName', 'nat-ha'),
      leaf('Version', '1'),
    ),
    leaf('MinSize', g.minSize),
    leaf('MaxSize', g.maxSize),
    leaf('DesiredCapacity', g.desiredCapacity),
    leaf('DefaultCooldown', 300),
    memberList('AvailabilityZones', azs, (az) => escapeXml(az)),
    node('LoadBalancerNames'),
    node('TargetGroupARNs'),
    leaf('HealthCheckType', 'EC2'),
    leaf('HealthCheckGracePeriod', 0),
    includeInstances ? memberList('Instances', g.instances, (m) => instanceMember(state, m)) : '',
    leaf('CreatedTime', g.createdTime),
    node('SuspendedProcesses'),
    leaf('VPCZoneIdentifier', g.subnetIds.join(',')),
    node('EnabledMetrics'),
    memberList('Tags', Object.entries(g.tags), ([k, v]) =>
      [
        leaf('ResourceId', g.autoScalingGroupName),
        leaf('ResourceType', 'auto-scaling-group'),
        leaf('Key', k),
        leaf('Value', v),
        leaf('PropagateAtLaunch', true),
      ].join(''),
    ),
    memberList('TerminationPolicies', ['Default'], (p) => p),
    leaf('NewInstancesProtectedFromScaleIn', false),
    leaf(
      'ServiceLinkedRoleARN',
      `arn:aws:iam::${state.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    ),
    leaf('CapacityRebalance', false),
  ].join('');
}

export const describeAutoScalingGroups: AsAction = {
  name: 'DescribeAutoScalingGroups',
  mutating: false,
  params: [
    'AutoScalingGroupNames',
    'IncludeInstances',
    'IncludeManagedResources',
    'NextToken',
    'MaxRecords',
    'Filters',
  ],
  run(ctx) {
    const { params, state } = ctx;
    const names = params.memberList('AutoScalingGroupNames');
    const includeInstances = params.boolean('IncludeInstances') ?? true;
    const filters = params.memberFilters();
    for (const f of filters) {
      if (!(f.name === 'tag-key' || f.name === 'tag-value' || f.name.startsWith('tag:'))) {
        throw validation(`Filter name '${f.name}' is invalid. Valid names: tag-key, tag-value, tag:<key>`);
      }
    }
    // Auto Scaling tag filters match exactly (no EC2 wildcards).
    const exact = filters.map((f) => ({
      name: f.name,
      values: f.values.map((v) => v.replace(/[*?\\]/g, '\\$&')),
    }));
    const match = compileFilters<AsgRec>(exact, {}, (g) => g.tags);
    let groups = [...state.groups.values()];
    if (names.length > 0) groups = groups.filter((g) => names.includes(g.autoScalingGroupName));
    const page = paginate(groups.filter(match), params, {
      min: 1,
      max: 100,
      maxParam: 'MaxRecords',
      invalidToken: invalidNextToken,
    });
    return (
      memberList('AutoScalingGroups', page.items, (g) => renderGroup(state, g, includeInstances)) +
      leaf('NextToken', page.nextToken)
    );
  },
};

export const describeAutoScalingInstances: AsAction = {
  name: 'DescribeAutoScalingInstances',
  mutating: false,
  params: ['InstanceIds', 'IncludeManagedResources', 'MaxRecords', 'NextToken'],
  run(ctx) {
    const { params, state } = ctx;
    const ids = params.memberList('InstanceIds');
    const rows: { group: AsgRec; member: AsgRec['instances'][number] }[] = [];
    for (const group of state.groups.values()) {
      for (const member of group.instances) {
        if (ids.length === 0 || ids.includes(member.instanceId)) rows.push({ group, member });
      }
    }
    const page = paginate(rows, params, {
      min: 1,
      max: 50,
      maxParam: 'MaxRecords',
      invalidToken: invalidNextToken,
    });
    return (
      memberList('AutoScalingInstances', page.items, ({ group, member }) => {
        const inst = state.data.instances.get(member.instanceId);
        return [
          leaf('InstanceId', member.instanceId),
          leaf('InstanceType', inst?.instanceType),
          leaf('AutoScalingGroupName', group.autoScalingGroupName),
          leaf('AvailabilityZone', inst?.availabilityZone),
          leaf('LifecycleState', member.lifecycleState),
          leaf('HealthStatus', member.healthStatus.toUpperCase()),
          node(
            'LaunchTemplate',
            leaf('LaunchTemplateId', 'lt-00000000000000001'),
            leaf('LaunchTemplateName', 'nat-ha'),
            leaf('Version', '1'),
          ),
          leaf('ProtectedFromScaleIn', member.protectedFromScaleIn),
        ].join('');
      }) + leaf('NextToken', page.nextToken)
    );
  },
};

/** Finds the pending lifecycle action a Complete/Heartbeat call names (token or instance id). */
function findLifecycleAction(ctx: AsActionContext): PendingLifecycleAction {
  const { params, state } = ctx;
  const hookName = params.get('LifecycleHookName');
  const groupName = params.get('AutoScalingGroupName');
  if (hookName == null || hookName === '')
    throw validation(
      "1 validation error detected: Value null at 'lifecycleHookName' failed to satisfy constraint: Member must not be null",
    );
  if (groupName == null || groupName === '')
    throw validation(
      "1 validation error detected: Value null at 'autoScalingGroupName' failed to satisfy constraint: Member must not be null",
    );
  const token = params.get('LifecycleActionToken');
  const instanceId = params.get('InstanceId');
  if (token == null && instanceId == null)
    throw validation('Either LifecycleActionToken or InstanceId must be specified');
  const group = state.groups.get(groupName);
  if (group == null)
    throw validation(`AutoScalingGroup name not found - AutoScalingGroup ${groupName} not found`);
  if (!group.lifecycleHooks.some((h) => h.lifecycleHookName === hookName)) {
    throw validation(`No Lifecycle Hook found with name ${hookName} for group ${groupName}`);
  }
  const found = [...state.lifecycleActions.values()].find(
    (a) =>
      a.autoScalingGroupName === groupName &&
      a.lifecycleHookName === hookName &&
      (token != null ? a.token === token : a.instanceId === instanceId),
  );
  if (found == null) {
    throw validation(
      token != null
        ? `No active Lifecycle Action found with token ${token}`
        : `No active Lifecycle Action found with instance ID ${instanceId as string}`,
    );
  }
  return found;
}

export const completeLifecycleAction: AsAction = {
  name: 'CompleteLifecycleAction',
  mutating: true,
  params: [
    'LifecycleHookName',
    'AutoScalingGroupName',
    'LifecycleActionResult',
    'LifecycleActionToken',
    'InstanceId',
  ],
  run(ctx) {
    const result = ctx.params.get('LifecycleActionResult');
    if (result !== 'CONTINUE' && result !== 'ABANDON') {
      throw validation(
        `Invalid value for LifecycleActionResult: ${result ?? 'null'} (expected CONTINUE or ABANDON)`,
      );
    }
    const action = findLifecycleAction(ctx);
    ctx.state.completeLifecycleAction(action.token, result, ctx.transitionMs);
    return '';
  },
};

export const recordLifecycleActionHeartbeat: AsAction = {
  name: 'RecordLifecycleActionHeartbeat',
  mutating: true,
  params: ['LifecycleHookName', 'AutoScalingGroupName', 'LifecycleActionToken', 'InstanceId'],
  run(ctx) {
    const action = findLifecycleAction(ctx);
    ctx.state.recordHeartbeat(action.token, ctx.transitionMs);
    return '';
  },
};

export const AUTOSCALING_ACTIONS: ReadonlyMap<string, AsAction> = new Map(
  [
    describeAutoScalingGroups,
    describeAutoScalingInstances,
    completeLifecycleAction,
    recordLifecycleActionHeartbeat,
  ].map((a) => [a.name, a]),
);

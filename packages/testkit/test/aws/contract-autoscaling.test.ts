// Auto Scaling on the EC2 emulator's port: rule 37 of ec2-query-and-imds.md §7 (awsQuery wire
// format), plus the lifecycle-hook flow a draining NAT agent uses, through the real
// @aws-sdk/client-auto-scaling.
import {
  AutoScalingServiceException,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  RecordLifecycleActionHeartbeatCommand,
  paginateDescribeAutoScalingGroups,
} from '@aws-sdk/client-auto-scaling';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVirtualClock, type VirtualClock } from '../../src/clock';
import { WORLD_TAGS, defaultWorld } from '../../src/world/default-world';
import { itEmulator, openTarget, sdkError, type ContractTarget } from './contract-target';
import { worldIds } from './fixtures';

const world = defaultWorld();
const ids = worldIds(world);
const [natA, natB] = ids.instanceIds as [string, string];
const [groupA] = ids.groupNames as [string];

describe('Auto Scaling (rule 37)', () => {
  let t: ContractTarget;
  let clock: VirtualClock;
  beforeEach(async () => {
    clock = createVirtualClock();
    t = await openTarget({ world, clock });
  });
  afterEach(async () => {
    await t.close();
  });

  it('rule 37: awsQuery — Version=2011-01-01, X.member.N lists, <XResponse><XResult>…</XResult><ResponseMetadata><RequestId/>', async () => {
    const res = await t.raw(
      {
        Action: 'DescribeAutoScalingGroups',
        Version: '2011-01-01',
        'AutoScalingGroupNames.member.1': groupA,
        MaxRecords: '10',
      },
      { service: 'autoscaling' },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\s*<DescribeAutoScalingGroupsResponse xmlns="http:\/\/autoscaling\.amazonaws\.com\/doc\/2011-01-01\/">\s*<DescribeAutoScalingGroupsResult>\s*<AutoScalingGroups>/,
    );
    expect(res.body).toMatch(
      /<ResponseMetadata>\s*<RequestId>[^<]+<\/RequestId>\s*<\/ResponseMetadata>\s*<\/DescribeAutoScalingGroupsResponse>$/,
    );
    if (t.kind === 'emulator')
      expect(res.body).toContain(`<member><AutoScalingGroupName>${groupA}</AutoScalingGroupName>`);
  });

  it('rule 37: errors are <ErrorResponse><Error><Type>Sender</Type><Code/><Message/></Error><RequestId/></ErrorResponse>', async () => {
    const res = await t.raw(
      {
        Action: 'CompleteLifecycleAction',
        Version: '2011-01-01',
        LifecycleHookName: 'none',
        AutoScalingGroupName: 'no-such-group',
        LifecycleActionResult: 'CONTINUE',
        InstanceId: 'i-0000000000000dead',
      },
      { service: 'autoscaling' },
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatch(
      /<ErrorResponse xmlns="http:\/\/autoscaling\.amazonaws\.com\/doc\/2011-01-01\/">\s*<Error>\s*<Type>Sender<\/Type>\s*<Code>ValidationError<\/Code>\s*<Message>[^<]+<\/Message>\s*<\/Error>\s*<RequestId>[^<]+<\/RequestId>\s*<\/ErrorResponse>/,
    );
  });

  itEmulator('rule 37: throttling answers code Throttling (400), which the SDK retries', async () => {
    t.aws?.control.injectFault({ action: 'DescribeAutoScalingGroups', code: 'Throttling' });
    const err = await sdkError(t.autoscaling().send(new DescribeAutoScalingGroupsCommand({})));
    expect(err).toBeInstanceOf(AutoScalingServiceException);
    expect([err.name, err.message, err.$metadata.httpStatusCode]).toEqual([
      'Throttling',
      'Rate exceeded',
      400,
    ]);
  });

  itEmulator(
    'rule 37: DescribeAutoScalingGroups by name and by tag filter, with instances and tags; pages with MaxRecords',
    async () => {
      const as = t.autoscaling();
      const byName = await as.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupA] }));
      const g = byName.AutoScalingGroups?.[0];
      expect(g?.AutoScalingGroupName).toBe(groupA);
      expect(
        g?.Instances?.map((i) => [i.InstanceId, i.AvailabilityZone, i.LifecycleState, i.HealthStatus]),
      ).toEqual([[natA, 'us-east-1a', 'InService', 'Healthy']]);
      expect(g?.Tags?.find((x) => x.Key === WORLD_TAGS.cluster)).toMatchObject({
        Value: 'lab',
        ResourceType: 'auto-scaling-group',
      });
      const byTag = await as.send(
        new DescribeAutoScalingGroupsCommand({
          Filters: [{ Name: `tag:${WORLD_TAGS.cluster}`, Values: ['lab'] }],
        }),
      );
      expect(byTag.AutoScalingGroups?.map((x) => x.AutoScalingGroupName)).toEqual(ids.groupNames);
      const none = await as.send(
        new DescribeAutoScalingGroupsCommand({
          Filters: [{ Name: `tag:${WORLD_TAGS.cluster}`, Values: ['la*'] }],
        }),
      );
      expect(none.AutoScalingGroups).toEqual([]); // Auto Scaling filters have no wildcards
      const names: string[] = [];
      for await (const page of paginateDescribeAutoScalingGroups({ client: as, pageSize: 2 }, {})) {
        expect(page.AutoScalingGroups?.length).toBeLessThanOrEqual(2);
        names.push(...(page.AutoScalingGroups ?? []).map((x) => x.AutoScalingGroupName as string));
      }
      expect(names).toEqual(ids.groupNames);
      const badFilter = await sdkError(
        as.send(new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: 'colour', Values: ['x'] }] })),
      );
      expect(badFilter.name).toBe('ValidationError');
    },
  );

  itEmulator('rule 37: DescribeAutoScalingInstances reports group, AZ and lifecycle state', async () => {
    const out = await t
      .autoscaling()
      .send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [natB, 'i-0000000000000dead'] }));
    expect(
      out.AutoScalingInstances?.map((i) => [
        i.InstanceId,
        i.AutoScalingGroupName,
        i.AvailabilityZone,
        i.LifecycleState,
        i.HealthStatus,
      ]),
    ).toEqual([[natB, ids.groupNames[1], 'us-east-1b', 'InService', 'HEALTHY']]);
  });

  itEmulator(
    'a terminating hook holds the instance in Terminating:Wait until CompleteLifecycleAction, then it terminates',
    async () => {
      const control = t.aws?.control;
      const as = t.autoscaling();
      const { lifecycleActionToken } = control?.terminateInAutoScalingGroup(natA) ?? {
        lifecycleActionToken: null,
      };
      expect(lifecycleActionToken).toMatch(/^[0-9a-f-]{36}$/);
      const waiting = await as.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [natA] }));
      expect(waiting.AutoScalingInstances?.[0]?.LifecycleState).toBe('Terminating:Wait');
      expect(control?.instance(natA).state).toBe('running');

      const wrongHook = await sdkError(
        as.send(
          new CompleteLifecycleActionCommand({
            AutoScalingGroupName: groupA,
            LifecycleHookName: 'other',
            LifecycleActionResult: 'CONTINUE',
            InstanceId: natA,
          }),
        ),
      );
      expect(wrongHook.name).toBe('ValidationError');
      const notPending = await sdkError(
        as.send(
          new CompleteLifecycleActionCommand({
            AutoScalingGroupName: ids.groupNames[1],
            LifecycleHookName: 'nat-ha-drain',
            LifecycleActionResult: 'CONTINUE',
            InstanceId: natB,
          }),
        ),
      );
      expect([notPending.name, notPending.message]).toEqual([
        'ValidationError',
        `No active Lifecycle Action found with instance ID ${natB}`,
      ]);

      await as.send(
        new RecordLifecycleActionHeartbeatCommand({
          AutoScalingGroupName: groupA,
          LifecycleHookName: 'nat-ha-drain',
          InstanceId: natA,
        }),
      );
      await as.send(
        new CompleteLifecycleActionCommand({
          AutoScalingGroupName: groupA,
          LifecycleHookName: 'nat-ha-drain',
          LifecycleActionResult: 'CONTINUE',
          LifecycleActionToken: lifecycleActionToken as string,
        }),
      );
      expect(control?.instance(natA).state).toBe('terminated');
      const after = await as.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupA] }));
      expect(after.AutoScalingGroups?.[0]?.Instances).toEqual([]);
      expect(t.aws?.journal().map((e) => [e.service, e.action, e.outcome])).toEqual([
        ['autoscaling', 'CompleteLifecycleAction', 'ValidationError'],
        ['autoscaling', 'CompleteLifecycleAction', 'ValidationError'],
        ['autoscaling', 'RecordLifecycleActionHeartbeat', 'ok'],
        ['autoscaling', 'CompleteLifecycleAction', 'ok'],
      ]);
    },
  );

  itEmulator('the hook times out into its default result; a heartbeat pushes the deadline', async () => {
    const control = t.aws?.control;
    control?.terminateInAutoScalingGroup(natA); // nat-ha-drain: heartbeat 300 s, default CONTINUE
    await clock.advance(200_000);
    await t.autoscaling().send(
      new RecordLifecycleActionHeartbeatCommand({
        AutoScalingGroupName: groupA,
        LifecycleHookName: 'nat-ha-drain',
        InstanceId: natA,
      }),
    );
    await clock.advance(299_000);
    expect(control?.instance(natA).state).toBe('running');
    await clock.advance(1_000);
    expect(control?.instance(natA).state).toBe('terminated');
  });
});

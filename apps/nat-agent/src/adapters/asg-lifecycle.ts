import {
  CompleteLifecycleActionCommand,
  DescribeAutoScalingInstancesCommand,
  type AutoScalingClient,
} from '@aws-sdk/client-auto-scaling';
import { describeError, NatAgentError } from '../errors';
import type { Clock, LifecycleHook, Metrics } from '../ports';

/**
 * CompleteLifecycleAction(CONTINUE) for this instance's Terminating hook. The Auto Scaling group is
 * looked up when needed (DescribeAutoScalingInstances): instances move between groups rarely, but
 * a name in the config would be one more thing to get wrong.
 */
export function createAsgLifecycleHook(options: {
  autoscaling: Pick<AutoScalingClient, 'send'>;
  instanceId: string;
  hookName: string;
  clock: Clock;
  metrics: Metrics;
}): LifecycleHook {
  const timed = async <T>(action: string, fn: () => Promise<T>): Promise<T> => {
    const started = options.clock.now();
    try {
      const out = await fn();
      options.metrics.ec2Call(action, 'ok', options.clock.now() - started);
      return out;
    } catch (error) {
      options.metrics.ec2Call(action, describeError(error).code, options.clock.now() - started);
      throw error;
    }
  };
  return {
    async complete(signal) {
      const described = await timed('DescribeAutoScalingInstances', () =>
        options.autoscaling.send(
          new DescribeAutoScalingInstancesCommand({ InstanceIds: [options.instanceId] }),
          {
            abortSignal: signal,
          },
        ),
      );
      const group = described.AutoScalingInstances?.[0]?.AutoScalingGroupName;
      if (group === undefined) {
        throw new NatAgentError(
          'UNAVAILABLE',
          `instance ${options.instanceId} is not in an Auto Scaling group`,
        );
      }
      await timed('CompleteLifecycleAction', () =>
        options.autoscaling.send(
          new CompleteLifecycleActionCommand({
            AutoScalingGroupName: group,
            LifecycleHookName: options.hookName,
            InstanceId: options.instanceId,
            LifecycleActionResult: 'CONTINUE',
          }),
          { abortSignal: signal },
        ),
      );
    },
  };
}

import { startAws, type AwsEmulator, type AwsEmulatorOptions } from '@nat-ha/testkit';
import { createAutoScalingClient, createEc2Client } from '../../src/aws-clients';

/**
 * Starts the testkit EC2 / Auto Scaling / IMDS emulator and closes it after the test. SDK clients
 * get the emulator's endpoint, region and an instance role's static credentials (test hygiene 2),
 * so calls are signed as that NAT instance.
 */
export async function startWorld(options: AwsEmulatorOptions = {}) {
  const aws = await startAws(options);
  const clientsFor = (
    instanceId: string,
    extra: { maxAttempts?: number; requestTimeoutMs?: number } = {},
  ) => {
    const common = {
      region: aws.region,
      endpoint: aws.endpoint,
      credentials: aws.credentials(instanceId),
      ...extra,
    };
    return { ec2: createEc2Client(common), autoScaling: createAutoScalingClient(common) };
  };
  return { aws, clientsFor };
}

export type StartedWorld = Awaited<ReturnType<typeof startWorld>>;

export function firstInstance(aws: AwsEmulator): string {
  const id = aws.instanceIds[0];
  if (id == null) throw new Error('the world has no instance');
  return id;
}

import { defaultWorld, startAws, WORLD_TAGS } from '@nat-ha/testkit';
import { createAwsFactsSource, type FactsSource } from '../src/aws-facts';
import type { DiscoveryOptions } from '../src/render-options';

export type AwsEmulator = Awaited<ReturnType<typeof startAws>>;

/** The testkit's default world: us-east-1, three NAT instances (one per AZ) tagged nat-ha:cluster=lab. */
export async function startWorld(): Promise<AwsEmulator> {
  return startAws({ world: defaultWorld() });
}

export const CLUSTER_TAG = `${WORLD_TAGS.cluster}=lab`;
export const AZ_TAG = WORLD_TAGS.az;

/**
 * A facts source for one simulated instance: its own IMDS endpoint, the emulator's EC2 and Auto
 * Scaling endpoint, and that instance's role credentials — always explicit, never the real
 * metadata service or an AWS endpoint (CONTRIBUTING.md, test hygiene).
 */
export function factsFor(aws: AwsEmulator, instanceId: string, discovery: DiscoveryOptions): FactsSource {
  return createAwsFactsSource({
    discovery,
    imdsEndpoint: aws.imdsUrl(instanceId),
    ec2Endpoint: aws.endpoint,
    autoScalingEndpoint: aws.endpoint,
    credentials: aws.credentials(instanceId),
  });
}

import {
  cloudAutoJoinString,
  createAutoScalingClient,
  createEc2Client,
  createImdsClient,
  discoverPeers,
  getInstanceIdentity,
  type AwsClientOptions,
} from '@nat-ha/aws-discovery';
import type { Dispatcher } from 'undici';
import { BootstrapError } from './errors';
import type { InstanceFacts, PeerFacts } from './facts';
import type { DiscoveryOptions } from './render-options';

/**
 * Where facts come from: this instance's identity (IMDSv2), one round of peer discovery (EC2 tag or
 * Auto Scaling membership, in our VPC, running) and the matching cloud auto-join string — all
 * through @nat-ha/aws-discovery. The render pipeline only sees the plain `facts.ts` shapes.
 */
export interface FactsSource {
  identity(signal?: AbortSignal): Promise<InstanceFacts>;
  peers(self: InstanceFacts, signal?: AbortSignal): Promise<PeerFacts[]>;
  cloudAutoJoin(self: InstanceFacts): string;
}

export interface AwsFactsSourceOptions {
  discovery: DiscoveryOptions;
  /** IMDS base URL (AWS_EC2_METADATA_SERVICE_ENDPOINT); default the real 169.254.169.254. */
  imdsEndpoint?: string;
  ec2Endpoint?: string;
  autoScalingEndpoint?: string;
  /** Default: the SDK's chain, which on an instance is the instance role via IMDS. */
  credentials?: AwsClientOptions['credentials'];
  /** undici dispatcher for IMDS requests (tests). */
  dispatcher?: Dispatcher;
}

// Auto Scaling tags every member with its group name; Consul's cloud auto-join can filter on it.
const ASG_NAME_TAG = 'aws:autoscaling:groupName';

export function createAwsFactsSource(options: AwsFactsSourceOptions): FactsSource {
  const imds = createImdsClient({
    ...(options.imdsEndpoint != null ? { endpoint: options.imdsEndpoint } : {}),
    ...(options.dispatcher != null ? { dispatcher: options.dispatcher } : {}),
  });
  const clientOptions = (region: string, endpoint: string | undefined): AwsClientOptions => ({
    region,
    ...(endpoint != null ? { endpoint } : {}),
    ...(options.credentials != null ? { credentials: options.credentials } : {}),
  });
  let clients:
    | {
        region: string;
        ec2: ReturnType<typeof createEc2Client>;
        asg?: ReturnType<typeof createAutoScalingClient>;
      }
    | undefined;
  const clientsFor = (region: string) => {
    if (clients?.region !== region) {
      clients = {
        region,
        ec2: createEc2Client(clientOptions(region, options.ec2Endpoint)),
        ...(options.discovery.autoScalingGroupName != null
          ? { asg: createAutoScalingClient(clientOptions(region, options.autoScalingEndpoint)) }
          : {}),
      };
    }
    return clients;
  };

  return {
    async identity(signal) {
      try {
        const identity = await getInstanceIdentity(imds, signal == null ? {} : { signal });
        return {
          instanceId: identity.instanceId,
          region: identity.region,
          availabilityZone: identity.availabilityZone,
          accountId: identity.accountId,
          vpcId: identity.vpcId,
          subnetId: identity.subnetId,
          privateIp: identity.privateIp,
          networkInterfaceId: identity.networkInterfaceId,
        };
      } catch (error) {
        throw BootstrapError.from(
          error,
          'DISCOVERY_FAILED',
          "reading this instance's identity from IMDS failed",
        );
      }
    },

    async peers(self, signal) {
      const { ec2, asg } = clientsFor(self.region);
      const { tag, autoScalingGroupName } = options.discovery;
      try {
        const peers = await discoverPeers({
          ec2,
          vpcId: self.vpcId,
          ...(tag != null ? { tag: { key: tag.key, value: tag.value } } : {}),
          ...(autoScalingGroupName != null && asg != null
            ? { autoScaling: { client: asg, groupNames: [autoScalingGroupName] } }
            : {}),
          ...(signal != null ? { signal } : {}),
        });
        return peers.map((peer) => ({
          instanceId: peer.instanceId,
          privateIp: peer.privateIp,
          availabilityZone: peer.availabilityZone,
        }));
      } catch (error) {
        throw BootstrapError.from(error, 'DISCOVERY_FAILED', 'peer discovery failed');
      }
    },

    cloudAutoJoin(self) {
      const { tag, autoScalingGroupName } = options.discovery;
      return cloudAutoJoinString({
        tagKey: tag?.key ?? ASG_NAME_TAG,
        tagValue: tag?.value ?? (autoScalingGroupName as string),
        // Explicit, so Consul needs no metadata call to learn it. No `endpoint=`: with private DNS
        // a VPC interface endpoint is what the regional name resolves to anyway.
        region: self.region,
      });
    },
  };
}

// Public entry of @nat-ha/aws-discovery: an explicit named barrel (house style 6).

export { DiscoveryError } from './errors';
export type { DiscoveryErrorCode, DiscoveryErrorOptions } from './errors';

export { systemClock } from './clock';
export type { Clock } from './clock';
export type { DiscoveryLogger } from './logger';

export { createImdsClient, IMDS_DEFAULTS } from './imds-client';
export type { ImdsClient, ImdsClientOptions, ImdsRequestOptions } from './imds-client';

export { getInstanceIdentity } from './instance-identity';
export type { GetInstanceIdentityOptions, InstanceIdentity } from './instance-identity';

export { shouldHandOff, INTERRUPTION_PATHS } from './interruption-notices';
export type {
  InterruptionEvent,
  InterruptionSource,
  LifecycleStateEvent,
  RebalanceRecommendationEvent,
  ScheduledMaintenanceEvent,
  SpotInterruptionEvent,
} from './interruption-notices';

export { watchInterruptions, WATCH_INTERRUPTIONS_DEFAULTS } from './interruption-watcher';
export type {
  InterruptionWatcher,
  InterruptionWatcherEvents,
  PollCompletedEvent,
  PollErrorEvent,
  WatchInterruptionsOptions,
} from './interruption-watcher';

export { discoverPeers, DISCOVER_PEERS_DEFAULTS } from './discover-peers';
export type { DiscoverPeersOptions, Peer, PeerAutoScalingFilter, PeerTagFilter } from './discover-peers';

export { cloudAutoJoinString } from './cloud-auto-join';
export type { AutoJoinAddressType, CloudAutoJoinOptions } from './cloud-auto-join';

export { createAutoScalingClient, createEc2Client, AWS_CLIENT_DEFAULTS } from './aws-clients';
export type { AwsClientOptions } from './aws-clients';

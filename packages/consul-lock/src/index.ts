// Public entry of @nat-ha/consul-lock: an explicit named barrel (house style 6).

// Errors
export { ConsulLockError } from './errors';
export type { ConsulLockErrorCode, ConsulLockErrorOptions } from './errors';

// Time and logging seams
export { systemClock } from './clock';
export type { Clock } from './clock';
export { silentLogger } from './logger';
export type { Logger } from './logger';

// Consul HTTP client
export { createConsulClient, CONSUL_CLIENT_DEFAULTS } from './consul-client';
export type { ConsulClient, ConsulClientOptions } from './consul-client';
export type {
  ConsulTlsOptions,
  QueryMeta,
  QueryParams,
  TransportRequest,
  TransportResponse,
} from './consul-transport';
export { LOCK_FLAG_VALUE } from './kv-api';
export type { Consistency, KvApi, KvEntry, KvGetOptions, KvGetResult, KvWriteOptions } from './kv-api';
export type {
  SessionApi,
  SessionBehavior,
  SessionCallOptions,
  SessionCreateRequest,
  SessionInfo,
} from './session-api';
export type {
  AgentApi,
  AgentCallOptions,
  AgentCheck,
  AgentSelf,
  CheckDefinition,
  CheckStatus,
  ServiceDefinition,
} from './agent-api';
export type { StatusApi } from './status-api';

// Blocking queries
export { nextBlockingIndex, watchBlocking } from './blocking-query';
export type { BlockingQueryOptions, BlockingQueryResult } from './blocking-query';
export { createTokenBucket } from './token-bucket';
export type { TokenBucket, TokenBucketOptions } from './token-bucket';

// Sessions and agent registration
export { createSession } from './session';
export type {
  ManagedSession,
  ManagedSessionEvents,
  SessionLostEvent,
  SessionLostReason,
  SessionOptions,
} from './session';
export { registerHealthService, registerTtlService } from './agent-registration';
export type {
  HealthServiceOptions,
  RegisteredService,
  RegisteredTtlService,
  TtlServiceOptions,
} from './agent-registration';

// Leader election
export { createLeaderElection } from './election';
export type {
  DeposeReason,
  DeposedEvent,
  ElectionEvent,
  FencingToken,
  HolderView,
  LeaderElection,
  LeaderElectionEvents,
  LeaderElectionOptions,
  OwnedSessionOptions,
} from './election';
export { TIMING_DEFAULTS, validateFenceTiming } from './timing';
export type { FenceTiming } from './timing';

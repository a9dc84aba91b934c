// Public entry of @nat-ha/testkit: an explicit named barrel (house style 6).

// Time
export { createSystemClock, createVirtualClock } from './clock';
export type { TestClock, TimerHandle, VirtualClock } from './clock';

// Errors
export { TestkitError } from './errors';
export type { TestkitErrorCode, TestkitErrorOptions } from './errors';

// Consul emulator (issue 3)
export { startConsul } from './consul/emulator';
export type { ConsulEmulator } from './consul/emulator';
export { CONSUL_DEFAULTS, defaultFailureDetectionMs } from './consul/options';
export type { ConsulAclOptions, ConsulEmulatorOptions, ConsulNodeSpec } from './consul/options';
export type { AclAccess, AclRules, AclTokenSpec } from './consul/acl';
export { CONSUL_CONTROL_PREFIX } from './consul/control-endpoint';
export { lockHolders } from './consul/lock-holders';
export type { LockHolderInterval } from './consul/lock-holders';
export type {
  ConsulCheckStatus,
  ConsulJournalEntry,
  ConsulJournalOp,
  SessionDestroyReason,
} from './consul/journal';

// EC2 / Auto Scaling / IMDS emulators and the VPC world (issue 4)
export { WORLD_TAGS, defaultWorld } from './world/default-world';
export type { DefaultWorldOptions } from './world/default-world';
export { parseWorld, validateWorld } from './world/parse-world';
export type { WorldProblem, WorldValidation } from './world/parse-world';
export type {
  AddressSpec,
  AutoScalingGroupSpec,
  IamRoleSpec,
  ImdsSpec,
  InstanceSpec,
  InstanceStateName,
  InternetGatewaySpec,
  LifecycleHookSpec,
  NatGatewaySpec,
  NetworkInterfaceSpec,
  PrincipalSpec,
  RouteSpec,
  RouteTableSpec,
  SecurityGroupRef,
  SubnetSpec,
  Tags,
  VpcSpec,
  WorldSpec,
} from './world/world-spec';
export { startAws } from './aws/aws-emulator';
export type { AwsCredentials, AwsEmulator, AwsEmulatorOptions } from './aws/aws-emulator';
export type {
  AddressSnapshot,
  AwsControl,
  ImdsOptionsPatch,
  ImdsOutageSpec,
  InstanceSnapshot,
  MaintenanceEventSpec,
  RouteTableSnapshot,
  SpotInterruptionOptions,
  TransitionOptions,
} from './aws/control/aws-control';
export type { FaultSpec } from './aws/faults/fault-queue';
export { REALISTIC_LATENCY } from './aws/faults/latency';
export type { LatencyProfile, LatencySetting } from './aws/faults/latency';
export { EC2_PUBLISHED_LIMITS } from './aws/faults/token-buckets';
export type { BucketLimit, ThrottlingOptions, ThrottlingSetting } from './aws/faults/token-buckets';
export type { ImdsOutageMode, ImdsRequestRecord } from './aws/imds/imds-server';
export type { ApiCallRecord, ApiService, Ec2JournalEntry } from './aws/journal';
export type { RouteView } from './aws/state/derive';
export type { LifecycleState } from './aws/state/records';
export { startSim } from './sim/start-sim';
export type { Sim, SimEndpoints, SimOptions } from './sim/start-sim';

/**
 * The emulator's mutable state: plain records in Maps (insertion order = Describe order), so a
 * whole snapshot is one `structuredClone` (the visibility-delay view, rule 35).
 *
 * Only facts are stored. Everything AWS derives — a route's `state` and its cross-filled
 * `instanceId`/`networkInterfaceId`, an instance's public IP, an address's `instanceId` — is
 * computed at read time in `derive.ts` (rule 22), so stopping an instance blackholes its routes
 * with no route call.
 */
import type {
  IamRoleSpec,
  ImdsSpec,
  InstanceStateName,
  LifecycleHookSpec,
  SecurityGroupRef,
  Tags,
} from '../../world/world-spec';

export interface VpcRec {
  vpcId: string;
  cidrBlock: string;
  cidrAssociationId: string;
  tags: Tags;
}

export interface InternetGatewayRec {
  internetGatewayId: string;
  vpcId: string | undefined;
  tags: Tags;
}

export interface SubnetRec {
  subnetId: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  availabilityZoneId: string;
  mapPublicIpOnLaunch: boolean;
  tags: Tags;
}

export type RouteTarget =
  | { kind: 'gateway'; gatewayId: string }
  | { kind: 'instance'; instanceId: string; networkInterfaceId: string }
  | { kind: 'network-interface'; networkInterfaceId: string }
  | { kind: 'nat-gateway'; natGatewayId: string };

export interface RouteRec {
  destinationCidrBlock?: string;
  destinationIpv6CidrBlock?: string;
  target: RouteTarget;
  origin: 'CreateRouteTable' | 'CreateRoute';
}

export interface RouteTableAssociationRec {
  routeTableAssociationId: string;
  subnetId?: string;
  main: boolean;
}

export interface RouteTableRec {
  routeTableId: string;
  vpcId: string;
  routes: RouteRec[];
  associations: RouteTableAssociationRec[];
  tags: Tags;
}

export interface InstanceRec {
  instanceId: string;
  reservationId: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  state: InstanceStateName;
  /** e.g. `User initiated (2024-01-01 00:00:00 GMT)`; empty while running. */
  stateTransitionReason: string;
  instanceType: string;
  imageId: string;
  launchTime: string;
  instanceLifecycle: 'spot' | 'on-demand';
  role: IamRoleSpec | undefined;
  imds: Required<ImdsSpec>;
  tags: Tags;
}

export interface EniAttachmentRec {
  attachmentId: string;
  instanceId: string;
  deviceIndex: number;
  attachTime: string;
  deleteOnTermination: boolean;
}

export interface NetworkInterfaceRec {
  networkInterfaceId: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  privateIpAddress: string;
  secondaryPrivateIpAddresses: string[];
  macAddress: string;
  sourceDestCheck: boolean;
  description: string;
  securityGroups: SecurityGroupRef[];
  attachment: EniAttachmentRec | undefined;
  tags: Tags;
}

export interface AddressRec {
  allocationId: string;
  publicIp: string;
  association: { associationId: string; networkInterfaceId: string; privateIpAddress: string } | undefined;
  tags: Tags;
}

export interface NatGatewayRec {
  natGatewayId: string;
  subnetId: string;
  vpcId: string;
  allocationId: string | undefined;
  privateIpAddress: string;
  state: 'pending' | 'failed' | 'available' | 'deleting' | 'deleted';
  createTime: string;
  tags: Tags;
}

/** Everything the EC2 Describe actions read: one consistent snapshot. */
export interface Ec2Data {
  region: string;
  accountId: string;
  vpcs: Map<string, VpcRec>;
  internetGateways: Map<string, InternetGatewayRec>;
  subnets: Map<string, SubnetRec>;
  routeTables: Map<string, RouteTableRec>;
  instances: Map<string, InstanceRec>;
  networkInterfaces: Map<string, NetworkInterfaceRec>;
  addresses: Map<string, AddressRec>;
  natGateways: Map<string, NatGatewayRec>;
}

export type LifecycleState =
  | 'Pending'
  | 'Pending:Wait'
  | 'Pending:Proceed'
  | 'InService'
  | 'Terminating'
  | 'Terminating:Wait'
  | 'Terminating:Proceed'
  | 'Terminated'
  | 'Detaching'
  | 'Detached'
  | 'EnteringStandby'
  | 'Standby';

export interface AsgInstanceRec {
  instanceId: string;
  lifecycleState: LifecycleState;
  healthStatus: 'Healthy' | 'Unhealthy';
  protectedFromScaleIn: boolean;
}

export interface AsgRec {
  autoScalingGroupName: string;
  arn: string;
  createdTime: string;
  instances: AsgInstanceRec[];
  subnetIds: string[];
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  lifecycleHooks: Required<LifecycleHookSpec>[];
  tags: Tags;
}

export interface PendingLifecycleAction {
  token: string;
  autoScalingGroupName: string;
  lifecycleHookName: string;
  instanceId: string;
  transition: LifecycleHookSpec['lifecycleTransition'];
  defaultResult: 'CONTINUE' | 'ABANDON';
  heartbeatTimeoutMs: number;
  /** When the default result applies (clock ms); moved by RecordLifecycleActionHeartbeat. */
  deadline: number;
}

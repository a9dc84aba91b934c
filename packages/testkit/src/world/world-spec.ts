/**
 * The JSON-describable VPC world every AWS emulator serves (EC2 Query API, Auto Scaling and one
 * IMDS per instance all read the same state built from it).
 *
 * A `WorldSpec` is plain JSON: no classes, no Dates (times are ISO-8601 strings), no undefined
 * values that matter. `parseWorld()` validates one; `defaultWorld()` builds the lab's.
 *
 * Field names follow the EC2 API's own (lowerCamelCase of the wire names) so a world file reads
 * like a DescribeX dump.
 */

/** Tags as a key → value map; keys are unique on AWS resources, so a map loses nothing. */
export type Tags = Record<string, string>;

export type InstanceStateName =
  'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

export interface WorldSpec {
  /** e.g. `us-east-1`. SigV4 scopes must name it (AuthFailure otherwise). */
  region: string;
  /** 12 digits. */
  accountId: string;
  vpcs: VpcSpec[];
  internetGateways?: InternetGatewaySpec[];
  subnets: SubnetSpec[];
  routeTables: RouteTableSpec[];
  instances: InstanceSpec[];
  /** ENIs that start detached (available). Attached ENIs live under their instance. */
  networkInterfaces?: NetworkInterfaceSpec[];
  addresses?: AddressSpec[];
  natGateways?: NatGatewaySpec[];
  autoScalingGroups?: AutoScalingGroupSpec[];
  /**
   * Credentials that belong to no instance (an operator, a test, the AWS CLI). Calls signed with
   * them are journaled with `callerInstanceId: null` and the principal's name. Unknown access
   * keys are accepted too (see the README, "Known differences"); declaring them gives a name.
   */
  principals?: PrincipalSpec[];
}

export interface VpcSpec {
  vpcId: string;
  cidrBlock: string;
  tags?: Tags;
}

export interface InternetGatewaySpec {
  internetGatewayId: string;
  /** The VPC it is attached to; omitted = detached (routes to it are blackhole). */
  vpcId?: string;
  tags?: Tags;
}

export interface SubnetSpec {
  subnetId: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  /** e.g. `use1-az1`; derived from the AZ name when omitted. */
  availabilityZoneId?: string;
  /** `mapPublicIpOnLaunch`; informational (the world has no launches). Default false. */
  mapPublicIpOnLaunch?: boolean;
  tags?: Tags;
}

/** One route as written with CreateRoute. The `local` route per VPC CIDR is always added (rule 19). */
export interface RouteSpec {
  /** Exactly one destination. */
  destinationCidrBlock?: string;
  destinationIpv6CidrBlock?: string;
  /** Exactly one target. */
  gatewayId?: string;
  instanceId?: string;
  networkInterfaceId?: string;
  natGatewayId?: string;
}

export interface RouteTableSpec {
  routeTableId: string;
  vpcId: string;
  /** The VPC's main table (exactly one per VPC). Default false. */
  main?: boolean;
  /** Explicit subnet associations. */
  subnetIds?: string[];
  routes?: RouteSpec[];
  tags?: Tags;
}

export interface NetworkInterfaceSpec {
  networkInterfaceId: string;
  /** Defaults to the instance's subnet for attached ENIs; required for detached ones. */
  subnetId?: string;
  privateIpAddress: string;
  secondaryPrivateIpAddresses?: string[];
  /** `xx:xx:xx:xx:xx:xx`, lower case; derived from the ENI id when omitted. */
  macAddress?: string;
  /** Default true, as on a freshly launched instance; a NAT instance must turn it off. */
  sourceDestCheck?: boolean;
  description?: string;
  securityGroups?: SecurityGroupRef[];
  tags?: Tags;
}

export interface SecurityGroupRef {
  groupId: string;
  groupName: string;
}

/**
 * An instance's IAM role. Each instance has its own static session credentials, served by its
 * IMDS at `iam/security-credentials/<roleName>`; the EC2 emulator attributes every call signed
 * with `accessKeyId` to this instance.
 */
export interface IamRoleSpec {
  roleName: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /**
   * Actions this role may not call (`ReplaceRoute` or `ec2:ReplaceRoute`, `autoscaling:*`, `*`):
   * they fail with 403 UnauthorizedOperation, DryRun included (rule 10).
   */
  deny?: string[];
}

export interface PrincipalSpec {
  name: string;
  accessKeyId: string;
  secretAccessKey: string;
  deny?: string[];
}

export interface ImdsSpec {
  /** `optional` (IMDSv1 and v2) or `required` (v2 only). Default `required`, as on current AMIs. */
  httpTokens?: 'optional' | 'required';
  /** `disabled` answers 403 to everything. Default `enabled`. */
  httpEndpoint?: 'enabled' | 'disabled';
  /** Expose `meta-data/tags/instance/`. Default true. */
  instanceMetadataTags?: boolean;
}

export interface InstanceSpec {
  instanceId: string;
  subnetId: string;
  /** Default `running`. */
  state?: InstanceStateName;
  /** Default `t3.micro`. */
  instanceType?: string;
  /** Default `ami-0abcdef1234567890`. */
  imageId?: string;
  /** ISO-8601; default `2024-01-01T00:00:00.000Z`. */
  launchTime?: string;
  /** `spot` or `on-demand` (default). */
  instanceLifecycle?: 'spot' | 'on-demand';
  /** ENIs attached in device-index order: the first is the primary (device 0). At least one. */
  networkInterfaces: NetworkInterfaceSpec[];
  iamRole?: IamRoleSpec;
  imds?: ImdsSpec;
  tags?: Tags;
}

export interface AddressSpec {
  allocationId: string;
  publicIp: string;
  /** Associated with this ENI's primary (or the given) private IP. */
  association?: { networkInterfaceId: string; privateIpAddress?: string };
  tags?: Tags;
}

export interface NatGatewaySpec {
  natGatewayId: string;
  subnetId: string;
  allocationId?: string;
  privateIpAddress: string;
  /** Default `available`. */
  state?: 'pending' | 'failed' | 'available' | 'deleting' | 'deleted';
  tags?: Tags;
}

export interface LifecycleHookSpec {
  lifecycleHookName: string;
  /** `autoscaling:EC2_INSTANCE_TERMINATING` or `autoscaling:EC2_INSTANCE_LAUNCHING`. */
  lifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING' | 'autoscaling:EC2_INSTANCE_LAUNCHING';
  /** Seconds before the default result applies; default 3600 (AWS default). */
  heartbeatTimeout?: number;
  /** Default `ABANDON` (AWS default). */
  defaultResult?: 'CONTINUE' | 'ABANDON';
}

export interface AutoScalingGroupSpec {
  autoScalingGroupName: string;
  /** Member instances; their state in the group starts `InService`. */
  instanceIds: string[];
  /** The group's subnets (VPCZoneIdentifier). */
  subnetIds: string[];
  minSize?: number;
  maxSize?: number;
  desiredCapacity?: number;
  lifecycleHooks?: LifecycleHookSpec[];
  tags?: Tags;
}

/**
 * The settings that environment variables and flags can override, in one table: `check-config`,
 * `--help` and docs/operations.md all read from it, so a name cannot be documented and not work.
 *
 * Precedence, lowest first: built-in defaults < the YAML file < standard variables (CONSUL_HTTP_ADDR,
 * AWS_REGION, …) < NAT_HA_* variables < flags.
 */

export type OverrideType = 'string' | 'int' | 'number' | 'boolean' | 'list' | 'yaml';

export interface Override {
  /** Dotted path in the configuration. */
  path: string;
  type: OverrideType;
  /** The NAT_HA_* variable. */
  env: string;
  /** The flag, without the leading `--`. */
  flag?: string;
  /** Standard variables other tooling already uses for the same setting, strongest first. */
  standardEnv?: readonly string[];
  secret?: boolean;
}

export const OVERRIDES: readonly Override[] = [
  {
    path: 'consul.address',
    type: 'string',
    env: 'NAT_HA_CONSUL_ADDRESS',
    flag: 'consul-address',
    standardEnv: ['CONSUL_HTTP_ADDR'],
  },
  {
    path: 'consul.token',
    type: 'string',
    env: 'NAT_HA_CONSUL_TOKEN',
    standardEnv: ['CONSUL_HTTP_TOKEN'],
    secret: true,
  },
  {
    path: 'consul.tokenFile',
    type: 'string',
    env: 'NAT_HA_CONSUL_TOKEN_FILE',
    flag: 'consul-token-file',
    standardEnv: ['CONSUL_HTTP_TOKEN_FILE'],
  },
  { path: 'consul.caFile', type: 'string', env: 'NAT_HA_CONSUL_CA_FILE', standardEnv: ['CONSUL_CACERT'] },
  { path: 'consul.datacenter', type: 'string', env: 'NAT_HA_CONSUL_DATACENTER' },
  { path: 'consul.serviceName', type: 'string', env: 'NAT_HA_CONSUL_SERVICE_NAME' },
  { path: 'consul.keyPrefix', type: 'string', env: 'NAT_HA_CONSUL_KEY_PREFIX' },
  { path: 'consul.lockProfile', type: 'string', env: 'NAT_HA_CONSUL_LOCK_PROFILE' },
  { path: 'consul.lockDelayMs', type: 'int', env: 'NAT_HA_CONSUL_LOCK_DELAY_MS' },
  { path: 'consul.sessionTtlMs', type: 'int', env: 'NAT_HA_CONSUL_SESSION_TTL_MS' },
  { path: 'consul.checkIntervalMs', type: 'int', env: 'NAT_HA_CONSUL_CHECK_INTERVAL_MS' },
  { path: 'consul.checkTimeoutMs', type: 'int', env: 'NAT_HA_CONSUL_CHECK_TIMEOUT_MS' },
  {
    path: 'aws.region',
    type: 'string',
    env: 'NAT_HA_AWS_REGION',
    flag: 'region',
    standardEnv: ['AWS_REGION', 'AWS_DEFAULT_REGION'],
  },
  {
    path: 'aws.ec2Endpoint',
    type: 'string',
    env: 'NAT_HA_AWS_EC2_ENDPOINT',
    standardEnv: ['AWS_ENDPOINT_URL_EC2', 'AWS_ENDPOINT_URL'],
  },
  {
    path: 'aws.autoScalingEndpoint',
    type: 'string',
    env: 'NAT_HA_AWS_AUTO_SCALING_ENDPOINT',
    standardEnv: ['AWS_ENDPOINT_URL_AUTO_SCALING', 'AWS_ENDPOINT_URL'],
  },
  {
    path: 'aws.imdsEndpoint',
    type: 'string',
    env: 'NAT_HA_AWS_IMDS_ENDPOINT',
    standardEnv: ['AWS_EC2_METADATA_SERVICE_ENDPOINT'],
  },
  { path: 'http.host', type: 'string', env: 'NAT_HA_HTTP_HOST', flag: 'http-host' },
  { path: 'http.port', type: 'int', env: 'NAT_HA_HTTP_PORT', flag: 'http-port' },
  { path: 'health.intervalMs', type: 'int', env: 'NAT_HA_HEALTH_INTERVAL_MS' },
  { path: 'health.timeoutMs', type: 'int', env: 'NAT_HA_HEALTH_TIMEOUT_MS' },
  { path: 'health.rise', type: 'int', env: 'NAT_HA_HEALTH_RISE' },
  { path: 'health.fall', type: 'int', env: 'NAT_HA_HEALTH_FALL' },
  { path: 'health.quorum', type: 'int', env: 'NAT_HA_HEALTH_QUORUM' },
  { path: 'health.targets', type: 'yaml', env: 'NAT_HA_HEALTH_TARGETS' },
  { path: 'health.sourceAddress', type: 'string', env: 'NAT_HA_HEALTH_SOURCE_ADDRESS' },
  { path: 'health.interface', type: 'string', env: 'NAT_HA_HEALTH_INTERFACE' },
  { path: 'dataplane.mode', type: 'string', env: 'NAT_HA_DATAPLANE_MODE', flag: 'dataplane-mode' },
  { path: 'dataplane.manageNat', type: 'boolean', env: 'NAT_HA_DATAPLANE_MANAGE_NAT' },
  { path: 'dataplane.egressInterface', type: 'string', env: 'NAT_HA_DATAPLANE_EGRESS_INTERFACE' },
  { path: 'dataplane.vpcCidrs', type: 'list', env: 'NAT_HA_DATAPLANE_VPC_CIDRS' },
  { path: 'dataplane.namespace', type: 'string', env: 'NAT_HA_DATAPLANE_NAMESPACE' },
  { path: 'reconcile.intervalMs', type: 'int', env: 'NAT_HA_RECONCILE_INTERVAL_MS' },
  { path: 'interruptions.pollIntervalMs', type: 'int', env: 'NAT_HA_INTERRUPTIONS_POLL_INTERVAL_MS' },
  { path: 'interruptions.drainOnRebalance', type: 'boolean', env: 'NAT_HA_INTERRUPTIONS_DRAIN_ON_REBALANCE' },
  { path: 'interruptions.maintenanceLeadMs', type: 'int', env: 'NAT_HA_INTERRUPTIONS_MAINTENANCE_LEAD_MS' },
  { path: 'drain.successorWaitMs', type: 'int', env: 'NAT_HA_DRAIN_SUCCESSOR_WAIT_MS' },
  { path: 'drain.lifecycleHookName', type: 'string', env: 'NAT_HA_DRAIN_LIFECYCLE_HOOK_NAME' },
  { path: 'log.level', type: 'string', env: 'NAT_HA_LOG_LEVEL', flag: 'log-level' },
  { path: 'groups', type: 'yaml', env: 'NAT_HA_GROUPS' },
];

/** Paths whose values never leave the process in clear (check-config, /status). */
export const SECRET_PATHS: readonly string[] = OVERRIDES.filter((o) => o.secret === true).map((o) => o.path);

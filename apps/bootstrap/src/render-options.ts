/**
 * The resolved options of one `render` run: every default applied, every value validated
 * (`render-args.ts` builds this from flags, environment and secret files). Units are in the names.
 */
export type Role = 'server' | 'client';
export type ConfigFormat = 'hcl' | 'json';
/** `peers`: discovered private IPs; `cloud`: the cloud auto-join string; `both`: IPs first. */
export type JoinMode = 'peers' | 'cloud' | 'both';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export type AclDefaultPolicy = 'allow' | 'deny';
export type AclDownPolicy = 'extend-cache' | 'allow' | 'deny' | 'async-cache';
/** The keys of Consul's `acl.tokens` block (consul-http-api.md §8.1) nat-bootstrap can fill. */
export type AclTokenName =
  'initial_management' | 'agent' | 'default' | 'agent_recovery' | 'config_file_service_registration';

export interface AclOptions {
  defaultPolicy: AclDefaultPolicy;
  downPolicy: AclDownPolicy;
  /** Secret token values, read from the files named on the command line (never from flags). */
  tokens: Partial<Record<AclTokenName, string>>;
}

/** Paths on the instance; Consul reads them, so they are rendered as given. */
export interface TlsOptions {
  caFile: string;
  certFile?: string;
  keyFile?: string;
}

export type RouteTableSelection =
  /** nat-agent finds the private tables of each group's AZ itself (`routeTables.azPrivate`). */
  | { kind: 'az-private' }
  /** Tables tagged `key`; per-AZ groups match `key=<az>`, a single group `key=value`. */
  | { kind: 'tag'; key: string; value?: string }
  /** Explicit tables (single group only). */
  | { kind: 'ids'; ids: readonly string[] };

export interface GroupOptions {
  /** `per-az`: one group per AZ, primary in our own AZ; `single`: one group for the whole VPC. */
  mode: 'per-az' | 'single';
  /** Name of the single group. */
  singleName: string;
  routeTables: RouteTableSelection;
  /** Other AZs whose groups this instance serves as a rescue (per-az mode). */
  rescueAzs: readonly string[];
  eipAllocationId?: string;
  fallbackNatGatewayId?: string;
}

export interface DiscoveryOptions {
  /** Join selector by tag (consul-http-api.md §8.3 cloud auto-join uses the same tag). */
  tag?: { key: string; value: string };
  /** Join selector by Auto Scaling group membership. */
  autoScalingGroupName?: string;
}

export interface NatHaOptions {
  serviceName: string;
  /** The TTL nat-agent gives its Consul session; below Consul's 10 s floor servers need `session_ttl_min`. */
  sessionTtlMs: number;
  /** Interval of both HTTP checks (consul-lock's safety defaults: 1 s). */
  checkIntervalMs: number;
  /**
   * Timeout of both checks: the liveness check on /health/live (the one nat-agent's session is
   * tied to) and the Internet-path check on /health (200 passing, 429 warning, 503 critical).
   * nat-agent's `consul.checkTimeoutMs` gets the same value, so both registrations agree.
   */
  checkTimeoutMs: number;
  /** Where nat-agent serves /health/live and /health. */
  httpHost: string;
  httpPort: number;
  /** Path on the instance of the file holding nat-agent's Consul ACL token. */
  consulTokenFile?: string;
  /** nat-agent enables ip_forward and installs the MASQUERADE rule itself. */
  manageNat: boolean;
}

export interface LifecycleOptions {
  hookName: string;
  autoScalingGroupName: string;
}

export interface RenderOptions {
  /** Absolute output directory; the units reference files under it. */
  outDir: string;
  role: Role;
  format: ConfigFormat;
  /** Default: the instance's region (a valid datacenter name, §8.1). */
  datacenter?: string;
  dataDir: string;
  join: JoinMode;
  /** Servers only. */
  bootstrapExpect: number;
  /** Base64 gossip key (secret). */
  encryptKey?: string;
  acl?: AclOptions;
  tls?: TlsOptions;
  logLevel: LogLevel;
  /** Default by role, as Consul's own: clients leave on SIGTERM, servers do not (§8.1). */
  leaveOnTerminate?: boolean;
  /** Render the nat-ha service definition into the Consul config directory. */
  serviceDefinition: boolean;
  /** Render only the Consul config and unit: a dedicated Consul server runs no nat-agent. */
  consulOnly: boolean;
  discovery: DiscoveryOptions;
  natHa: NatHaOptions;
  groups: GroupOptions;
  lifecycle?: LifecycleOptions;
  consulBinary: string;
  consulUser: string;
  /** Node.js that runs nat-agent's single-file bundle. */
  nodeBinary: string;
  natAgentBinary: string;
  /** User (and group) nat-agent runs as; it needs no root, only CAP_NET_ADMIN and CAP_NET_RAW. */
  natAgentUser: string;
}

/** Every default of `render`, in one place (house style 11). */
export const RENDER_DEFAULTS = {
  role: 'client',
  format: 'hcl',
  dataDir: '/opt/consul/data',
  join: 'both',
  bootstrapExpect: 3,
  logLevel: 'info',
  aclDefaultPolicy: 'deny',
  aclDownPolicy: 'extend-cache',
  serviceDefinition: true,
  serviceName: 'nat-ha',
  // consul-lock's safety defaults (docs/safety.md): session TTL 10 s, check interval 1 s.
  sessionTtlMs: 10_000,
  checkIntervalMs: 1_000,
  checkTimeoutMs: 500,
  // nat-agent's own defaults (apps/nat-agent config schema: http.host, http.port).
  httpHost: '127.0.0.1',
  httpPort: 9_721,
  groupMode: 'per-az',
  singleGroupName: 'vpc',
  consulBinary: '/usr/bin/consul',
  consulUser: 'consul',
  // Where apps/nat-agent/packaging/nat-agent.service expects the bundle and its user.
  nodeBinary: '/usr/bin/node',
  natAgentBinary: '/usr/lib/nat-ha/nat-agent.js',
  natAgentUser: 'nat-ha',
  waitTimeoutMs: 300_000,
  waitIntervalMs: 5_000,
} as const;

/** Consul's own lower bound for session TTLs when `session_ttl_min` is not set (§8.1). */
export const CONSUL_SESSION_TTL_MIN_MS = 10_000;

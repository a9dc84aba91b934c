import { createSystemClock, type TestClock } from '../clock';
import { TestkitError } from '../errors';
import { validatePortBase } from '../port-base';
import type { AclTokenSpec } from './acl';

/** A node of the emulated cluster; each gets its own agent endpoint. */
export interface ConsulNodeSpec {
  name: string;
  /** Catalog address (`Address`, `TaggedAddresses`); default a distinct 127.0.0.x address. */
  address?: string;
}

export interface ConsulAclOptions {
  /** `acl.default_policy`: what a token gets where no rule matches. */
  defaultPolicy: 'allow' | 'deny';
  /**
   * Tokens by SecretID. The key `anonymous` configures the anonymous token (used when a request
   * carries none). A token that is not listed is answered with 403 `ACL not found` (rule 69).
   */
  tokens: Record<string, AclTokenSpec>;
  /** `acl.tokens.default`: the agent's token for requests that carry none (spec §1.6 step 4). */
  defaultToken?: string;
}

export interface ConsulEmulatorOptions {
  /** Cluster nodes, one agent endpoint each. Default `['node1']`. */
  nodes?: Array<string | ConsulNodeSpec>;
  /** Default `dc1`. Must match `^[a-z0-9_-]+$` like Consul's `datacenter`. */
  datacenter?: string;
  /** Every timer (TTL, lock-delay, waits, checks, failure detection) runs on it. Default: real time. */
  clock?: TestClock;
  /** Interface the agent endpoints listen on. Default `127.0.0.1`. */
  host?: string;
  /**
   * Fixed ports: the control listener on `portBase`, node k's agent endpoint (in `nodes` order) on
   * `portBase + 1 + k`. Nodes added later with `addNode` take an ephemeral port. Default: port 0
   * (ephemeral) everywhere.
   */
  portBase?: number;
  /**
   * Time from a kill or partition until gossip declares the node failed and its `serfHealth` goes
   * critical. Default {@link defaultFailureDetectionMs} for the cluster size (spec §8.6).
   */
  failureDetectionMs?: number;
  /** `performance.rpc_hold_timeout`: how long RPCs wait for a leader or a path to the servers. Default 7000. */
  rpcHoldTimeoutMs?: number;
  /** `session_ttl_min`. Default 10000 (spec §2.2). */
  sessionTtlMinMs?: number;
  /**
   * Floor for HTTP/TCP check intervals. The real agent raises any interval below 1 s to 1 s
   * (`checks.MinInterval`); that is the default. Tests may go lower.
   */
  minCheckIntervalMs?: number;
  /** Enables ACL enforcement. Without it every request is allowed and tokens are ignored. */
  acl?: ConsulAclOptions;
  /**
   * `server`: errors read as a leader server's (`No cluster leader`). `client`: as a client agent's,
   * with the `rpc error making call: ` prefix (spec §7.2). Default `server`.
   */
  agentErrorStyle?: 'server' | 'client';
  /** `limits.kv_max_value_size`. Default 524288 (rule 27). */
  kvMaxValueSizeBytes?: number;
  /** `default_query_time` for blocking queries without `wait`. Default 300000 (rule 61). */
  defaultQueryTimeMs?: number;
  /** `max_query_time` cap on `wait`. Default 600000 (rule 61). */
  maxQueryTimeMs?: number;
  /** `check_update_interval`: how long an output-only check change waits to reach the catalog. Default 300000. */
  checkUpdateIntervalMs?: number;
  /** Source of randomness for blocking-query jitter and check start stagger. Default `Math.random`. */
  random?: () => number;
}

export interface ResolvedConsulOptions {
  readonly nodes: readonly Required<ConsulNodeSpec>[];
  readonly datacenter: string;
  readonly clock: TestClock;
  readonly host: string;
  readonly portBase: number | undefined;
  readonly failureDetectionMs: number | undefined;
  readonly rpcHoldTimeoutMs: number;
  readonly sessionTtlMinMs: number;
  readonly minCheckIntervalMs: number;
  readonly acl: ConsulAclOptions | undefined;
  readonly agentErrorStyle: 'server' | 'client';
  readonly kvMaxValueSizeBytes: number;
  readonly defaultQueryTimeMs: number;
  readonly maxQueryTimeMs: number;
  readonly checkUpdateIntervalMs: number;
  readonly random: () => number;
}

/** The defaults, in one place. */
export const CONSUL_DEFAULTS = {
  nodes: ['node1'],
  datacenter: 'dc1',
  host: '127.0.0.1',
  rpcHoldTimeoutMs: 7000,
  sessionTtlMinMs: 10_000,
  minCheckIntervalMs: 1000,
  agentErrorStyle: 'server',
  kvMaxValueSizeBytes: 524_288,
  defaultQueryTimeMs: 300_000,
  maxQueryTimeMs: 600_000,
  checkUpdateIntervalMs: 300_000,
} as const;

/**
 * memberlist's figures for how long a dead node stays "alive" (spec §8.6): about 1 s until someone
 * probes it, about 1 s for the direct and indirect probes to fail, then the suspicion timeout,
 * `SuspicionMult (4) × max(1, log10(n)) × ProbeInterval (1 s)`. That gives 6 s for up to 10 nodes,
 * the "3-node cluster: about 5–7 s" of §8.6 and the fast end of its 4–10 node range (the slow end
 * needs confirmations to arrive late, which the emulator does not model).
 */
export function defaultFailureDetectionMs(clusterSize: number): number {
  const n = Math.max(1, clusterSize);
  return 2000 + Math.round(4000 * Math.max(1, Math.log10(n)));
}

const NODE_NAME = /^[^\s"'`]+$/;
const DATACENTER = /^[a-z0-9_-]+$/;

function invalid(message: string): TestkitError {
  return new TestkitError('INVALID_OPTION', message);
}

function nonNegativeMs(name: string, value: number | undefined, fallback: number): number {
  if (value == null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalid(`startConsul: option ${name} must be a finite number >= 0, got ${String(value)}`);
  }
  return value;
}

/** Validates a node spec (used by `startConsul` and `addNode`). */
export function resolveNodeSpec(
  spec: string | ConsulNodeSpec,
  defaultAddress: () => string,
  optionName: string,
): Required<ConsulNodeSpec> {
  const name = typeof spec === 'string' ? spec : spec?.name;
  if (typeof name !== 'string' || name === '' || !NODE_NAME.test(name)) {
    throw invalid(
      `${optionName}: a node name must be non-empty without whitespace or quotes, got ${JSON.stringify(name)}`,
    );
  }
  const address = typeof spec === 'string' || spec.address == null ? defaultAddress() : spec.address;
  if (typeof address !== 'string' || address === '' || address === '0.0.0.0' || address === '::') {
    throw invalid(`${optionName}: node ${name} needs a concrete address, got ${JSON.stringify(address)}`);
  }
  return { name, address };
}

/** Fills in defaults and validates eagerly; every message names the option. */
export function resolveConsulOptions(options: ConsulEmulatorOptions = {}): ResolvedConsulOptions {
  let nextAddress = 10;
  const rawNodes = options.nodes ?? [...CONSUL_DEFAULTS.nodes];
  if (!Array.isArray(rawNodes) || rawNodes.length === 0) {
    throw invalid('startConsul: option nodes must list at least one node');
  }
  const nodes = rawNodes.map((n) =>
    resolveNodeSpec(n, () => `127.0.0.${nextAddress++}`, 'startConsul: option nodes'),
  );
  const seen = new Set<string>();
  for (const n of nodes) {
    if (seen.has(n.name)) throw invalid(`startConsul: option nodes lists ${n.name} twice`);
    seen.add(n.name);
  }
  const datacenter = options.datacenter ?? CONSUL_DEFAULTS.datacenter;
  if (!DATACENTER.test(datacenter)) {
    throw invalid(
      `startConsul: option datacenter cannot be ${JSON.stringify(datacenter)}; use only [a-z0-9-_]`,
    );
  }
  const agentErrorStyle = options.agentErrorStyle ?? CONSUL_DEFAULTS.agentErrorStyle;
  if (agentErrorStyle !== 'server' && agentErrorStyle !== 'client') {
    throw invalid(
      `startConsul: option agentErrorStyle must be 'server' or 'client', got ${String(agentErrorStyle)}`,
    );
  }
  const acl = options.acl;
  if (acl != null) {
    if (acl.defaultPolicy !== 'allow' && acl.defaultPolicy !== 'deny') {
      throw invalid(
        `startConsul: option acl.defaultPolicy must be 'allow' or 'deny', got ${String(acl.defaultPolicy)}`,
      );
    }
    if (acl.tokens == null || typeof acl.tokens !== 'object') {
      throw invalid('startConsul: option acl.tokens must be an object of SecretID → token spec');
    }
  }
  const host = options.host ?? CONSUL_DEFAULTS.host;
  if (typeof host !== 'string' || host === '')
    throw invalid('startConsul: option host must be a non-empty string');
  const random = options.random ?? Math.random;
  if (typeof random !== 'function') throw invalid('startConsul: option random must be a function');
  const portBase = validatePortBase(
    'startConsul',
    options.portBase,
    nodes.length,
    `${nodes.length} agent ports`,
  );
  const sessionTtlMinMs = nonNegativeMs(
    'sessionTtlMinMs',
    options.sessionTtlMinMs,
    CONSUL_DEFAULTS.sessionTtlMinMs,
  );
  const maxQueryTimeMs = nonNegativeMs(
    'maxQueryTimeMs',
    options.maxQueryTimeMs,
    CONSUL_DEFAULTS.maxQueryTimeMs,
  );
  const defaultQueryTimeMs = nonNegativeMs(
    'defaultQueryTimeMs',
    options.defaultQueryTimeMs,
    CONSUL_DEFAULTS.defaultQueryTimeMs,
  );
  if (maxQueryTimeMs <= 0) throw invalid('startConsul: option maxQueryTimeMs must be > 0');
  return {
    nodes,
    datacenter,
    clock: options.clock ?? createSystemClock(),
    host,
    portBase,
    failureDetectionMs:
      options.failureDetectionMs == null
        ? undefined
        : nonNegativeMs('failureDetectionMs', options.failureDetectionMs, 0),
    rpcHoldTimeoutMs: nonNegativeMs(
      'rpcHoldTimeoutMs',
      options.rpcHoldTimeoutMs,
      CONSUL_DEFAULTS.rpcHoldTimeoutMs,
    ),
    sessionTtlMinMs,
    minCheckIntervalMs: nonNegativeMs(
      'minCheckIntervalMs',
      options.minCheckIntervalMs,
      CONSUL_DEFAULTS.minCheckIntervalMs,
    ),
    acl,
    agentErrorStyle,
    kvMaxValueSizeBytes: nonNegativeMs(
      'kvMaxValueSizeBytes',
      options.kvMaxValueSizeBytes,
      CONSUL_DEFAULTS.kvMaxValueSizeBytes,
    ),
    defaultQueryTimeMs,
    maxQueryTimeMs,
    checkUpdateIntervalMs: nonNegativeMs(
      'checkUpdateIntervalMs',
      options.checkUpdateIntervalMs,
      CONSUL_DEFAULTS.checkUpdateIntervalMs,
    ),
    random,
  };
}

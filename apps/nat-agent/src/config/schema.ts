import { z } from 'zod';

/**
 * The agent's configuration: every key, its default and its unit, in one place. docs/operations.md
 * ("Configuration reference") mirrors this file; `nat-agent check-config` prints the effective result.
 *
 * Every object is strict, so a misspelt key is an error rather than a silently ignored setting (the
 * "silent broken NAT after replacement" complaint about peers starts with typos nobody sees).
 */

export const DEFAULT_CONFIG_PATH = '/etc/nat-ha/agent.yaml';

// zod 4 applies a schema-level `error` to every issue of that schema, so the type message is given
// only for type errors; each range rule carries its own message.
const typeError = (message: string) => (issue: { code: string }) =>
  issue.code === 'invalid_type' ? message : undefined;

const ms = (what: string) =>
  z
    .number({ error: typeError(`${what} must be a number of milliseconds`) })
    .int(`${what} must be a whole number of milliseconds`)
    .nonnegative(`${what} must not be negative`);

const positiveMs = (what: string) => ms(what).positive(`${what} must be greater than 0`);

const count = (what: string, min: number) =>
  z
    .number({ error: typeError(`${what} must be a number`) })
    .int(`${what} must be a whole number`)
    .min(min, `${what} must be at least ${min}`);

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export function isIpv4Cidr(value: string): boolean {
  const m = IPV4_CIDR.exec(value);
  if (m == null) return false;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  return octets.every((o) => o >= 0 && o <= 255) && bits >= 0 && bits <= 32;
}

export function isIpv6Cidr(value: string): boolean {
  const [addr, bits, ...rest] = value.split('/');
  if (rest.length > 0 || addr == null || bits == null || !/^\d{1,3}$/.test(bits)) return false;
  if (Number(bits) > 128) return false;
  // Enough to catch typos: hex groups, at most one '::', at most 8 groups.
  if (!/^[0-9a-fA-F:]+$/.test(addr) || addr.split('::').length > 2) return false;
  return addr.split(':').filter((g) => g !== '').length <= 8;
}

const cidr = z
  .string()
  .refine((v) => isIpv4Cidr(v) || isIpv6Cidr(v), { error: 'must be a CIDR such as 0.0.0.0/0 or ::/0' });

const ipv4Cidr = z.string().refine(isIpv4Cidr, { error: 'must be an IPv4 CIDR such as 10.0.0.0/16' });

const url = (what: string) =>
  z.string().refine(
    (v) => {
      try {
        const u = new URL(v);
        return u.protocol === 'http:' || u.protocol === 'https:';
      } catch {
        return false;
      }
    },
    { error: `${what} must be an http:// or https:// URL` },
  );

const awsId = (prefix: string) =>
  z
    .string()
    .regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), { error: `must look like ${prefix}-0123456789abcdef0` });

const GROUP_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const routeTablesSchema = z
  .strictObject({
    /** Explicit route table ids. */
    ids: z.array(awsId('rtb')).min(1).optional(),
    /** Every table in the VPC carrying all of these tags. */
    tags: z.record(z.string().min(1), z.string()).optional(),
    /** The tables associated with these subnets. */
    subnets: z.array(awsId('subnet')).min(1).optional(),
    /** The tables of the private subnets of this AZ (tables whose default route is not an IGW). */
    azPrivate: z.string().min(1).optional(),
  })
  .superRefine((v, ctx) => {
    const set = (['ids', 'tags', 'subnets', 'azPrivate'] as const).filter((k) => v[k] !== undefined);
    if (set.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          set.length === 0
            ? 'choose one selector: ids, tags, subnets or azPrivate'
            : `choose exactly one selector, not ${set.join(' and ')}`,
      });
    }
    if (v.tags !== undefined && Object.keys(v.tags).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['tags'], message: 'must name at least one tag' });
    }
  });

export const fallbackSchema = z
  .strictObject({
    natGatewayId: awsId('nat').optional(),
    networkInterfaceId: awsId('eni').optional(),
    /** How long no healthy candidate must exist before routes move to the fallback. */
    holdDownMs: ms('holdDownMs').default(10_000),
  })
  .superRefine((v, ctx) => {
    if ((v.natGatewayId === undefined) === (v.networkInterfaceId === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'set exactly one of natGatewayId or networkInterfaceId' });
    }
  });

export const groupSchema = z.strictObject({
  name: z.string().regex(GROUP_NAME, {
    error: 'must be 1-63 characters of a-z, 0-9 and "-", starting with a letter or digit',
  }),
  /** Consul KV key of the group's lock; default `<consul.keyPrefix>/<name>/leader`. */
  key: z
    .string()
    .min(1)
    .refine((k) => !k.startsWith('/'), { error: 'must not start with "/"' })
    .optional(),
  /** `auto`: primary when the group's AZ is this instance's AZ (or the group has no AZ), else rescue. */
  role: z.enum(['auto', 'primary', 'rescue']).default('auto'),
  /** The AZ the group serves; defaults to `routeTables.azPrivate` when that selector is used. */
  az: z.string().min(1).optional(),
  routeTables: routeTablesSchema,
  destinations: z.array(cidr).min(1).default(['0.0.0.0/0']),
  /** An Elastic IP that follows the leader, so the egress address survives failovers. */
  eipAllocationId: awsId('eipalloc').optional(),
  fallback: fallbackSchema.optional(),
  /** A rescue contends only after the group has had no leader for this long. */
  rescueAfterMs: ms('rescueAfterMs').default(10_000),
  /** A rescue leader resigns once a healthy primary candidate has been available this long. */
  handBackAfterMs: ms('handBackAfterMs').default(30_000),
});

const probeTargetSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('icmp'), host: z.string().min(1) }),
  z.strictObject({ type: z.literal('tcp'), host: z.string().min(1), port: count('port', 1).max(65_535) }),
  z.strictObject({
    type: z.literal('http'),
    url: url('url'),
    /** Any HTTP response proves the path works (a 403 from a CDN is still an answer). */
    anyStatus: z.boolean().default(true),
  }),
  z.strictObject({
    type: z.literal('dns'),
    name: z.string().min(1),
    resolver: z.string().min(1),
  }),
]);

/** What a probe target probes, e.g. `tcp://1.1.1.1:443`: two targets with the same id are one target. */
export function probeTargetId(t: z.output<typeof probeTargetSchema>): string {
  switch (t.type) {
    case 'icmp':
      return `icmp://${t.host}`;
    case 'tcp':
      return `tcp://${t.host}:${t.port}`;
    case 'http':
      return t.url;
    case 'dns':
      return `dns://${t.resolver}/${t.name}`;
  }
}

export const configSchema = z.strictObject({
  consul: z
    .strictObject({
      /** The local Consul agent (`CONSUL_HTTP_ADDR`); `host:port` means http. */
      address: url('consul.address').default('http://127.0.0.1:8500'),
      /** ACL token (`CONSUL_HTTP_TOKEN`). Secret: redacted by check-config and /status. */
      token: z.string().min(1).optional(),
      /** File holding the ACL token (`CONSUL_HTTP_TOKEN_FILE`). */
      tokenFile: z.string().min(1).optional(),
      /** CA bundle for an https address (`CONSUL_CACERT`). */
      caFile: z.string().min(1).optional(),
      datacenter: z.string().min(1).optional(),
      /** Service every agent registers; candidates are its passing instances. */
      serviceName: z
        .string()
        .regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'must be a DNS-safe name (a-z, 0-9, "-")' })
        .default('nat-ha'),
      keyPrefix: z
        .string()
        .min(1)
        .refine((k) => !k.startsWith('/') && !k.endsWith('/'), {
          error: 'must not start or end with "/"',
        })
        .default('nat-ha/groups'),
      /**
       * `nat-ha`: the fast, fenced timings of docs/safety.md (session TTL 10 s tied to serfHealth and
       * the liveness check, lock-delay 1.5 s, retry when the lock-delay can have expired).
       * `consul-defaults`: what HashiCorp's `api/lock.go` / `consul lock` do (TTL 15 s, lock-delay 15 s,
       * serfHealth only, a fixed 5 s retry) — a baseline for measurements, not for production.
       */
      lockProfile: z.enum(['nat-ha', 'consul-defaults']).default('nat-ha'),
      /** Lock-delay of the agent's session; default from `lockProfile` (1 500, or 15 000). */
      lockDelayMs: ms('lockDelayMs').optional(),
      /** TTL of the agent's session (a backstop); default from `lockProfile` (10 000, or 15 000). */
      sessionTtlMs: z
        .number({ error: typeError('sessionTtlMs must be a number of milliseconds') })
        .int('sessionTtlMs must be a whole number of milliseconds')
        .min(10_000, "sessionTtlMs must be at least 10000 (Consul's default session_ttl_min)")
        .max(86_400_000, 'sessionTtlMs must be at most 86400000 (24 h)')
        .optional(),
      /** Interval of the Consul HTTP checks on /health/live and /health. */
      checkIntervalMs: positiveMs('checkIntervalMs').default(1_000),
      /** Timeout of those checks; a wedged agent fails its liveness check within interval + timeout. */
      checkTimeoutMs: positiveMs('checkTimeoutMs').default(500),
      /** Bound of every non-blocking Consul request. */
      requestTimeoutMs: positiveMs('requestTimeoutMs').default(5_000),
    })
    .prefault({}),

  aws: z
    .strictObject({
      /** Default: the instance's region from IMDS (`AWS_REGION`). */
      region: z.string().min(1).optional(),
      /** `AWS_ENDPOINT_URL_EC2`. */
      ec2Endpoint: url('aws.ec2Endpoint').optional(),
      /** `AWS_ENDPOINT_URL_AUTO_SCALING`. */
      autoScalingEndpoint: url('aws.autoScalingEndpoint').optional(),
      /** `AWS_EC2_METADATA_SERVICE_ENDPOINT`. */
      imdsEndpoint: url('aws.imdsEndpoint').optional(),
      /** Bound of each EC2 call (the SDK's own default socket timeout is 15 minutes). */
      requestTimeoutMs: positiveMs('requestTimeoutMs').default(3_000),
      /** Client-side token bucket for mutating EC2 calls: shared with the account's other automation. */
      mutatingBurst: count('mutatingBurst', 1).default(50),
      mutatingPerSecond: z.number().positive().default(5),
    })
    .prefault({}),

  http: z
    .strictObject({
      /** Address of /health/live, /health, /status and /metrics. Keep it on loopback. */
      host: z.string().min(1).default('127.0.0.1'),
      port: count('port', 0).max(65_535).default(9_721),
    })
    .prefault({}),

  health: z
    .strictObject({
      intervalMs: positiveMs('intervalMs').default(1_000),
      timeoutMs: positiveMs('timeoutMs').default(800),
      /** Consecutive passing rounds before unhealthy → healthy. */
      rise: count('rise', 1).default(3),
      /** Consecutive failing rounds before healthy → unhealthy. */
      fall: count('fall', 1).default(2),
      /** Targets that must pass for a round to pass (k of n); default: a majority. */
      quorum: count('quorum', 1).optional(),
      /** Default: net-health's built-in set of independent public targets. */
      targets: z.array(probeTargetSchema).min(1).optional(),
      /** Leave through this address / interface, so probes test this instance's own egress. */
      sourceAddress: z.string().min(1).optional(),
      interface: z.string().min(1).optional(),
    })
    .superRefine((v, ctx) => {
      // The monitor identifies targets by what they probe; a duplicate would also count twice
      // towards the quorum. Caught here so check-config reports it, not `run` at start-up.
      const seen = new Map<string, number>();
      v.targets?.forEach((t, i) => {
        const id = probeTargetId(t);
        const first = seen.get(id);
        if (first === undefined) seen.set(id, i);
        else
          ctx.addIssue({
            code: 'custom',
            path: ['targets', i],
            message: `duplicates targets[${first}] (${id})`,
          });
      });
    })
    .prefault({}),

  dataplane: z
    .strictObject({
      /** `auto`: nftables if `nft` exists, else iptables. `off`: no data plane (lab, non-root). */
      mode: z.enum(['auto', 'nftables', 'iptables', 'off']).default('auto'),
      /** `true`: enable ip_forward and install the MASQUERADE rule; `false`: only verify them. */
      manageNat: z.boolean().default(false),
      /** Default: the interface of the default route. */
      egressInterface: z.string().min(1).optional(),
      /** Sources to masquerade; default: the VPC's CIDR blocks from IMDS. */
      vpcCidrs: z.array(ipv4Cidr).min(1).optional(),
      /**
       * Manage or verify the data plane of this network namespace (`ip netns exec <name>` for nft,
       * iptables, ip and sysctl) instead of the agent's own: for simulations that model each NAT
       * instance as a namespace. Default: the agent's namespace.
       */
      namespace: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'must be a network namespace name' })
        .optional(),
      /** The nftables table nat-agent owns (replaced atomically; nothing else is touched). */
      nftTable: z
        .string()
        .regex(/^[a-z][a-z0-9_]*$/, { error: 'must be a-z, 0-9 and "_"' })
        .default('nat_ha'),
    })
    .prefault({}),

  reconcile: z
    .strictObject({
      /** The leader's drift check (one DescribeRouteTables per group) and data plane re-check. */
      intervalMs: positiveMs('intervalMs').default(30_000),
    })
    .prefault({}),

  interruptions: z
    .strictObject({
      /** IMDS polling of spot / rebalance / lifecycle / maintenance notices. */
      pollIntervalMs: positiveMs('pollIntervalMs').default(5_000),
      /** A rebalance recommendation drains the agent (off: it is only logged). */
      drainOnRebalance: z.boolean().default(false),
      /** Drain this long before a scheduled instance-stop or instance-retirement. */
      maintenanceLeadMs: ms('maintenanceLeadMs').default(600_000),
    })
    .prefault({}),

  drain: z
    .strictObject({
      /** How long a draining agent waits for a successor to hold each lock it released. */
      successorWaitMs: ms('successorWaitMs').default(10_000),
      /** The Terminating lifecycle hook to complete (CONTINUE); without it, none is completed. */
      lifecycleHookName: z.string().min(1).optional(),
    })
    .prefault({}),

  log: z
    .strictObject({
      level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    })
    .prefault({}),

  groups: z
    .array(groupSchema, {
      error: (issue) =>
        issue.input === undefined
          ? 'is required: define at least one election group'
          : 'must be a list of groups',
    })
    .min(1, { error: 'at least one group is required' }),
});

export type AgentConfig = z.output<typeof configSchema>;
export type GroupConfig = z.output<typeof groupSchema>;
export type ProbeTargetConfig = NonNullable<AgentConfig['health']['targets']>[number];

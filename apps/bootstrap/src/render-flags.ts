/**
 * Every flag of `nat-bootstrap render`, with its environment variable and help text, in one table:
 * the parser, `--help` and the README's environment table all come from here.
 */
export interface FlagSpec {
  name: string;
  kind: 'string' | 'boolean';
  multiple?: boolean;
  /** Placeholder in help, e.g. `DIR`. */
  arg?: string;
  help: string;
  /** Extra standard variables read after NAT_HA_BOOTSTRAP_* (e.g. the AWS SDK's own). */
  standardEnv?: readonly string[];
  section: 'General' | 'Discovery' | 'Consul' | 'Secrets' | 'nat-ha' | 'Groups and IAM' | 'AWS endpoints';
}

export const FLAGS: readonly FlagSpec[] = [
  {
    section: 'General',
    name: 'out',
    kind: 'string',
    arg: 'DIR',
    help: 'output directory (required), e.g. /etc/nat-ha',
  },
  {
    section: 'General',
    name: 'role',
    kind: 'string',
    arg: 'server|client',
    help: 'Consul role of this instance (default client)',
  },
  {
    section: 'General',
    name: 'format',
    kind: 'string',
    arg: 'hcl|json',
    help: 'format of the Consul files (default hcl)',
  },
  {
    section: 'General',
    name: 'dry-run',
    kind: 'boolean',
    help: 'print a unified diff of what would change; write nothing',
  },
  {
    section: 'General',
    name: 'wait-for-peers',
    kind: 'string',
    arg: 'N',
    help: 'first wait until N instances match the join selector (this one included)',
  },
  {
    section: 'General',
    name: 'timeout',
    kind: 'string',
    arg: 'DURATION',
    help: 'bound of --wait-for-peers (default 5m)',
  },
  {
    section: 'General',
    name: 'wait-interval',
    kind: 'string',
    arg: 'DURATION',
    help: 'pause between discovery rounds (default 5s)',
  },

  {
    section: 'Discovery',
    name: 'peer-tag',
    kind: 'string',
    arg: 'KEY=VALUE',
    help: 'join the running instances tagged KEY=VALUE in this VPC',
  },
  {
    section: 'Discovery',
    name: 'peer-asg',
    kind: 'string',
    arg: 'NAME',
    help: 'join the InService members of this Auto Scaling group',
  },
  {
    section: 'Discovery',
    name: 'join',
    kind: 'string',
    arg: 'peers|cloud|both',
    help: 'retry_join gets peer IPs, the cloud auto-join string, or both (default both)',
  },

  {
    section: 'Consul',
    name: 'datacenter',
    kind: 'string',
    arg: 'NAME',
    help: 'Consul datacenter (default: the region)',
  },
  {
    section: 'Consul',
    name: 'data-dir',
    kind: 'string',
    arg: 'PATH',
    help: 'Consul data_dir (default /opt/consul/data)',
  },
  {
    section: 'Consul',
    name: 'bootstrap-expect',
    kind: 'string',
    arg: 'N',
    help: 'servers expected at bootstrap (servers only, default 3)',
  },
  {
    section: 'Consul',
    name: 'log-level',
    kind: 'string',
    arg: 'LEVEL',
    help: 'trace|debug|info|warn|error (default info)',
  },
  {
    section: 'Consul',
    name: 'leave-on-terminate',
    kind: 'string',
    arg: 'true|false',
    help: 'default: true for clients, false for servers (as Consul)',
  },
  { section: 'Consul', name: 'acl', kind: 'boolean', help: 'enable ACLs (implied by any --acl-* flag)' },
  { section: 'Consul', name: 'acl-default-policy', kind: 'string', arg: 'allow|deny', help: 'default deny' },
  {
    section: 'Consul',
    name: 'acl-down-policy',
    kind: 'string',
    arg: 'POLICY',
    help: 'extend-cache|allow|deny|async-cache (default extend-cache)',
  },
  {
    section: 'Consul',
    name: 'tls-ca-file',
    kind: 'string',
    arg: 'PATH',
    help: 'CA bundle; enables the tls block',
  },
  {
    section: 'Consul',
    name: 'tls-cert-file',
    kind: 'string',
    arg: 'PATH',
    help: "this agent's certificate (with --tls-key-file)",
  },
  { section: 'Consul', name: 'tls-key-file', kind: 'string', arg: 'PATH', help: "this agent's private key" },
  {
    section: 'Consul',
    name: 'consul-bin',
    kind: 'string',
    arg: 'PATH',
    help: 'consul binary in the unit (default /usr/bin/consul)',
  },
  {
    section: 'Consul',
    name: 'consul-user',
    kind: 'string',
    arg: 'USER',
    help: 'user Consul runs as (default consul)',
  },

  {
    section: 'Secrets',
    name: 'encrypt-file',
    kind: 'string',
    arg: 'PATH',
    help: 'file holding the gossip key (or put the key itself in NAT_HA_BOOTSTRAP_ENCRYPT)',
  },
  {
    section: 'Secrets',
    name: 'acl-agent-token-file',
    kind: 'string',
    arg: 'PATH',
    help: 'file holding acl.tokens.agent',
  },
  {
    section: 'Secrets',
    name: 'acl-default-token-file',
    kind: 'string',
    arg: 'PATH',
    help: 'file holding acl.tokens.default',
  },
  {
    section: 'Secrets',
    name: 'acl-initial-management-token-file',
    kind: 'string',
    arg: 'PATH',
    help: 'file holding acl.tokens.initial_management (servers)',
  },
  {
    section: 'Secrets',
    name: 'acl-agent-recovery-token-file',
    kind: 'string',
    arg: 'PATH',
    help: 'file holding acl.tokens.agent_recovery',
  },
  {
    section: 'Secrets',
    name: 'acl-registration-token-file',
    kind: 'string',
    arg: 'PATH',
    help: 'file holding acl.tokens.config_file_service_registration',
  },

  {
    section: 'nat-ha',
    name: 'consul-only',
    kind: 'boolean',
    help: 'render only the Consul files and unit (a dedicated Consul server)',
  },
  {
    section: 'nat-ha',
    name: 'no-service-file',
    kind: 'boolean',
    help: 'do not render the nat-ha service definition',
  },
  {
    section: 'nat-ha',
    name: 'service-name',
    kind: 'string',
    arg: 'NAME',
    help: 'Consul service name (default nat-ha)',
  },
  {
    section: 'nat-ha',
    name: 'session-ttl',
    kind: 'string',
    arg: 'DURATION',
    help: "nat-agent's session TTL; below 10s servers get session_ttl_min (default 10s)",
  },
  {
    section: 'nat-ha',
    name: 'check-interval',
    kind: 'string',
    arg: 'DURATION',
    help: 'interval of both HTTP checks (default 1s)',
  },
  {
    section: 'nat-ha',
    name: 'check-timeout',
    kind: 'string',
    arg: 'DURATION',
    help: 'timeout of both HTTP checks (default 500ms)',
  },
  {
    section: 'nat-ha',
    name: 'agent-host',
    kind: 'string',
    arg: 'IP',
    help: "nat-agent's HTTP address (default 127.0.0.1)",
  },
  {
    section: 'nat-ha',
    name: 'agent-port',
    kind: 'string',
    arg: 'PORT',
    help: "nat-agent's HTTP port (default 9721)",
  },
  {
    section: 'nat-ha',
    name: 'nat-agent-token-file',
    kind: 'string',
    arg: 'PATH',
    help: "path of nat-agent's Consul token file (written to agent.yaml)",
  },
  {
    section: 'nat-ha',
    name: 'nat-agent-bin',
    kind: 'string',
    arg: 'PATH',
    help: "nat-agent's bundle in the unit (default /usr/lib/nat-ha/nat-agent.js)",
  },
  {
    section: 'nat-ha',
    name: 'node-bin',
    kind: 'string',
    arg: 'PATH',
    help: 'Node.js that runs nat-agent, in the unit (default /usr/bin/node)',
  },
  {
    section: 'nat-ha',
    name: 'nat-agent-user',
    kind: 'string',
    arg: 'USER',
    help: 'user nat-agent runs as (default nat-ha)',
  },
  {
    section: 'nat-ha',
    name: 'manage-nat',
    kind: 'boolean',
    help: 'nat-agent enables ip_forward and MASQUERADE itself',
  },

  {
    section: 'Groups and IAM',
    name: 'group-mode',
    kind: 'string',
    arg: 'per-az|single',
    help: 'one group per AZ (default), or one group for the VPC',
  },
  {
    section: 'Groups and IAM',
    name: 'group-name',
    kind: 'string',
    arg: 'NAME',
    help: 'name of the single group (default vpc)',
  },
  {
    section: 'Groups and IAM',
    name: 'route-table-tag',
    kind: 'string',
    arg: 'KEY[=VALUE]',
    help: "managed tables: per-az KEY=<az>; single KEY=VALUE (default per-az: each AZ's private tables)",
  },
  {
    section: 'Groups and IAM',
    name: 'route-table',
    kind: 'string',
    multiple: true,
    arg: 'rtb-ID',
    help: 'managed table of the single group (repeatable)',
  },
  {
    section: 'Groups and IAM',
    name: 'rescue-az',
    kind: 'string',
    multiple: true,
    arg: 'AZ',
    help: "also serve this AZ's group as a rescue (repeatable, per-az)",
  },
  {
    section: 'Groups and IAM',
    name: 'eip',
    kind: 'string',
    arg: 'eipalloc-ID',
    help: 'Elastic IP that follows the leader',
  },
  {
    section: 'Groups and IAM',
    name: 'fallback-nat-gateway',
    kind: 'string',
    arg: 'nat-ID',
    help: 'NAT gateway to fall back to',
  },
  {
    section: 'Groups and IAM',
    name: 'lifecycle-hook',
    kind: 'string',
    arg: 'NAME',
    help: 'Terminating lifecycle hook to complete',
  },
  {
    section: 'Groups and IAM',
    name: 'lifecycle-asg',
    kind: 'string',
    arg: 'NAME',
    help: "the hook's Auto Scaling group (default --peer-asg)",
  },

  {
    section: 'AWS endpoints',
    name: 'ec2-endpoint',
    kind: 'string',
    arg: 'URL',
    help: 'EC2 API (or AWS_ENDPOINT_URL_EC2)',
    standardEnv: ['AWS_ENDPOINT_URL_EC2'],
  },
  {
    section: 'AWS endpoints',
    name: 'autoscaling-endpoint',
    kind: 'string',
    arg: 'URL',
    help: 'Auto Scaling API (or AWS_ENDPOINT_URL_AUTO_SCALING)',
    standardEnv: ['AWS_ENDPOINT_URL_AUTO_SCALING'],
  },
];

/** `--dry-run` ↔ `NAT_HA_BOOTSTRAP_DRY_RUN`. */
export function envName(flag: string): string {
  return `NAT_HA_BOOTSTRAP_${flag.toUpperCase().replace(/-/g, '_')}`;
}

/** The gossip key itself may come from this variable (never from a flag: argv is world-readable). */
export const ENCRYPT_ENV = 'NAT_HA_BOOTSTRAP_ENCRYPT';

export function renderHelp(): string {
  const sections = [...new Set(FLAGS.map((f) => f.section))];
  const out: string[] = [
    'Usage: nat-bootstrap render --out DIR (--peer-tag KEY=VALUE | --peer-asg NAME) [options]',
    '',
    'Discovers this instance (IMDSv2) and its peers (EC2 tags or Auto Scaling), then writes the Consul',
    'agent config, the nat-ha service definition, agent.yaml, systemd units and the IAM policy to DIR.',
    'Files are replaced atomically and only when their content or mode changes.',
    '',
    'Exit status: 0 nothing changed, 10 something changed (with --dry-run: would change),',
    '             2 bad flags or invalid configuration (nothing written), 1 any other error.',
    '',
  ];
  for (const section of sections) {
    out.push(`${section}:`);
    for (const flag of FLAGS.filter((f) => f.section === section)) {
      const left = `  --${flag.name}${flag.arg == null ? '' : ` ${flag.arg}`}`;
      out.push(`${left.padEnd(44)} ${flag.help}`);
    }
    out.push('');
  }
  out.push(
    'The metadata service is AWS_EC2_METADATA_SERVICE_ENDPOINT (default http://169.254.169.254); the',
    "AWS SDK's credential chain reads the same variable.",
    '',
    'Every flag can also be set through the environment: --dry-run is NAT_HA_BOOTSTRAP_DRY_RUN,',
    '--peer-tag is NAT_HA_BOOTSTRAP_PEER_TAG, and so on (lists comma-separated, booleans true/false).',
    'Flags win over the environment. Secrets are never flags: pass files, or the gossip key in',
    `${ENCRYPT_ENV}.`,
    '',
  );
  return out.join('\n');
}

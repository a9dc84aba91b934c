import { BootstrapError } from './errors';
import type { RenderOptions } from './render-options';

/**
 * Hardened systemd units for Consul and nat-agent, with the rendered paths filled in.
 *
 * Secrets never sit in Consul's config directory: the secrets fragment is root-only (0600) and
 * reaches Consul through `LoadCredential=` (systemd ≥ 247), which copies it into a private,
 * non-swappable directory readable only by the service's user, and `-config-file=` points Consul
 * at that copy.
 */
export interface UnitPaths {
  consulConfigDir: string;
  /** Absolute path of the secrets fragment, when there is one. */
  consulSecretsFile?: string;
  agentConfigFile: string;
  /** Optional NAT_HA_* overrides for nat-agent (`EnvironmentFile=-…`: may be absent). */
  agentEnvironmentFile: string;
}

/** Credential id of the secrets fragment; its extension tells Consul the format. */
export function secretsCredentialName(format: 'hcl' | 'json'): string {
  return `consul-secrets.${format}`;
}

// Characters that need no quoting or escaping in a unit file (no spaces, `%` specifiers, `$`
// expansion, quotes or backslashes). Paths are validated up front; this is the last line of defence.
const UNIT_SAFE = /^[A-Za-z0-9._/@+:=-]+$/;

function unitValue(value: string, what: string): string {
  if (!UNIT_SAFE.test(value)) {
    throw new BootstrapError(
      'INVALID_CONFIG',
      `${what} ${JSON.stringify(value)} cannot be written into a systemd unit`,
    );
  }
  return value;
}

const SANDBOX = [
  'NoNewPrivileges=yes',
  'ProtectSystem=strict',
  'ProtectHome=yes',
  'PrivateTmp=yes',
  'PrivateDevices=yes',
  'ProtectKernelModules=yes',
  'ProtectKernelLogs=yes',
  'ProtectControlGroups=yes',
  'ProtectClock=yes',
  'ProtectHostname=yes',
  'RestrictNamespaces=yes',
  'RestrictRealtime=yes',
  'RestrictSUIDSGID=yes',
  'LockPersonality=yes',
  'SystemCallArchitectures=native',
  'SystemCallFilter=@system-service',
  'SystemCallErrorNumber=EPERM',
  'UMask=0077',
];

export function renderConsulUnit(options: RenderOptions, paths: UnitPaths): string {
  const consul = unitValue(options.consulBinary, '--consul-bin');
  const user = unitValue(options.consulUser, '--consul-user');
  const configDir = unitValue(paths.consulConfigDir, 'the Consul config directory');
  const dataDir = unitValue(options.dataDir, '--data-dir');
  const credential = secretsCredentialName(options.format);
  const secrets =
    paths.consulSecretsFile == null ? undefined : unitValue(paths.consulSecretsFile, 'the secrets file');
  const execStart =
    secrets == null
      ? `ExecStart=${consul} agent -config-dir=${configDir}`
      : `ExecStart=${consul} agent -config-dir=${configDir} -config-file=\${CREDENTIALS_DIRECTORY}/${credential}`;
  return lines([
    '# Rendered by nat-bootstrap; changes are overwritten by the next render.',
    '[Unit]',
    `Description=Consul ${options.role} agent for nat-ha`,
    'Documentation=https://developer.hashicorp.com/consul/docs',
    'Wants=network-online.target',
    'After=network-online.target',
    `ConditionDirectoryNotEmpty=${configDir}`,
    '',
    '[Service]',
    // Consul notifies systemd once it has started (sd_notify), so units ordered after it wait.
    'Type=notify',
    `User=${user}`,
    `Group=${user}`,
    // `+`: runs with full privileges, before the sandbox makes everything but the data dir read-only.
    `ExecStartPre=+/usr/bin/install -d -o ${user} -g ${user} -m 0750 ${dataDir}`,
    ...(secrets == null ? [] : [`LoadCredential=${credential}:${secrets}`]),
    execStart,
    'ExecReload=/bin/kill --signal HUP $MAINPID',
    // SIGTERM to the agent alone: on a client, leave_on_terminate makes it leave the cluster
    // gracefully, which destroys its sessions at once (consul-http-api.md §8.6).
    'KillMode=process',
    'KillSignal=SIGTERM',
    'Restart=on-failure',
    'RestartSec=2',
    'LimitNOFILE=65536',
    `ReadWritePaths=${dataDir}`,
    ...SANDBOX,
    'ProtectKernelTunables=yes',
    'MemoryDenyWriteExecute=yes',
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
    'CapabilityBoundingSet=',
    'AmbientCapabilities=',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ]);
}

/** The allocator settings of apps/nat-agent/packaging/nat-agent.service (a test keeps them equal). */
export const NAT_AGENT_MALLOC_ENVIRONMENT =
  'MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=0 MALLOC_MMAP_THRESHOLD_=16384';

/**
 * nat-agent's unit follows apps/nat-agent/packaging/nat-agent.service (its own user, only the
 * capabilities a NAT needs, check-config before start) with the rendered paths filled in.
 */
export function renderNatAgentUnit(options: RenderOptions, paths: UnitPaths): string {
  const node = unitValue(options.nodeBinary, '--node-bin');
  const agent = unitValue(options.natAgentBinary, '--nat-agent-bin');
  const user = unitValue(options.natAgentUser, '--nat-agent-user');
  const config = unitValue(paths.agentConfigFile, 'the agent config file');
  const environmentFile = unitValue(paths.agentEnvironmentFile, 'the agent environment file');
  return lines([
    '# Rendered by nat-bootstrap; changes are overwritten by the next render.',
    '[Unit]',
    'Description=nat-ha agent: one healthy NAT instance routing per group',
    // The local Consul agent runs the checks this agent's session is tied to.
    'Wants=network-online.target consul.service',
    'After=network-online.target consul.service',
    `ConditionFileNotEmpty=${config}`,
    '',
    '[Service]',
    'Type=simple',
    `User=${user}`,
    `Group=${user}`,
    `EnvironmentFile=-${environmentFile}`,
    // glibc gives freed memory back (apps/nat-agent/packaging/nat-agent.service says why).
    `Environment=${NAT_AGENT_MALLOC_ENVIRONMENT}`,
    // An invalid configuration fails here (exit 2, every problem in the journal) before anything runs.
    `ExecStartPre=${node} ${agent} check-config --config ${config}`,
    `ExecStart=${node} ${agent} run --config ${config}`,
    // SIGTERM drains: nat-agent resigns (no lock-delay for the successor), waits for it to hold the
    // routes, then exits 0; on-failure, not always, so an agent drained for a spot or lifecycle
    // termination stays down.
    'KillSignal=SIGTERM',
    'KillMode=mixed',
    'TimeoutStopSec=30',
    'Restart=on-failure',
    'RestartSec=2',
    // 2 = invalid configuration: restarting cannot help.
    'RestartPreventExitStatus=2',
    // Only what a NAT needs: netfilter and ip_forward (NET_ADMIN), ICMP probes (NET_RAW).
    'AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW',
    'CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW',
    ...SANDBOX,
    'ProtectProc=invisible',
    // With manageNat, nat-agent writes net.ipv4.ip_forward itself, so /proc/sys must stay writable.
    ...(options.natHa.manageNat ? [] : ['ProtectKernelTunables=yes']),
    // No MemoryDenyWriteExecute: V8's JIT needs writable and executable pages.
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
    // iptables-legacy takes /run/xtables.lock; nftables needs no writable path.
    'ReadWritePaths=-/run/xtables.lock',
    'MemoryMax=256M',
    'TasksMax=64',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ]);
}

function lines(list: readonly string[]): string {
  return `${list.join('\n')}\n`;
}

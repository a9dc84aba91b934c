import type { ConfigObject, ConfigValue } from './config-value';
import { formatGoDuration } from './duration';
import type { BootstrapFacts } from './facts';
import { CONSUL_SESSION_TTL_MIN_MS, type RenderOptions } from './render-options';

/**
 * The Consul agent configuration for this instance, split in two fragments that Consul merges:
 * `main` holds everything that may be shown, diffed and logged; `secrets` holds the gossip key and
 * the ACL token values (consul-http-api.md §8.1 `encrypt`, `acl.tokens`). Consul has no
 * "token file" keys, so the tokens are read from files at render time and only ever written to the
 * secrets fragment, which systemd hands to Consul as a credential (see `systemd-units.ts`).
 */
export interface ConsulConfigDocuments {
  main: ConfigObject;
  secrets?: ConfigObject;
}

export function buildConsulConfig(facts: BootstrapFacts, options: RenderOptions): ConsulConfigDocuments {
  const { self } = facts;
  const server = options.role === 'server';
  const main: Record<string, ConfigValue | undefined> = {
    datacenter: options.datacenter ?? self.region,
    // The instance id is unique, stable for the instance's life and free of whitespace or quotes
    // (§8.1 node_name); a replacement instance is a new node, which is what Consul should see.
    node_name: self.instanceId,
    data_dir: options.dataDir,
    server,
    bootstrap_expect: server ? options.bootstrapExpect : undefined,
    // One concrete address rather than `{{ GetPrivateIP }}`: Consul errors out when an instance has
    // several private IPv4 addresses and none is chosen (§8.1 bind_addr).
    bind_addr: self.privateIp,
    advertise_addr: self.privateIp,
    // HTTP and DNS stay on loopback: nat-agent talks to its local agent only.
    client_addr: '127.0.0.1',
    retry_join: retryJoin(facts, options),
    node_meta: { availability_zone: self.availabilityZone },
    log_level: options.logLevel,
    acl:
      options.acl == null
        ? undefined
        : {
            enabled: true,
            default_policy: options.acl.defaultPolicy,
            down_policy: options.acl.downPolicy,
            // Tokens later set through the API (consul acl set-agent-token) survive restarts.
            enable_token_persistence: true,
          },
    tls: tlsBlock(options),
    // raft_multiplier 1: leader loss is detected in about 1 s instead of 5 s (§7.3).
    performance: { raft_multiplier: 1 },
    // Explicit, as Consul's role defaults (§8.1): a client's graceful leave on SIGTERM deregisters
    // the node and destroys its sessions at once instead of after the ~5–7 s serfHealth timeout
    // (§8.6); a server keeps its raft membership across restarts.
    leave_on_terminate: options.leaveOnTerminate ?? !server,
    disable_update_check: true,
    // Only servers enforce the floor on session TTLs (§8.1 session_ttl_min, default 10 s).
    session_ttl_min:
      server && options.natHa.sessionTtlMs < CONSUL_SESSION_TTL_MIN_MS
        ? formatGoDuration(options.natHa.sessionTtlMs)
        : undefined,
  };

  const tokens = options.acl == null ? {} : options.acl.tokens;
  const hasTokens = Object.values(tokens).some((token) => token != null);
  const secrets: Record<string, ConfigValue | undefined> = {
    encrypt: options.encryptKey,
    acl: hasTokens ? { tokens: { ...tokens } } : undefined,
  };
  const hasSecrets = Object.values(secrets).some((value) => value !== undefined);
  return hasSecrets ? { main, secrets } : { main };
}

function retryJoin(facts: BootstrapFacts, options: RenderOptions): string[] {
  const entries: string[] = [];
  if (options.join !== 'cloud') {
    for (const peer of facts.peers) {
      if (peer.instanceId !== facts.self.instanceId && peer.privateIp !== facts.self.privateIp) {
        entries.push(peer.privateIp);
      }
    }
  }
  // The cloud string lets a restarted node find peers that appeared after this render.
  if (options.join !== 'peers') entries.push(facts.cloudAutoJoin);
  return [...new Set(entries)];
}

function tlsBlock(options: RenderOptions): ConfigObject | undefined {
  const tls = options.tls;
  if (tls == null) return undefined;
  const hasCertificate = tls.certFile != null && tls.keyFile != null;
  return {
    defaults: {
      ca_file: tls.caFile,
      cert_file: tls.certFile,
      key_file: tls.keyFile,
      // An agent can only demand certificates from others when it has one to show itself.
      verify_incoming: hasCertificate,
      verify_outgoing: true,
    },
    internal_rpc: { verify_server_hostname: true },
  };
}

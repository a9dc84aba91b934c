import type { ConfigObject } from './config-value';
import { formatGoDuration } from './duration';
import type { BootstrapFacts } from './facts';
import type { NatHaOptions } from './render-options';

/**
 * Check ids of the nat-ha service: `<service>:live` and `<service>:health`. nat-agent ties its
 * Consul session to the live check (plus the node's serfHealth), so these ids are an interface
 * between the two programs, not decoration.
 */
export function liveCheckId(serviceName: string): string {
  return `${serviceName}:live`;
}

export function healthCheckId(serviceName: string): string {
  return `${serviceName}:health`;
}

/** A group this instance serves, and its role there (from `agent.yaml`). */
export interface ServiceGroup {
  name: string;
  role: 'primary' | 'rescue';
}

/**
 * The nat-ha service definition for the local Consul agent (consul-http-api.md §8.4): one service
 * with two HTTP checks on nat-agent's loopback endpoint.
 *
 * nat-agent registers the same service through the agent API at every start
 * (apps/nat-agent/src/adapters/consul-presence.ts). The file carries the same id, checks and meta,
 * so the two never disagree: a `consul reload` that re-applies the file changes nothing nat-agent
 * registered, and the session's check is never replaced (which would destroy the session, §2.7).
 *
 * - `/health/live` answers 200 while the agent process runs. nat-agent's session lists this check,
 *   so an agent that dies or wedges loses its session — and any lock — once the check goes
 *   critical: within one interval plus the timeout (§2.9, §6.8).
 * - `/health` reports the Internet path: 200 passing, 429 warning (degraded), 503 critical (§6.3).
 *   The session does NOT list it: on path loss nat-agent resigns itself, releasing the key before
 *   destroying its session, so the successor is not held back by lock-delay (§2.8).
 *
 * No initial `status`: a new check starts critical (§6.1), so no session can be tied to it before
 * nat-agent has answered once (§2.9).
 */
export function buildServiceDefinition(
  facts: BootstrapFacts,
  natHa: NatHaOptions,
  groups: readonly ServiceGroup[],
): ConfigObject {
  // A wildcard listen address is not an address to call: the checks go to loopback then.
  const host = natHa.httpHost === '0.0.0.0' || natHa.httpHost === '::' ? '127.0.0.1' : natHa.httpHost;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${natHa.httpPort}`;
  const interval = formatGoDuration(natHa.checkIntervalMs);
  const timeout = formatGoDuration(natHa.checkTimeoutMs);
  return {
    service: {
      name: natHa.serviceName,
      id: natHa.serviceName,
      port: natHa.httpPort,
      // nat-agent's meta: who this is, and which groups it can take over (`group-<name>: role`).
      meta: {
        instance_id: facts.self.instanceId,
        availability_zone: facts.self.availabilityZone,
        eni: facts.self.networkInterfaceId,
        ...Object.fromEntries(groups.map((g) => [`group-${g.name}`, g.role])),
      },
      checks: [
        {
          id: liveCheckId(natHa.serviceName),
          name: 'nat-agent process is alive',
          http: `${base}/health/live`,
          method: 'GET',
          interval,
          timeout,
        },
        {
          id: healthCheckId(natHa.serviceName),
          name: 'Internet path through this NAT instance',
          http: `${base}/health`,
          method: 'GET',
          interval,
          timeout,
        },
      ],
    },
  };
}

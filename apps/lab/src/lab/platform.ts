/**
 * Where the lab's pieces run. The default (loopback) platform runs everything on 127.0.0.1 in the
 * lab's own network namespace with `dataplane.mode: off`; the dataplane platform (`--netns`, see
 * src/netns/) runs each agent inside its NAT namespace with real MASQUERADE and gives each instance
 * a real egress path.
 */
import type { InternetPath } from '../internet/internet-path';
import { startLoopbackInternet } from '../internet/loopback-internet';
import type { AgentCommand } from '../process/agent-process';
import type { AgentDataplaneSettings } from '../world/agent-config';
import type { LabInstance } from '../world/topology';

export interface LabPlatform {
  readonly kind: 'loopback' | 'netns';
  /** Address the emulators listen on (reachable by every agent). */
  readonly simHost: string;
  /** How to run an agent for this instance (dataplane mode prefixes `ip netns exec`). */
  agentCommand(instance: LabInstance, base: AgentCommand): AgentCommand;
  /** Where the agent's HTTP server listens (Consul's checks must reach it). */
  agentHttp(instance: LabInstance): { host: string; port: number };
  dataplane(instance: LabInstance): AgentDataplaneSettings;
  startInternet(instance: LabInstance): Promise<InternetPath>;
  /** The instance died / came back (dataplane mode stops and restarts its forwarding). */
  onNodeDown?(instance: LabInstance): Promise<void>;
  onNodeUp?(instance: LabInstance): Promise<void>;
  close(): Promise<void>;
}

export function createLoopbackPlatform(): LabPlatform {
  return {
    kind: 'loopback',
    simHost: '127.0.0.1',
    agentCommand: (_instance, base) => base,
    agentHttp: () => ({ host: '127.0.0.1', port: 0 }),
    dataplane: () => ({ mode: 'off', manageNat: false }),
    startInternet: (instance) => startLoopbackInternet(instance.instanceId),
    close: async () => undefined,
  };
}

/**
 * An instance's "Internet path", as its agent's health probes see it. The lab fails one instance's
 * path without touching the others: on loopback by closing that instance's probe target (the probe
 * gets "connection refused" at once, like a path that answers with a reset), in dataplane mode by
 * taking the NAT namespace's egress link down.
 */
export interface InternetPath {
  readonly instanceId: string;
  /** Where the instance's agent probes (its agent.yaml `health.targets`). */
  readonly targets: readonly { host: string; port: number }[];
  readonly isUp: boolean;
  up(signal?: AbortSignal): Promise<void>;
  down(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

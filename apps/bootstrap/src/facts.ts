/**
 * What nat-bootstrap needs to know about the world, and nothing else. The render pipeline takes
 * these facts as plain data, so it is tested with hand-made facts; `aws-facts.ts` collects them
 * from IMDS and EC2 through @nat-ha/aws-discovery.
 */
export interface InstanceFacts {
  instanceId: string;
  region: string;
  availabilityZone: string;
  accountId: string;
  vpcId: string;
  subnetId: string;
  /** Primary private IPv4: Consul binds to and advertises it. */
  privateIp: string;
  /** Primary ENI: the route target, and the ENI whose source/dest check nat-agent turns off. */
  networkInterfaceId: string;
}

export interface PeerFacts {
  instanceId: string;
  privateIp: string;
  availabilityZone: string;
}

export interface BootstrapFacts {
  self: InstanceFacts;
  /**
   * Running instances that match the join selector (tag or Auto Scaling group), this instance
   * included when it matches. Consul's `retry_join` gets their addresses, minus our own.
   */
  peers: readonly PeerFacts[];
  /** The Consul cloud auto-join string that selects the same instances (consul-http-api.md §8.3). */
  cloudAutoJoin: string;
}

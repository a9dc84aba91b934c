import type { ResolvedGroup } from '../config/resolve-groups';
import type { AgentConfig } from '../config/schema';
import type {
  CandidateSource,
  ClusterView,
  Clock,
  ConsulPresence,
  GroupElection,
  GroupRoutes,
  HealthSource,
  InstanceIdentity,
  InterruptionSource,
  LifecycleHook,
  Logger,
  Metrics,
  Preflight,
} from '../ports';

export interface WiringContext {
  config: AgentConfig;
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
  logger: Logger;
  /** Aborted when the process is told to stop during start-up. */
  signal: AbortSignal;
}

/**
 * Everything that talks to the outside world, built from the libraries (`src/adapters/`). `run`,
 * `plan` and `status` receive it as a factory, so the command logic is tested with fakes and the
 * integration tests run the real thing.
 */
export interface Wiring {
  /** IMDS identity (aws-discovery). */
  identity(signal: AbortSignal): Promise<InstanceIdentity>;
  /** The parts that need the identity and the resolved groups. */
  connect(input: {
    identity: InstanceIdentity;
    groups: readonly ResolvedGroup[];
    /** Where the agent's /health/live and /health are served (the Consul checks' target). */
    httpUrl: string;
    metrics: Metrics;
  }): Promise<ConnectedWiring>;
  /** Read-only Consul view for `status` (no identity needed). */
  cluster(): ClusterView;
  /** EC2 route access alone, with no Consul registration: what `plan` uses. */
  routesFor(identity: InstanceIdentity): (group: ResolvedGroup) => GroupRoutes;
}

export interface ConnectedWiring {
  health: HealthSource;
  candidates: CandidateSource;
  presence: ConsulPresence;
  preflight: Preflight;
  election(group: ResolvedGroup): GroupElection;
  routes(group: ResolvedGroup): GroupRoutes;
  interruptions?: InterruptionSource;
  lifecycle?: LifecycleHook;
  /** Stops monitors and watchers and closes clients. */
  close(): Promise<void>;
}

export type WiringFactory = (context: WiringContext) => Wiring;

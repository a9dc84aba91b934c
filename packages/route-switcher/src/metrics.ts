/**
 * Metrics hooks. The package keeps no counters itself: the app maps these events to its registry
 * (nat-agent: prom-client `ec2_calls_total{action,outcome}`, a latency histogram, throttle counters).
 * Hooks must not throw; an exception from a hook is swallowed so metrics can never break a claim.
 */
export type Ec2CallOutcome =
  /** 2xx. */
  | 'ok'
  /** `DryRunOperation` (412): the dry run would have succeeded. */
  | 'dry_run_ok'
  /** `RequestLimitExceeded` and the other throttling codes. */
  | 'throttled'
  /** 5xx. */
  | 'server_error'
  /** Socket-level failure (ECONNREFUSED, ECONNRESET, …). */
  | 'network_error'
  /** Our hard per-call bound fired, or the SDK's own `TimeoutError`. */
  | 'timeout'
  /** `UnauthorizedOperation` (403). */
  | 'unauthorized'
  /** Any other 4xx. */
  | 'client_error'
  /** The caller's signal aborted the call in flight. */
  | 'aborted';

export interface Ec2CallEvent {
  /** EC2 action name, e.g. `ReplaceRoute`. */
  action: string;
  outcome: Ec2CallOutcome;
  /** EC2 error code when the outcome is not `ok`. */
  ec2Code: string | undefined;
  /** Time from handing the request to the SDK to its settlement, in ms (token waits excluded). */
  latencyMs: number;
  /** 1 for the first attempt of a logical call, 2 for its first retry, … */
  attempt: number;
  dryRun: boolean;
}

export interface TokenWaitEvent {
  action: string;
  /** Time spent waiting for a token of the client-side bucket, in ms. */
  waitMs: number;
}

export interface RouteSwitcherMetrics {
  /** One event per attempt sent to EC2 (calls by action and outcome, and their latency). */
  onEc2Call?(event: Ec2CallEvent): void;
  /** EC2 throttled us (`RequestLimitExceeded`); also reported through `onEc2Call`. */
  onThrottle?(event: { action: string }): void;
  /** A call had to wait for the client-side token bucket (only reported when the wait was > 0). */
  onTokenWait?(event: TokenWaitEvent): void;
}

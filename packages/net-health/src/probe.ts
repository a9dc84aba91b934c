import type { Clock } from './clock';
import type { NetHealthErrorCode } from './errors';

/** Why a probe failed: a stable code from the package's error union and a human-readable message. */
export interface ProbeFailure {
  code: NetHealthErrorCode;
  message: string;
}

/**
 * The one result shape every probe returns, pass or fail. Plain data, so rounds can be kept, logged
 * and served as JSON by the health handler as they are.
 */
export interface ProbeResult {
  /** The probe's label, e.g. `tcp://1.1.1.1:443` or `icmp://9.9.9.9 from eth1`. */
  target: string;
  ok: boolean;
  /** Time to the answer (TCP connect, HTTP response headers, DNS answer, ICMP round trip), or to the failure. */
  latencyMs: number;
  /** Present when `ok` is false. */
  error?: ProbeFailure;
}

export interface ProbeRunOptions {
  /** Aborting rejects the run with `ABORTED`; the attempt is torn down (socket, child process, query). */
  signal?: AbortSignal;
}

/**
 * Anything the monitor can run once per round. The built-in probes never reject except with
 * `ABORTED` when `signal` aborts: every other failure is a result with `ok: false`. Apps can add
 * their own probes with this shape.
 */
export interface Probe {
  readonly target: string;
  /** The probe's own timeout, when it has one; the monitor checks it fits in its round timeout. */
  readonly timeoutMs?: number;
  run(options?: ProbeRunOptions): Promise<ProbeResult>;
}

/** Options every built-in probe shares. */
export interface CommonProbeOptions {
  /** Label used as `target` in results; must be unique within a monitor. Default: derived from the target. */
  name?: string;
  /** Give up after this long and report `PROBE_TIMEOUT`. Default 800 ms. */
  timeoutMs?: number;
  /**
   * Leave through this source address (an IP literal of `family`). On Linux the egress path then
   * follows the policy-routing rules for that source (`ip rule from <addr> lookup <table>`, which
   * amazon-ec2-net-utils installs per ENI).
   */
  localAddress?: string;
  /**
   * Leave through this interface. ICMP binds the device itself (`ping -I <iface>`, SO_BINDTODEVICE);
   * TCP, HTTP and DNS bind the interface's first address of `family`, looked up on every run, because
   * Node cannot bind a socket to a device.
   */
  interface?: string;
  /** Address family to use. Default 4: IPv4 only unless IPv6 is configured (alterNAT's IPv6 DNS pitfall). */
  family?: 4 | 6;
  /** Time source for timeouts and latencies. Default: the monotonic system clock. */
  clock?: Clock;
}

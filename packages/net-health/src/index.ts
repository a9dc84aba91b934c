// Public entry of @nat-ha/net-health: an explicit named barrel (house style 6).

// Errors
export { NetHealthError } from './errors';
export type { NetHealthErrorCode, NetHealthErrorOptions } from './errors';

// Time and logging
export { systemClock } from './clock';
export type { Clock } from './clock';
export { silentLogger } from './logger';
export type { Logger } from './logger';

// Probes
export type { CommonProbeOptions, Probe, ProbeFailure, ProbeResult, ProbeRunOptions } from './probe';
export { DEFAULT_PROBE_TIMEOUT_MS } from './probe-options';
export { createTcpProbe } from './tcp-probe';
export type { TcpProbeOptions } from './tcp-probe';
export { createHttpProbe } from './http-probe';
export type { HttpProbeOptions, HttpProbeTlsOptions } from './http-probe';
export { createDnsProbe } from './dns-probe';
export type { DnsProbeOptions } from './dns-probe';
export { createIcmpProbe } from './icmp-probe';
export type { IcmpProbeOptions } from './icmp-probe';
export { parsePingOutput } from './ping-output';
export type { PingOutcome } from './ping-output';
export { createDefaultProbes, DEFAULT_TARGETS } from './default-probes';
export type { DefaultProbesOptions, DefaultTarget } from './default-probes';

// Monitor
export { createHysteresis } from './hysteresis';
export type { HealthState, Hysteresis, HysteresisOptions } from './hysteresis';
export type { RoundResult } from './round';
export { createMonitor, MONITOR_DEFAULTS } from './monitor';
export type {
  FailureEvidence,
  Monitor,
  MonitorEvents,
  MonitorMetrics,
  MonitorOptions,
  MonitorSnapshot,
  StateChangeEvent,
  TargetStats,
} from './monitor';

// Health endpoint
export { evaluateHealth, HTTP_STATUS_BY_HEALTH } from './health-status';
export type { HealthReport, HealthStatus } from './health-status';
export { createHealthHandler } from './health-handler';
export type { HealthHandler, HealthHandlerOptions } from './health-handler';
export { listenHealth } from './listen-health';
export type { HealthServer, ListenHealthOptions } from './listen-health';

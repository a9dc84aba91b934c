/**
 * One integration suite, two backends (house style 16): the testkit Consul emulator in CI, or a real
 * Consul agent when `CONSUL_HTTP_ADDR` is set. Cases that need the emulator's fault controls (kill,
 * partition, leader loss, setting serfHealth) run only against the emulator and say so in their
 * names.
 */
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import {
  createSystemClock,
  lockHolders,
  startConsul,
  type ConsulEmulator,
  type ConsulEmulatorOptions,
  type ConsulJournalEntry,
  type TestClock,
} from '@nat-ha/testkit';
import {
  createConsulClient,
  createLeaderElection,
  createSession,
  registerHealthService,
  type ConsulClient,
  type DeposedEvent,
  type FencingToken,
  type LeaderElection,
  type LeaderElectionOptions,
  type ManagedSession,
  type RegisteredService,
} from '../src/index';

/** The real agent's address, when the suite should also run against one. */
export const REAL_CONSUL_ADDR = process.env.CONSUL_HTTP_ADDR;
const REAL_CONSUL_TOKEN = process.env.CONSUL_HTTP_TOKEN;

export interface Timing {
  checkIntervalMs: number;
  checkTimeoutMs: number;
  lockDelayMs: number;
  fenceAfterMs: number;
  maxWriteMs: number;
  confirmIntervalMs: number;
  idleConfirmIntervalMs: number;
}

export interface Backend {
  readonly kind: 'emulator' | 'consul';
  /** Node names contenders may use; a real agent offers only its own node. */
  readonly nodes: readonly string[];
  readonly emulator: ConsulEmulator | undefined;
  readonly clock: TestClock;
  readonly timing: Timing;
  agentUrl(node: string): string;
  token: string | undefined;
  journal(): readonly ConsulJournalEntry[];
  close(): Promise<void>;
}

/**
 * Scaled-down timings for the emulator (its check interval floor is lowered through its options),
 * keeping `fenceAfterMs + maxWriteMs < lockDelayMs`. A real agent keeps Consul's 1 s check floor.
 */
export const EMULATOR_TIMING: Timing = {
  checkIntervalMs: 100,
  // Generous: a loaded CI machine must not fail a healthy check. A crash refuses the connection at
  // once, so this does not slow the crash cases.
  checkTimeoutMs: 1_000,
  lockDelayMs: 400,
  fenceAfterMs: 100,
  maxWriteMs: 150,
  confirmIntervalMs: 25,
  // Scaled like the rest: production pairs a 1 s idle cadence with >= 5 s of failure detection.
  idleConfirmIntervalMs: 50,
};

const REAL_TIMING: Timing = { ...EMULATOR_TIMING, checkIntervalMs: 1_000, checkTimeoutMs: 500 };

/** The backends the suite runs against: always the emulator, plus the real agent when one is given. */
export const BACKENDS: readonly Backend['kind'][] =
  REAL_CONSUL_ADDR != null && REAL_CONSUL_ADDR !== '' ? ['emulator', 'consul'] : ['emulator'];

export async function startBackend(
  kind: Backend['kind'],
  options: ConsulEmulatorOptions = {},
): Promise<Backend> {
  const clock = createSystemClock();
  if (kind === 'consul' && REAL_CONSUL_ADDR != null) {
    const base = /^https?:\/\//.test(REAL_CONSUL_ADDR) ? REAL_CONSUL_ADDR : `http://${REAL_CONSUL_ADDR}`;
    const probe = createConsulClient({
      baseUrl: base,
      ...(REAL_CONSUL_TOKEN == null ? {} : { token: REAL_CONSUL_TOKEN }),
    });
    const self = await probe.agent.self();
    await probe.close();
    return {
      kind: 'consul',
      nodes: [self.nodeName],
      emulator: undefined,
      clock,
      timing: REAL_TIMING,
      agentUrl: () => base,
      token: REAL_CONSUL_TOKEN,
      journal: () => [],
      close: async () => undefined,
    };
  }
  const emulator = await startConsul({
    nodes: ['n1', 'n2', 'n3'],
    clock,
    minCheckIntervalMs: 10,
    failureDetectionMs: 300,
    rpcHoldTimeoutMs: 500,
    ...options,
  });
  return {
    kind: 'emulator',
    nodes: emulator.nodes,
    emulator,
    clock,
    timing: EMULATOR_TIMING,
    agentUrl: (node) => emulator.agentUrl(node),
    token: undefined,
    journal: () => emulator.journal(),
    close: () => emulator.close(),
  };
}

export interface Observed {
  at: number;
  type: 'elected' | 'deposed' | 'error';
  token?: FencingToken;
  reason?: DeposedEvent['reason'];
  code?: string;
  message?: string;
}

/** An in-process stand-in for a nat-agent: a health endpoint Consul checks, a session tied to it, an election. */
export interface Contender {
  readonly node: string;
  readonly consul: ConsulClient;
  readonly service: RegisteredService;
  readonly session: ManagedSession;
  readonly election: LeaderElection;
  readonly events: Observed[];
  /** Debug events of the election's logger, e.g. `lock_refused`. */
  readonly logged: { at: number; event: string }[];
  /** Makes the health endpoint answer 500 (the process is alive but reports itself unhealthy). */
  unhealthy(): void;
  /** Closes the health endpoint: Consul's check gets connection refused, as after a crash. */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

export async function startContender(
  backend: Backend,
  node: string,
  key: string,
  overrides: Partial<LeaderElectionOptions> & { token?: string; serviceId?: string } = {},
): Promise<Contender> {
  const { clock, timing } = backend;
  let status = 200;
  const health: Server = createServer((_req, res) => {
    res.statusCode = status;
    res.end(status === 200 ? 'ok' : 'unhealthy');
  });
  await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
  const token = overrides.token ?? backend.token;
  const consul = createConsulClient({
    baseUrl: backend.agentUrl(node),
    clock,
    requestTimeoutMs: 2_000,
    ...(token == null ? {} : { token }),
  });
  const serviceId = overrides.serviceId ?? `contender-${node}-${Math.random().toString(36).slice(2, 8)}`;
  const service = await registerHealthService(consul, {
    name: 'consul-lock-it',
    id: serviceId,
    healthUrl: `http://127.0.0.1:${(health.address() as AddressInfo).port}/health`,
    intervalMs: timing.checkIntervalMs,
    timeoutMs: timing.checkTimeoutMs,
  });
  const logged: Contender['logged'] = [];
  const note = (fields: Record<string, unknown>): void => {
    if (typeof fields.event === 'string') logged.push({ at: clock.now(), event: fields.event });
  };
  const logger = { debug: note, info: note, warn: note, error: note };
  const session = createSession({
    consul,
    clock,
    logger,
    name: `consul-lock-it ${node}`,
    ttlMs: 10_000,
    lockDelayMs: timing.lockDelayMs,
    ...service.sessionChecks,
    retryBaseMs: 20,
    retryMaxMs: 200,
  });
  const election = createLeaderElection({
    consul,
    key,
    value: node,
    session,
    clock,
    logger,
    fenceAfterMs: timing.fenceAfterMs,
    maxWriteMs: timing.maxWriteMs,
    confirmIntervalMs: timing.confirmIntervalMs,
    idleConfirmIntervalMs: timing.idleConfirmIntervalMs,
    retryBaseMs: 20,
    retryMaxMs: 200,
    ...overrides,
  });
  const events: Observed[] = [];
  election.on('elected', (t) => events.push({ at: clock.now(), type: 'elected', token: t }));
  election.on('deposed', (e) =>
    events.push({ at: clock.now(), type: 'deposed', token: e.token, reason: e.reason }),
  );
  election.on('error', (e) =>
    events.push({ at: clock.now(), type: 'error', code: e.code, message: e.message }),
  );
  session.on('error', (e) =>
    events.push({ at: clock.now(), type: 'error', code: e.code, message: e.message }),
  );
  let closed = false;
  const closeHealth = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    health.closeAllConnections();
    await new Promise((resolve) => health.close(resolve));
  };
  return {
    node,
    consul,
    service,
    session,
    election,
    events,
    logged,
    unhealthy: () => {
      status = 500;
    },
    crash: closeHealth,
    async stop() {
      await election.resign().catch(() => undefined);
      await session.destroy().catch(() => undefined);
      await service.deregister({ timeoutMs: 1_000 }).catch(() => undefined);
      await consul.close();
      await closeHealth();
    },
  };
}

/** Polls `condition` every 5 ms of real time, up to `timeoutMs`. */
export async function waitFor(
  condition: () => boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Lock periods of `key` from the journal; asserts none overlaps the next (a split brain). */
export function holdersWithoutOverlap(journal: readonly ConsulJournalEntry[], key: string) {
  const intervals = lockHolders(journal, key);
  for (let i = 1; i < intervals.length; i++) {
    const prev = intervals[i - 1]!;
    const next = intervals[i]!;
    if (prev.to == null || prev.to > next.from || (prev.toIndex ?? Infinity) >= next.fromIndex) {
      throw new Error(`lock periods overlap: ${JSON.stringify(prev)} and ${JSON.stringify(next)}`);
    }
  }
  return intervals;
}

import { createSession, type ConsulClient, type ManagedSession } from '@nat-ha/consul-lock';
import type { LockTiming } from '../config/lock-timing';
import type { ResolvedGroup } from '../config/resolve-groups';
import { describeError } from '../errors';
import type { Clock, ConsulPresence, InstanceIdentity, Logger, Metrics } from '../ports';
import { toLibraryLogger } from './library-logger';
import { cappedDoublingMs } from '../core/capped-doubling';

export interface ConsulPresenceOptions {
  consul: ConsulClient;
  serviceName: string;
  identity: InstanceIdentity;
  groups: readonly ResolvedGroup[];
  /** Base URL of this agent's HTTP server: the checks GET `/health/live` and `/health` there. */
  httpUrl: string;
  checkIntervalMs: number;
  checkTimeoutMs: number;
  lock: Pick<LockTiming, 'lockDelayMs' | 'sessionTtlMs' | 'sessionOnLiveness'>;
  requestTimeoutMs: number;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
}

export const META_INSTANCE = 'instance_id';
export const META_AZ = 'availability_zone';
/** `group-<name>: primary|rescue` — how other agents learn who can take over which group. */
export const META_GROUP_PREFIX = 'group-';

/** Check ids shared with nat-bootstrap's service definition (`<service>:live`, `<service>:health`). */
export const liveCheckId = (service: string) => `${service}:live`;
export const healthCheckId = (service: string) => `${service}:health`;

export interface ConsulPresenceHandle extends ConsulPresence {
  /** The shared session every group's election uses (available after `start`). */
  session(): ManagedSession;
}

/**
 * The agent in Consul: the service with its two checks, and the ONE session tied to `serfHealth` and
 * to the liveness check only (consul-http-api.md §2.9, §6.8). Path health is the second check and
 * is deliberately not on the session: losing the path must make the leader resign (release first,
 * no lock-delay), not make Consul destroy the session (lock-delay for the successor).
 */
export function createConsulPresence(options: ConsulPresenceOptions): ConsulPresenceHandle {
  const { consul, serviceName, identity, logger, metrics, clock } = options;
  const serviceId = serviceName;
  let session: ManagedSession | undefined;
  let registered = false;
  /** One nat-agent per instance: this name identifies every session an agent here ever created. */
  const sessionName = `nat-ha ${identity.instanceId}`;

  const meta: Record<string, string> = {
    [META_INSTANCE]: identity.instanceId,
    [META_AZ]: identity.az,
    eni: identity.networkInterfaceId,
  };
  for (const g of options.groups) meta[`${META_GROUP_PREFIX}${g.name}`] = g.role;

  async function register(signal: AbortSignal): Promise<void> {
    const port = Number(new URL(options.httpUrl).port);
    await consul.agent.registerService(
      {
        name: serviceName,
        id: serviceId,
        meta,
        port,
        checks: [
          {
            id: liveCheckId(serviceName),
            name: 'nat-agent process is alive',
            http: `${options.httpUrl}/health/live`,
            method: 'GET',
            intervalMs: options.checkIntervalMs,
            timeoutMs: options.checkTimeoutMs,
            // Our HTTP server is already answering: start passing so the session can be created now
            // (a critical check refuses session creation, §2.9). Consul re-runs it within an interval.
            status: 'passing',
          },
          {
            id: healthCheckId(serviceName),
            name: 'Internet path through this NAT instance',
            http: `${options.httpUrl}/health`,
            method: 'GET',
            intervalMs: options.checkIntervalMs,
            timeoutMs: options.checkTimeoutMs,
            // Unknown until the agent says otherwise: others must not count us as a candidate yet.
            status: 'critical',
          },
        ],
      },
      { replaceExistingChecks: true, signal, timeoutMs: options.requestTimeoutMs },
    );
    registered = true;
  }

  /**
   * Sessions of this agent's node with our name belong to an earlier nat-agent process on this
   * instance: one that crashed or was killed and restarted before Consul recorded its liveness check
   * as critical (a fast restart, or no Consul leader to commit the status). Re-registering the
   * service makes that check pass again, so such a session — and the lock it may hold — would live
   * on until its TTL runs out (2×TTL, §2.6) and no agent could take the group meanwhile. Destroying
   * it releases its locks with lock-delay (§2.7), exactly as if Consul had seen the process die.
   */
  async function destroyOrphanSessions(signal: AbortSignal): Promise<void> {
    const call = { signal, timeoutMs: options.requestTimeoutMs };
    const { nodeName } = await consul.agent.self(call);
    const { sessions } = await consul.session.node(nodeName, { ...call, consistency: 'consistent' });
    for (const orphan of sessions.filter((x) => x.name === sessionName)) {
      await consul.session.destroy(orphan.id, call);
      metrics.orphanSessionDestroyed();
      logger.event('warn', 'orphan_session_destroyed', {
        session: orphan.id,
        node: nodeName,
        createIndex: orphan.createIndex,
      });
    }
  }

  /**
   * Runs a start-up step until it succeeds, backing off 250 ms doubling to 5 s. A non-retryable
   * error ends the loop: rethrown when `required`, otherwise logged and skipped.
   */
  async function untilDone(
    operation: string,
    fn: (signal: AbortSignal) => Promise<void>,
    required: boolean,
    signal: AbortSignal,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await fn(signal);
        return;
      } catch (error) {
        if (signal.aborted) throw error;
        const e = describeError(error);
        metrics.consulError(operation, e.code);
        logger.event('warn', 'consul_error', { operation, error: e, attempt });
        if (!required && !e.retryable) return;
        await clock.sleep(cappedDoublingMs(attempt, 250, 5_000), signal);
      }
    }
  }

  return {
    async start(signal) {
      await untilDone('register', register, true, signal);
      // Without it (an ACL without session read, say) a predecessor's session still ends at its TTL.
      await untilDone('orphan-sessions', destroyOrphanSessions, false, signal);
      const s = createSession({
        consul,
        name: sessionName,
        lockDelayMs: options.lock.lockDelayMs,
        ttlMs: options.lock.sessionTtlMs,
        nodeChecks: ['serfHealth'],
        // The consul-defaults baseline ties the session to serfHealth only, as api/lock.go does (§5.3).
        serviceChecks: options.lock.sessionOnLiveness ? [liveCheckId(serviceName)] : [],
        requestTimeoutMs: options.requestTimeoutMs,
        clock,
        logger: toLibraryLogger(logger, 'session'),
      });
      s.on('created', (id) => logger.event('info', 'session_created', { session: id }));
      s.on('lost', (e) => {
        metrics.consulError('session', e.reason);
        logger.event('warn', 'session_lost', { session: e.id, reason: e.reason, error: e.error?.message });
      });
      s.on('error', (e) => {
        metrics.consulError('session', e.code);
        logger.event('warn', 'consul_error', { operation: 'session', error: describeError(e) });
      });
      session = s;
      await s.ready(signal);
    },
    session() {
      if (session === undefined) throw new Error('consul presence not started');
      return session;
    },
    async stop() {
      const bound = AbortSignal.timeout(options.requestTimeoutMs);
      try {
        await session?.destroy(bound);
      } catch (error) {
        logger.event('warn', 'consul_error', { operation: 'session-destroy', error: describeError(error) });
      }
      if (!registered) return;
      try {
        await consul.agent.deregisterService(serviceId, { signal: bound });
        registered = false;
      } catch (error) {
        logger.event('warn', 'consul_error', { operation: 'deregister', error: describeError(error) });
      }
    },
    describe: () => ({
      serviceId,
      registered,
      ...(session?.id === undefined ? {} : { session: session.id }),
    }),
  };
}

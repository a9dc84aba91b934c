import {
  ConsulLockError,
  createLeaderElection,
  type ConsulClient,
  type LeaderElection,
  type ManagedSession,
} from '@nat-ha/consul-lock';
import { describeError, NatAgentError } from '../errors';
import type { Clock, ElectionEvent, GroupElection, Logger, Metrics } from '../ports';
import { toLibraryLogger } from './library-logger';

export interface ConsulElectionOptions {
  consul: ConsulClient;
  group: string;
  key: string;
  /** Stored in the key while held: who leads, readable by `nat-agent status` and operators. */
  value: string;
  session: ManagedSession;
  lockDelayMs: number;
  /** A fixed retry after a lock-delay refusal (consul-defaults baseline); default lock-delay aware. */
  lockRetryMs?: number;
  requestTimeoutMs: number;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
}

/**
 * One group's lock over the agent's shared session. consul-lock's `resign()` is final (it also ends
 * the election's key watch), while a nat-agent group may contend again later (after a hand-back, a
 * recovered path): so after each resign this adapter starts a fresh election that only follows the
 * key until the core asks it to contend.
 */
export function createConsulElection(options: ConsulElectionOptions): GroupElection {
  const listeners = new Set<(e: ElectionEvent) => void>();
  const emit = (e: ElectionEvent) => {
    for (const l of [...listeners]) l(e);
  };
  let wanted = false;
  let closed = false;
  let current: { election: LeaderElection; stop: AbortController; detach: () => void };

  function start(): void {
    const stop = new AbortController();
    const election = createLeaderElection({
      consul: options.consul,
      key: options.key,
      value: options.value,
      session: options.session,
      lockDelayMs: options.lockDelayMs,
      ...(options.lockRetryMs == null ? {} : { lockRetryMs: options.lockRetryMs }),
      requestTimeoutMs: options.requestTimeoutMs,
      contend: wanted,
      clock: options.clock,
      logger: toLibraryLogger(options.logger, `election:${options.group}`),
      signal: stop.signal,
    });
    const onElected = (token: { key: string; session: string; lockIndex: number }) =>
      emit({
        type: 'elected',
        token: { key: token.key, session: token.session, lockIndex: token.lockIndex },
      });
    const onDeposed = (e: { reason: string; error?: ConsulLockError }) =>
      emit({ type: 'deposed', reason: e.error === undefined ? e.reason : `${e.reason}: ${e.error.message}` });
    const onHolder = (view: { holder: 'self' | 'other' | 'none' | 'unknown'; session?: string }) =>
      emit({
        type: 'holder',
        view: { holder: view.holder, ...(view.session === undefined ? {} : { session: view.session }) },
      });
    const onError = (error: ConsulLockError) => {
      options.metrics.consulError('election', error.code);
      options.logger.event('warn', 'consul_error', {
        group: options.group,
        operation: 'election',
        error: describeError(error),
      });
    };
    election.on('elected', onElected);
    election.on('deposed', onDeposed);
    election.on('holder', onHolder);
    election.on('error', onError);
    current = {
      election,
      stop,
      detach: () => {
        election.off('elected', onElected);
        election.off('holder', onHolder);
        election.off('error', onError);
        // 'deposed' stays attached: the resign's own deposition must still reach the core.
      },
    };
  }
  start();

  return {
    contend() {
      wanted = true;
      current.election.contend();
    },
    withdraw() {
      wanted = false;
      current.election.withdraw();
    },
    async resign() {
      const old = current;
      wanted = false;
      try {
        await old.election.resign(AbortSignal.timeout(options.requestTimeoutMs * 2));
      } catch (error) {
        // The release failed (Consul unreachable): the lease fence still stops our writes, and the
        // session's checks or TTL end the lock. Nothing else to do here but say so.
        options.metrics.consulError('resign', describeError(error).code);
        options.logger.event('warn', 'consul_error', {
          group: options.group,
          operation: 'resign',
          error: describeError(error),
        });
      }
      old.detach();
      old.stop.abort();
      if (!closed) start();
    },
    async withLease(fn, signal) {
      try {
        return await current.election.withLease((lease) => fn(lease), signal);
      } catch (error) {
        if (ConsulLockError.isInstance(error) && error.code === 'CONSUL_LOCK_LOST') {
          throw new NatAgentError('LEASE_LOST', `group ${options.group}: ${error.message}`, { cause: error });
        }
        throw error;
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      current.detach();
      current.stop.abort();
      listeners.clear();
    },
  };
}

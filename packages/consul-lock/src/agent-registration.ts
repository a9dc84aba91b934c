import { type AgentCallOptions, type CheckStatus } from './agent-api';
import { type ConsulClient } from './consul-client';
import { ConsulLockError } from './errors';
import { requireMs, TIMING_DEFAULTS } from './timing';

interface CommonServiceOptions {
  /** Service name, e.g. `nat-agent`. */
  name: string;
  /** Service id. Default: `name`. */
  id?: string;
  /** Check id. Default `service:<id>`, Consul's own default for a service's single check (§6.1). */
  checkId?: string;
  checkName?: string;
  tags?: readonly string[];
  meta?: Record<string, string>;
  address?: string;
  port?: number;
  /** Status the check starts in. Default: Consul's `critical` (§6.1), so no session can list it before it has passed once. */
  initialStatus?: CheckStatus;
  /** Let Consul deregister the service after its check stayed critical this long (minimum 1 min, §6.1). */
  deregisterCriticalServiceAfterMs?: number;
  signal?: AbortSignal;
}

export interface HealthServiceOptions extends CommonServiceOptions {
  /** The local health endpoint the agent GETs, e.g. `http://127.0.0.1:9100/health`. 2xx passes, anything else is critical (§6.3). */
  healthUrl: string;
  /** Check interval, ms. Default 1 000: Consul's floor. */
  intervalMs?: number;
  /** Check timeout, ms. Default 500: a hung process fails within interval + timeout. */
  timeoutMs?: number;
}

export interface TtlServiceOptions extends CommonServiceOptions {
  /** The check turns critical when not updated within this time, ms (§6.2). Default 10 000. */
  ttlMs?: number;
}

export interface RegisteredService {
  serviceId: string;
  checkId: string;
  /** What to give `createSession` so the session dies with the node and with this check (§2.9). */
  sessionChecks: { nodeChecks: string[]; serviceChecks: string[] };
  /** Removes the service and its check; sessions listing the check are destroyed (§6.1). */
  deregister(options?: AgentCallOptions): Promise<void>;
}

export interface RegisteredTtlService extends RegisteredService {
  /** Sets the TTL check's status and restarts its TTL clock (§6.2). */
  update(status: CheckStatus, output?: string, options?: AgentCallOptions): Promise<void>;
  pass(output?: string, options?: AgentCallOptions): Promise<void>;
  fail(output?: string, options?: AgentCallOptions): Promise<void>;
}

function identity(options: CommonServiceOptions): { serviceId: string; checkId: string } {
  if (typeof options.name !== 'string' || options.name === '') {
    throw new ConsulLockError('INVALID_OPTION', 'name (the service name) must be a non-empty string');
  }
  const serviceId = options.id ?? options.name;
  return { serviceId, checkId: options.checkId ?? `service:${serviceId}` };
}

function registered(
  consul: Pick<ConsulClient, 'agent'>,
  serviceId: string,
  checkId: string,
): RegisteredService {
  return {
    serviceId,
    checkId,
    sessionChecks: { nodeChecks: ['serfHealth'], serviceChecks: [checkId] },
    deregister: (options) => consul.agent.deregisterService(serviceId, options),
  };
}

/**
 * Registers this agent as a Consul service whose HTTP check GETs the agent's own health endpoint.
 * A session that lists the check (see `sessionChecks`) dies the moment the check goes critical
 * (§2.9, §6.8): when the process dies, hangs, or reports itself unhealthy.
 */
export async function registerHealthService(
  consul: Pick<ConsulClient, 'agent'>,
  options: HealthServiceOptions,
): Promise<RegisteredService> {
  const { serviceId, checkId } = identity(options);
  let url: URL;
  try {
    url = new URL(options.healthUrl);
  } catch (err) {
    throw new ConsulLockError(
      'INVALID_OPTION',
      `healthUrl must be an absolute URL (got ${JSON.stringify(options.healthUrl)})`,
      {
        cause: err,
      },
    );
  }
  const intervalMs = requireMs('intervalMs', options.intervalMs ?? TIMING_DEFAULTS.checkIntervalMs, 1);
  const timeoutMs = requireMs('timeoutMs', options.timeoutMs ?? TIMING_DEFAULTS.checkTimeoutMs, 1);
  await consul.agent.registerService(
    {
      name: options.name,
      id: serviceId,
      tags: options.tags,
      meta: options.meta,
      address: options.address,
      port: options.port,
      checks: [
        {
          id: checkId,
          name: options.checkName ?? `${options.name} health`,
          http: url.toString(),
          intervalMs,
          timeoutMs,
          status: options.initialStatus,
          deregisterCriticalServiceAfterMs: options.deregisterCriticalServiceAfterMs,
        },
      ],
    },
    { replaceExistingChecks: true, signal: options.signal },
  );
  return registered(consul, serviceId, checkId);
}

/** The TTL-check variant: the agent itself reports its health with `pass()` / `fail()` before `ttlMs` runs out. */
export async function registerTtlService(
  consul: Pick<ConsulClient, 'agent'>,
  options: TtlServiceOptions,
): Promise<RegisteredTtlService> {
  const { serviceId, checkId } = identity(options);
  const ttlMs = requireMs('ttlMs', options.ttlMs ?? TIMING_DEFAULTS.sessionTtlMs, 1);
  await consul.agent.registerService(
    {
      name: options.name,
      id: serviceId,
      tags: options.tags,
      meta: options.meta,
      address: options.address,
      port: options.port,
      checks: [
        {
          id: checkId,
          name: options.checkName ?? `${options.name} heartbeat`,
          ttlMs,
          status: options.initialStatus,
          deregisterCriticalServiceAfterMs: options.deregisterCriticalServiceAfterMs,
        },
      ],
    },
    { replaceExistingChecks: true, signal: options.signal },
  );
  const update = (status: CheckStatus, output?: string, callOptions?: AgentCallOptions): Promise<void> =>
    consul.agent.updateTtlCheck(checkId, status, output, callOptions);
  return {
    ...registered(consul, serviceId, checkId),
    update,
    pass: (output, callOptions) => update('passing', output, callOptions),
    fail: (output, callOptions) => update('critical', output, callOptions),
  };
}

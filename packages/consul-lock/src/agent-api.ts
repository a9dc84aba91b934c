import { type ConsulTransport } from './consul-transport';
import { ConsulLockError } from './errors';
import { formatGoDuration } from './go-duration';

export type CheckStatus = 'passing' | 'warning' | 'critical';

/** A check definition (§6.1, §6.2). Durations are in ms and sent as Go durations. */
export interface CheckDefinition {
  /** `CheckID`. Consul defaults it to `service:<service-id>` for a service's single check (§6.1). */
  id?: string | undefined;
  name?: string | undefined;
  /** HTTP check: the URL the agent GETs every `intervalMs`; 2xx passes, 429 warns, anything else is critical (§6.3). */
  http?: string | undefined;
  method?: string | undefined;
  header?: Record<string, string[]> | undefined;
  tlsSkipVerify?: boolean | undefined;
  tlsServerName?: string | undefined;
  intervalMs?: number | undefined;
  timeoutMs?: number | undefined;
  /** TTL check: critical unless updated within this time (§6.2). */
  ttlMs?: number | undefined;
  /** Initial status. Consul starts new checks `critical` when omitted (§6.1). */
  status?: CheckStatus | undefined;
  notes?: string | undefined;
  deregisterCriticalServiceAfterMs?: number | undefined;
  successBeforePassing?: number | undefined;
  failuresBeforeCritical?: number | undefined;
  /** For `registerCheck` only: attach the check to this service. */
  serviceId?: string | undefined;
}

export interface ServiceDefinition {
  name: string;
  id?: string | undefined;
  tags?: readonly string[] | undefined;
  address?: string | undefined;
  port?: number | undefined;
  meta?: Record<string, string> | undefined;
  checks?: readonly CheckDefinition[] | undefined;
}

export interface AgentSelf {
  nodeName: string;
  datacenter: string;
}

export interface AgentCheck {
  checkId: string;
  name: string;
  status: string;
  output: string;
  serviceId: string;
}

export interface AgentCallOptions {
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

export interface AgentApi {
  self(options?: AgentCallOptions): Promise<AgentSelf>;
  registerService(
    service: ServiceDefinition,
    options?: AgentCallOptions & { replaceExistingChecks?: boolean },
  ): Promise<void>;
  deregisterService(serviceId: string, options?: AgentCallOptions): Promise<void>;
  registerCheck(check: CheckDefinition & { name: string }, options?: AgentCallOptions): Promise<void>;
  deregisterCheck(checkId: string, options?: AgentCallOptions): Promise<void>;
  /** `PUT /v1/agent/check/update/:id` (§6.2): sets a TTL check's status and resets its TTL clock. */
  updateTtlCheck(
    checkId: string,
    status: CheckStatus,
    output?: string,
    options?: AgentCallOptions,
  ): Promise<void>;
  /** `GET /v1/agent/checks`: this agent's checks by id. */
  checks(options?: AgentCallOptions): Promise<Record<string, AgentCheck>>;
}

export function checkBody(check: CheckDefinition): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const set = (name: string, value: unknown): void => {
    if (value !== undefined) body[name] = value;
  };
  set('CheckID', check.id);
  set('Name', check.name);
  set('HTTP', check.http);
  set('Method', check.method);
  set('Header', check.header);
  set('TLSSkipVerify', check.tlsSkipVerify);
  set('TLSServerName', check.tlsServerName);
  set('Interval', check.intervalMs == null ? undefined : formatGoDuration(check.intervalMs));
  set('Timeout', check.timeoutMs == null ? undefined : formatGoDuration(check.timeoutMs));
  set('TTL', check.ttlMs == null ? undefined : formatGoDuration(check.ttlMs));
  set('Status', check.status);
  set('Notes', check.notes);
  set(
    'DeregisterCriticalServiceAfter',
    check.deregisterCriticalServiceAfterMs == null
      ? undefined
      : formatGoDuration(check.deregisterCriticalServiceAfterMs),
  );
  set('SuccessBeforePassing', check.successBeforePassing);
  set('FailuresBeforeCritical', check.failuresBeforeCritical);
  set('ServiceID', check.serviceId);
  return body;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConsulLockError('CONSUL_PROTOCOL', `${what} answered non-JSON`, { cause: err });
  }
}

export function createAgentApi(transport: ConsulTransport): AgentApi {
  const put = async (
    path: string,
    body: unknown,
    options: AgentCallOptions,
    what: string,
    query = {},
  ): Promise<void> => {
    await transport.send({
      method: 'PUT',
      path,
      query,
      ...(body === undefined ? {} : { body: body as object }),
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      what,
    });
  };
  return {
    async self(options = {}) {
      const what = 'GET /v1/agent/self';
      const res = await transport.send({ method: 'GET', path: '/v1/agent/self', ...options, what });
      const config = (
        parseJson(res.text, what) as { Config?: { NodeName?: unknown; Datacenter?: unknown } } | null
      )?.Config;
      if (typeof config?.NodeName !== 'string')
        throw new ConsulLockError('CONSUL_PROTOCOL', `${what} has no Config.NodeName`);
      return {
        nodeName: config.NodeName,
        datacenter: typeof config.Datacenter === 'string' ? config.Datacenter : '',
      };
    },
    registerService(service, options = {}) {
      if (service.name === '') throw new ConsulLockError('INVALID_OPTION', 'service name must not be empty');
      const body: Record<string, unknown> = { Name: service.name };
      if (service.id != null) body.ID = service.id;
      if (service.tags != null) body.Tags = [...service.tags];
      if (service.address != null) body.Address = service.address;
      if (service.port != null) body.Port = service.port;
      if (service.meta != null) body.Meta = service.meta;
      if (service.checks != null) body.Checks = service.checks.map(checkBody);
      return put('/v1/agent/service/register', body, options, 'PUT /v1/agent/service/register', {
        'replace-existing-checks': options.replaceExistingChecks === true,
      });
    },
    deregisterService(serviceId, options = {}) {
      return put(
        `/v1/agent/service/deregister/${encodeURIComponent(serviceId)}`,
        undefined,
        options,
        'PUT /v1/agent/service/deregister',
      );
    },
    registerCheck(check, options = {}) {
      return put('/v1/agent/check/register', checkBody(check), options, 'PUT /v1/agent/check/register');
    },
    deregisterCheck(checkId, options = {}) {
      return put(
        `/v1/agent/check/deregister/${encodeURIComponent(checkId)}`,
        undefined,
        options,
        'PUT /v1/agent/check/deregister',
      );
    },
    updateTtlCheck(checkId, status, output, options = {}) {
      return put(
        `/v1/agent/check/update/${encodeURIComponent(checkId)}`,
        { Status: status, Output: output ?? '' },
        options,
        'PUT /v1/agent/check/update',
      );
    },
    async checks(options = {}) {
      const what = 'GET /v1/agent/checks';
      const res = await transport.send({ method: 'GET', path: '/v1/agent/checks', ...options, what });
      const raw = parseJson(res.text, what) as Record<string, Record<string, unknown>> | null;
      const out: Record<string, AgentCheck> = {};
      for (const [id, c] of Object.entries(raw ?? {})) {
        out[id] = {
          checkId: typeof c.CheckID === 'string' ? c.CheckID : id,
          name: typeof c.Name === 'string' ? c.Name : '',
          status: typeof c.Status === 'string' ? c.Status : '',
          output: typeof c.Output === 'string' ? c.Output : '',
          serviceId: typeof c.ServiceID === 'string' ? c.ServiceID : '',
        };
      }
      return out;
    },
  };
}

import { type ConsulTransport } from './consul-transport';
import { ConsulLockError } from './errors';

export interface StatusApi {
  /** `GET /v1/status/leader`: `"ip:port"`, or `""` when the cluster has no leader (§6.7, §7.3). */
  leader(options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<string>;
}

export function createStatusApi(transport: ConsulTransport): StatusApi {
  return {
    async leader(options = {}) {
      const what = 'GET /v1/status/leader';
      const res = await transport.send({ method: 'GET', path: '/v1/status/leader', ...options, what });
      let parsed: unknown;
      try {
        parsed = JSON.parse(res.text);
      } catch (err) {
        throw new ConsulLockError('CONSUL_PROTOCOL', `${what} answered non-JSON`, { cause: err });
      }
      if (typeof parsed !== 'string')
        throw new ConsulLockError('CONSUL_PROTOCOL', `${what} answered a non-string`);
      return parsed;
    },
  };
}

import type { ConsulClient } from '@nat-ha/consul-lock';
import type { ClusterSnapshot, ClusterView } from '../ports';
import { parseCandidates } from './consul-candidates';

/** Consul as `nat-agent status` shows it: who holds each key, and every registered agent's checks. */
export function createConsulClusterView(consul: ConsulClient, serviceName: string): ClusterView {
  return {
    async read(keys, signal) {
      const holders: ClusterSnapshot['holders'] = {};
      await Promise.all(
        keys.map(async (key) => {
          const { entry } = await consul.kv.get(key, { signal });
          if (entry?.session === undefined) {
            holders[key] = null;
            return;
          }
          const { session } = await consul.session.info(entry.session, { signal });
          holders[key] = { session: entry.session, ...(session === undefined ? {} : { node: session.node }) };
        }),
      );
      const res = await consul.request({
        method: 'GET',
        path: `/v1/health/service/${encodeURIComponent(serviceName)}`,
        signal,
        what: 'GET /v1/health/service',
      });
      const instances = parseCandidates(res.text).map((c) => ({
        instanceId: c.instanceId,
        node: c.node,
        az: c.az,
        groups: c.groups,
        checks: c.checks.map((k) => ({
          name: k.CheckID ?? k.Name ?? '?',
          status: k.Status ?? 'unknown',
          ...(k.Output === undefined || k.Output === '' ? {} : { output: k.Output }),
        })),
      }));
      return { holders, instances };
    },
  };
}

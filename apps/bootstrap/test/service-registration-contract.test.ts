import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderBundle } from '../src/bundle';
import { durationMs } from '../src/consul-validate';
import { command, sampleFacts } from './fixtures';

/**
 * Contract with nat-agent: the service definition nat-bootstrap writes must be the one nat-agent
 * registers through the agent API at start (same id, port, meta, check ids, targets and timing).
 * Otherwise a `consul reload` re-applying the file would replace nat-agent's checks, and replacing
 * the check a session is tied to destroys the session (consul-http-api.md §2.7).
 *
 * nat-agent's loader and presence adapter are loaded by path at run time (not through the type
 * checker); the fake Consul client captures the registration and stops the adapter right there.
 */
const NAT_AGENT_SRC = new URL('../../nat-agent/src/', import.meta.url);
const modules = ['config/load-config.ts', 'config/resolve-groups.ts', 'adapters/consul-presence.ts'];
const missing = modules.filter((m) => !existsSync(fileURLToPath(new URL(m, NAT_AGENT_SRC))));
if (missing.length > 0)
  console.warn(`skipping the registration contract: nat-agent lacks ${missing.join(', ')}`);

/** The parts of nat-agent's loaded config this test reads. */
interface NatAgentConfig {
  consul: {
    serviceName: string;
    checkIntervalMs: number;
    checkTimeoutMs: number;
    lockDelayMs: number;
    requestTimeoutMs: number;
  };
  http: { host: string; port: number };
}

interface Registered {
  name: string;
  id: string;
  port: number;
  meta: Record<string, string>;
  checks: { id: string; name: string; http: string; method: string; intervalMs: number; timeoutMs: number }[];
}

async function natAgentRegistration(yaml: string, facts = sampleFacts()): Promise<Registered> {
  const load = (await import(/* @vite-ignore */ new URL(modules[0] as string, NAT_AGENT_SRC).href)) as {
    loadConfig: (input: object) => { ok: boolean; config: NatAgentConfig; issues?: unknown };
  };
  const resolve = (await import(/* @vite-ignore */ new URL(modules[1] as string, NAT_AGENT_SRC).href)) as {
    resolveGroups: (config: object, az: string) => unknown[];
  };
  const presence = (await import(/* @vite-ignore */ new URL(modules[2] as string, NAT_AGENT_SRC).href)) as {
    createConsulPresence: (options: object) => { start: (signal: AbortSignal) => Promise<void> };
  };
  const loaded = load.loadConfig({ configPath: '/etc/nat-ha/agent.yaml', env: {}, readFile: () => yaml });
  expect(loaded.issues ?? []).toEqual([]);
  const config = loaded.config;
  const controller = new AbortController();
  let captured: Registered | undefined;
  const consul = {
    agent: {
      registerService: async (definition: Registered) => {
        captured = definition;
        controller.abort();
        throw new Error('captured');
      },
    },
  };
  const noop = () => undefined;
  const adapter = presence.createConsulPresence({
    consul,
    serviceName: config.consul.serviceName,
    identity: {
      instanceId: facts.self.instanceId,
      region: facts.self.region,
      az: facts.self.availabilityZone,
      vpcId: facts.self.vpcId,
      subnetId: facts.self.subnetId,
      privateIp: facts.self.privateIp,
      networkInterfaceId: facts.self.networkInterfaceId,
      mac: '0e:00:00:00:00:01',
      vpcCidrs: ['10.0.0.0/16'],
    },
    groups: resolve.resolveGroups(config, facts.self.availabilityZone),
    httpUrl: `http://${config.http.host}:${config.http.port}`,
    checkIntervalMs: config.consul.checkIntervalMs,
    checkTimeoutMs: config.consul.checkTimeoutMs,
    lockDelayMs: config.consul.lockDelayMs,
    requestTimeoutMs: config.consul.requestTimeoutMs,
    clock: { now: () => 0, sleep: async () => undefined },
    logger: { event: noop },
    metrics: new Proxy({}, { get: () => noop }),
  });
  await adapter.start(controller.signal).catch(() => undefined);
  if (captured == null) throw new Error('nat-agent did not register a service');
  return captured;
}

describe.skipIf(missing.length > 0)('the service file is what nat-agent registers itself', () => {
  for (const [name, flags] of Object.entries({
    'per-AZ with rescues': [
      '--route-table-tag',
      'nat-ha:group',
      '--rescue-az',
      'us-east-1b',
      '--rescue-az',
      'us-east-1c',
    ],
    'single group, custom name, port and timing': [
      '--group-mode',
      'single',
      '--route-table',
      'rtb-0123456789abcdef0',
      '--service-name',
      'egress',
      '--agent-port',
      '9800',
      '--check-interval',
      '2s',
      '--check-timeout',
      '750ms',
    ],
  })) {
    it(name, async () => {
      const bundle = renderBundle(sampleFacts(), command(['--format', 'json', ...flags]).options);
      const yaml = bundle.files.find((f) => f.path === 'agent.yaml')?.content ?? '';
      const file = JSON.parse(
        bundle.files.find((f) => f.path === 'consul.d/nat-ha-service.json')?.content ?? '{}',
      ) as {
        service: {
          name: string;
          id: string;
          port: number;
          meta: Record<string, string>;
          checks: {
            id: string;
            name: string;
            http: string;
            method: string;
            interval: string;
            timeout: string;
          }[];
        };
      };
      const registered = await natAgentRegistration(yaml);
      expect({
        name: file.service.name,
        id: file.service.id,
        port: file.service.port,
        meta: file.service.meta,
        checks: file.service.checks.map((c) => ({
          id: c.id,
          name: c.name,
          http: c.http,
          method: c.method,
          intervalMs: durationMs(c.interval),
          timeoutMs: durationMs(c.timeout),
        })),
      }).toEqual({
        name: registered.name,
        id: registered.id,
        port: registered.port,
        meta: registered.meta,
        checks: registered.checks.map(({ id, name: checkName, http, method, intervalMs, timeoutMs }) => ({
          id,
          name: checkName,
          http,
          method,
          intervalMs,
          timeoutMs,
        })),
      });
    });
  }
});

import { readFileSync } from 'node:fs';
import { resolveLockTiming } from '../config/lock-timing';
import { createAutoScalingClient, createEc2Client, createImdsClient } from '@nat-ha/aws-discovery';
import { createConsulClient, TIMING_DEFAULTS, type ConsulClient } from '@nat-ha/consul-lock';
import { createRouteSwitcher, type RouteSwitcher } from '@nat-ha/route-switcher';
import { Agent } from 'undici';
import type { AgentConfig } from '../config/schema';
import type { WiringFactory } from '../commands/wiring';
import type { InstanceIdentity, Logger, Metrics } from '../ports';
import { createAsgLifecycleHook } from './asg-lifecycle';
import { resolveIdentity } from './aws-identity';
import { createImdsInterruptions } from './aws-interruptions';
import { createConsulCandidates } from './consul-candidates';
import { createConsulClusterView } from './consul-cluster-view';
import { createConsulElection } from './consul-election';
import { createConsulPresence } from './consul-presence';
import { toLibraryLogger, toMessageFirstLogger } from './library-logger';
import { createNetHealthSource } from './net-health-source';
import { createSwitcherPreflight } from './switcher-preflight';
import { createSwitcherRoutes } from './switcher-routes';

function consulToken(config: AgentConfig): string | undefined {
  if (config.consul.token !== undefined) return config.consul.token;
  if (config.consul.tokenFile !== undefined) return readFileSync(config.consul.tokenFile, 'utf8').trim();
  return undefined;
}

function makeConsul(config: AgentConfig): ConsulClient {
  const token = consulToken(config);
  return createConsulClient({
    baseUrl: config.consul.address,
    requestTimeoutMs: config.consul.requestTimeoutMs,
    ...(token === undefined ? {} : { token }),
    ...(config.consul.caFile === undefined ? {} : { tls: { ca: readFileSync(config.consul.caFile) } }),
  });
}

function makeSwitcher(
  config: AgentConfig,
  identity: InstanceIdentity,
  logger: Logger,
  metrics: Metrics | undefined,
  clock: Parameters<WiringFactory>[0]['clock'],
): { switcher: RouteSwitcher; destroy(): void } {
  // maxAttempts 1: route-switcher retries itself, re-checking the lease and its token bucket first.
  const ec2 = createEc2Client({
    region: config.aws.region ?? identity.region,
    ...(config.aws.ec2Endpoint === undefined ? {} : { endpoint: config.aws.ec2Endpoint }),
    maxAttempts: 1,
    requestTimeoutMs: config.aws.requestTimeoutMs,
  });
  const switcher = createRouteSwitcher({
    ec2,
    // Every write bounded by the lease's maxWriteMs: fenceAfterMs + maxWriteMs < lockDelayMs
    // (docs/safety.md) holds only if no write outlives it.
    callTimeoutMs: TIMING_DEFAULTS.maxWriteMs,
    clock,
    logger: toLibraryLogger(logger, 'route-switcher'),
    rateLimits: { mutating: { burst: config.aws.mutatingBurst, perSecond: config.aws.mutatingPerSecond } },
    ...(metrics === undefined
      ? {}
      : {
          metrics: {
            onEc2Call: (e) => metrics.ec2Call(e.action, e.outcome, e.latencyMs),
            onThrottle: (e) => metrics.ec2Throttle(e.action),
          },
        }),
  });
  return { switcher, destroy: () => ec2.destroy() };
}

/**
 * The real outside world, from the four libraries. Standard variables (CONSUL_HTTP_ADDR,
 * AWS_ENDPOINT_URL_EC2, AWS_EC2_METADATA_SERVICE_ENDPOINT, …) have already been folded into `config`
 * by the loader; AWS credentials come from the SDK's default chain (on an instance: its role, via IMDS).
 */
export const createLibraryWiring: WiringFactory = (ctx) => {
  const { config, clock, logger } = ctx;
  const imds = createImdsClient({
    ...(config.aws.imdsEndpoint === undefined ? {} : { endpoint: config.aws.imdsEndpoint }),
    // Keep the connection between interruption polls (every pollIntervalMs, 5 s by default; undici's
    // default keep-alive is 4 s, which would reconnect on every poll).
    dispatcher: new Agent({ keepAliveTimeout: config.interruptions.pollIntervalMs + 5_000, connections: 2 }),
    clock,
    logger: toMessageFirstLogger(logger, 'imds'),
  });
  let consul: ConsulClient | undefined;
  const consulClient = () => (consul ??= makeConsul(config));

  return {
    identity: (signal) => resolveIdentity(imds, signal),
    cluster: () => createConsulClusterView(consulClient(), config.consul.serviceName),
    routesFor(identity) {
      const { switcher } = makeSwitcher(config, identity, logger, undefined, clock);
      return (group) => createSwitcherRoutes({ switcher, group, identity });
    },
    async connect({ identity, groups, httpUrl, metrics }) {
      const lifetime = new AbortController();
      const client = consulClient();
      const made = makeSwitcher(config, identity, logger, metrics, clock);
      const switcher = made.switcher;
      const routes = new Map(
        groups.map((g) => [g.name, createSwitcherRoutes({ switcher, group: g, identity })]),
      );
      const health = createNetHealthSource({
        health: config.health,
        clock,
        logger,
        metrics,
        signal: lifetime.signal,
      });
      const lock = resolveLockTiming(config.consul);
      const presence = createConsulPresence({
        consul: client,
        serviceName: config.consul.serviceName,
        identity,
        groups,
        httpUrl,
        checkIntervalMs: config.consul.checkIntervalMs,
        checkTimeoutMs: config.consul.checkTimeoutMs,
        lock,
        requestTimeoutMs: config.consul.requestTimeoutMs,
        clock,
        logger,
        metrics,
      });
      const candidates = createConsulCandidates({
        consul: client,
        serviceName: config.consul.serviceName,
        clock,
        logger,
        metrics,
        signal: lifetime.signal,
      });
      const interruptions = createImdsInterruptions({
        imds,
        intervalMs: config.interruptions.pollIntervalMs,
        clock,
        logger,
        signal: lifetime.signal,
      });
      const hookName = config.drain.lifecycleHookName;
      const autoscaling =
        hookName === undefined
          ? undefined
          : createAutoScalingClient({
              region: config.aws.region ?? identity.region,
              ...(config.aws.autoScalingEndpoint === undefined
                ? {}
                : { endpoint: config.aws.autoScalingEndpoint }),
              requestTimeoutMs: config.aws.requestTimeoutMs,
            });
      const value = JSON.stringify({
        instanceId: identity.instanceId,
        eni: identity.networkInterfaceId,
        az: identity.az,
      });
      const elections: Array<{ close(): void }> = [];

      return {
        health,
        candidates,
        presence,
        interruptions,
        ...(autoscaling === undefined || hookName === undefined
          ? {}
          : {
              lifecycle: createAsgLifecycleHook({
                autoscaling,
                instanceId: identity.instanceId,
                hookName,
                clock,
                metrics,
              }),
            }),
        preflight: createSwitcherPreflight({
          switcher,
          identity,
          groups: groups.map((g) => {
            const r = routes.get(g.name);
            if (r === undefined) throw new Error(`no routes for group ${g.name}`);
            return { group: g, tables: (signal?: AbortSignal) => r.tables(signal) };
          }),
        }),
        election(group) {
          const e = createConsulElection({
            consul: client,
            group: group.name,
            key: group.key,
            value,
            session: presence.session(),
            lockDelayMs: lock.lockDelayMs,
            ...(lock.lockRetryMs == null ? {} : { lockRetryMs: lock.lockRetryMs }),
            requestTimeoutMs: config.consul.requestTimeoutMs,
            clock,
            logger,
            metrics,
          });
          elections.push(e);
          return e;
        },
        routes(group) {
          const r = routes.get(group.name);
          if (r === undefined) throw new Error(`no routes for group ${group.name}`);
          return r;
        },
        async close() {
          lifetime.abort(new Error('agent stopped'));
          for (const e of elections) e.close();
          await health.monitor.stop();
          await interruptions.close();
          await client.close();
          made.destroy();
          autoscaling?.destroy();
        },
      };
    },
  };
};

import { VERSION } from '../cli';
import { formatIssues } from '../config/load-config';
import { resolveGroups } from '../config/resolve-groups';
import { createAgent, type Agent } from '../core/agent';
import { createNodeClock } from '../core/node-clock';
import { createCommandRunner } from '../dataplane/command-runner';
import { createNatDataplane } from '../dataplane/nat-dataplane';
import { createCommandSysctl, createProcSysctl } from '../dataplane/sysctl';
import { describeError } from '../errors';
import { startAgentHttpServer, type AgentHttpServer } from '../http/agent-http-server';
import { createLivenessMonitor } from '../observability/liveness';
import { createJsonLogger } from '../observability/logger';
import { createPrometheusMetrics } from '../observability/prometheus-metrics';
import type { Dataplane, Logger } from '../ports';
import { loadFromArgs, type CommandArgs, type CommandContext } from './command-context';
import { resolveIdentityWithRetry } from './resolve-identity';
import type { ConnectedWiring, WiringFactory } from './wiring';

export interface RunDependencies {
  wiring: WiringFactory;
  /** Signals this process handles; injected so tests can drive them. */
  process: Pick<NodeJS.Process, 'on' | 'off'>;
  /** Override the data plane (tests); default: nftables/iptables on this host. */
  dataplane?: Dataplane;
  logger?: Logger & { flush?(): void };
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGINT: 2, SIGTERM: 15 };

/**
 * `nat-agent run`. Exit codes: 0 after a drain, 2 for an invalid configuration (reported before any
 * network request), 1 when start-up cannot complete, 128+n on a second signal.
 */
export async function runCommand(
  args: CommandArgs,
  ctx: CommandContext,
  deps: RunDependencies,
): Promise<number> {
  const loaded = loadFromArgs(args, ctx);
  if (!loaded.ok) {
    ctx.io.stderr(`nat-agent: ${formatIssues(loaded.issues, loaded.file)}\n`);
    return 2;
  }
  const config = loaded.config;
  const clock = createNodeClock();
  const logger = deps.logger ?? createJsonLogger({ level: config.log.level });
  const lifetime = new AbortController();

  let agent: Agent | undefined;
  let signals = 0;
  let resolveExit!: (code: number) => void;
  const forcedExit = new Promise<number>((resolve) => (resolveExit = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      if (agent === undefined) {
        // Nothing held yet: stop the start-up where it is.
        logger.event('info', 'drain_started', { reason: 'signal', detail: signal, during: 'start-up' });
        lifetime.abort(new Error(`received ${signal}`));
        resolveExit(0);
      } else void agent.drain('signal', signal);
      return;
    }
    logger.event('warn', 'drain_aborted', { signal, reason: 'second signal: exiting at once' });
    resolveExit(128 + (SIGNAL_NUMBERS[signal] ?? 1));
  };
  deps.process.on('SIGTERM', onSignal);
  deps.process.on('SIGINT', onSignal);

  const liveness = createLivenessMonitor();
  let http: AgentHttpServer | undefined;
  let connected: ConnectedWiring | undefined;
  try {
    const startUp = (async (): Promise<number> => {
      const wiring = deps.wiring({ config, env: ctx.env, clock, logger, signal: lifetime.signal });
      const identity = await resolveIdentityWithRetry((signal) => wiring.identity(signal), {
        clock,
        logger,
        signal: lifetime.signal,
      });
      logger.event('info', 'identity_resolved', { ...identity });
      const metrics = createPrometheusMetrics({
        version: VERSION,
        instanceId: identity.instanceId,
        az: identity.az,
      });
      const groups = resolveGroups(config, identity.az);
      const commands = createCommandRunner(
        config.dataplane.namespace === undefined
          ? {}
          : { prefix: ['ip', 'netns', 'exec', config.dataplane.namespace] },
      );
      const dataplane =
        deps.dataplane ??
        createNatDataplane({
          mode: config.dataplane.mode,
          manageNat: config.dataplane.manageNat,
          egressInterface: config.dataplane.egressInterface,
          vpcCidrs: config.dataplane.vpcCidrs ?? identity.vpcCidrs,
          nftTable: config.dataplane.nftTable,
          run: commands,
          // /proc/sys shows the agent's own namespace; another namespace's goes through sysctl.
          sysctl:
            config.dataplane.namespace === undefined ? createProcSysctl() : createCommandSysctl(commands),
          clock,
        });

      http = await startAgentHttpServer({
        host: config.http.host,
        port: config.http.port,
        sources: {
          live: () => liveness.state(),
          health: () => {
            if (agent === undefined || connected === undefined)
              return { status: 'unhealthy', httpStatus: 503, reasons: ['agent starting'] };
            const h = connected.health.snapshot();
            // The evidence with the verdict: what an operator curling /health wants to see.
            return {
              ...agent.reportedHealth(),
              detail: { path: h.level, since: h.since, lastRound: h.rounds.at(-1) ?? null },
            };
          },
          status: () => agent?.status() ?? { starting: true, instance: identity },
          metrics: () => metrics.render(),
        },
      });
      logger.event('info', 'http_listening', { url: http.url });

      connected = await wiring.connect({ identity, groups, httpUrl: http.url, metrics });
      const c = connected;
      const current = createAgent({
        config,
        identity,
        groups,
        version: VERSION,
        clock,
        logger,
        metrics,
        health: c.health,
        candidates: c.candidates,
        presence: c.presence,
        preflight: c.preflight,
        dataplane,
        election: (g) => c.election(g),
        routes: (g) => c.routes(g),
        ...(c.interruptions === undefined ? {} : { interruptions: c.interruptions }),
        ...(c.lifecycle === undefined ? {} : { lifecycle: c.lifecycle }),
      });
      agent = current;
      await current.start();
      await current.finished;
      return 0;
    })();
    return await Promise.race([startUp, forcedExit]);
  } catch (error) {
    if (lifetime.signal.aborted && agent === undefined) return 0; // signalled during start-up
    if (agent?.isDraining() === true) {
      await Promise.race([agent.finished, forcedExit]);
      return signals > 1 ? await forcedExit : 0;
    }
    logger.event('error', 'fatal', { error: describeError(error) });
    return 1;
  } finally {
    deps.process.off('SIGTERM', onSignal);
    deps.process.off('SIGINT', onSignal);
    liveness.stop();
    if (signals <= 1) {
      await agent?.stop().catch(() => undefined);
      await connected?.close().catch(() => undefined);
      await http?.close().catch(() => undefined);
    }
    (logger as { flush?(): void }).flush?.();
  }
}

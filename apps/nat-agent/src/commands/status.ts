import { formatIssues } from '../config/load-config';
import { groupKey } from '../config/semantic-checks';
import type { AgentStatus } from '../core/agent';
import { createNodeClock } from '../core/node-clock';
import { describeError } from '../errors';
import type { ClusterSnapshot, Logger } from '../ports';
import { loadFromArgs, type CommandArgs, type CommandContext } from './command-context';
import { renderStatus, type StatusView } from './render-status';
import type { WiringFactory } from './wiring';

const TIMEOUT_MS = 5_000;
const silent: Logger = { event: () => undefined };

/** `nat-agent status`: 0 when the agent or Consul answered, 1 when neither did, 2 for bad config. */
export async function statusCommand(
  args: CommandArgs,
  ctx: CommandContext,
  deps: { wiring: WiringFactory; fetch?: typeof fetch },
): Promise<number> {
  const loaded = loadFromArgs(args, ctx);
  if (!loaded.ok) {
    ctx.io.stderr(`nat-agent: ${formatIssues(loaded.issues, loaded.file)}\n`);
    return 2;
  }
  const config = loaded.config;
  const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
  const base = args.url ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}`;
  const groups = config.groups.map((g) => ({ name: g.name, key: groupKey(config.consul.keyPrefix, g) }));
  const doFetch = deps.fetch ?? fetch;

  const local: Promise<AgentStatus | { error: string }> = (async () => {
    try {
      const res = await doFetch(`${base}/status`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
      if (!res.ok) return { error: `GET ${base}/status answered ${res.status}` };
      const body = (await res.json()) as AgentStatus | { starting: true };
      if ('starting' in body) return { error: 'agent is still starting' };
      return body;
    } catch (error) {
      return { error: `${base}/status: ${describeError(error).message}` };
    }
  })();
  const controller = new AbortController();
  const cluster: Promise<ClusterSnapshot | { error: string }> = (async () => {
    try {
      const wiring = deps.wiring({
        config,
        env: ctx.env,
        clock: createNodeClock(),
        logger: silent,
        signal: controller.signal,
      });
      return await wiring.cluster().read(
        groups.map((g) => g.key),
        AbortSignal.any([controller.signal, AbortSignal.timeout(TIMEOUT_MS)]),
      );
    } catch (error) {
      return { error: `${config.consul.address}: ${describeError(error).message}` };
    }
  })();
  const view: StatusView = { local: await local, cluster: await cluster, groups, now: Date.now() };
  ctx.io.stdout(args.json ? `${JSON.stringify(view, null, 2)}\n` : renderStatus(view));
  return 'error' in view.local && 'error' in view.cluster ? 1 : 0;
}

/**
 * `startConsul`: a Consul cluster in the test process — one shared state and one agent HTTP
 * endpoint per node — plus the fault controls and the journal, as a TypeScript API and as an HTTP
 * control plane ({@link CONSUL_CONTROL_PREFIX}, also on a dedicated listener that stays up while
 * nodes die).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TestkitError } from '../errors';
import { ConsulCluster } from './cluster';
import { CONSUL_LISTEN_PREFIX } from './http-server';
import { listenError } from '../port-base';
import { CONSUL_CONTROL_PREFIX, handleControl } from './control-endpoint';
import type { ConsulCheckStatus, ConsulJournalEntry } from './journal';
import { resolveConsulOptions, type ConsulEmulatorOptions } from './options';

export interface ConsulEmulator {
  readonly datacenter: string;
  /** Node names, in creation order (nodes that left stay listed; revive brings them back). */
  readonly nodes: readonly string[];
  /** Base URL of the control-plane listener, which never goes down (`${controlUrl}/_emulator/v1/...`). */
  readonly controlUrl: string;
  /** Base URL of a node's agent endpoint, like `http://127.0.0.1:34567` (stable across kill/revive). */
  agentUrl(node: string): string;
  /** Adds a node (a client agent) with a passing serfHealth; returns its agent URL. */
  addNode(name: string, opts?: { address?: string; signal?: AbortSignal }): Promise<string>;
  /** The agent dies: its endpoint refuses connections, its checks stop; serfHealth goes critical after the detection delay. */
  killNode(name: string, signal?: AbortSignal): Promise<void>;
  /** Restarts a killed or departed agent on the same port; it rejoins and resyncs its services and checks. */
  reviveNode(name: string, signal?: AbortSignal): Promise<void>;
  /** Cuts the node off from the servers: its RPC-backed calls hang up to rpc_hold_timeout, then fail; it is declared failed after the detection delay. */
  partitionNode(name: string): void;
  healNode(name: string): void;
  /** Graceful leave: the node is deregistered at once (its sessions destroyed) and its agent exits. */
  leaveNode(name: string, signal?: AbortSignal): Promise<void>;
  /** No raft leader (spec §7.3) until {@link restoreLeader}. */
  loseLeader(): void;
  restoreLeader(): void;
  /** Writes a check's status into the catalog; critical destroys the sessions that list it. */
  setCheckStatus(node: string, checkId: string, status: ConsulCheckStatus, output?: string): void;
  /** Every state change, in index order, stamped with clock time. */
  journal(): readonly ConsulJournalEntry[];
  /** The last applied raft-like index. */
  index(): number;
  /** Resolves when no check probe is in flight (after advancing a virtual clock). */
  whenChecksIdle(signal?: AbortSignal): Promise<void>;
  /**
   * Requests parked right now in a blocking query or an RPC hold. Under a virtual clock, wait for
   * this to rise before advancing time, so the request's timer exists.
   */
  parkedRequests(): number;
  close(): Promise<void>;
}

function checkSignal(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw new TestkitError('ABORTED', 'consul emulator: operation aborted', { cause: signal.reason });
  }
}

async function startControlListener(
  cluster: ConsulCluster,
): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const query = q < 0 ? '' : raw.slice(q + 1);
    if (!path.startsWith(CONSUL_CONTROL_PREFIX)) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: `the control listener serves only ${CONSUL_CONTROL_PREFIX}/…` }));
      return;
    }
    handleControl(cluster, req, res, path.slice(CONSUL_CONTROL_PREFIX.length), query).catch(() =>
      res.destroy(),
    );
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.requestTimeout = 0;
  const port = cluster.options.portBase ?? 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(listenError(cluster.options.host, port, err, CONSUL_LISTEN_PREFIX)),
    );
    server.listen(port, cluster.options.host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const host = cluster.options.host.includes(':') ? `[${cluster.options.host}]` : cluster.options.host;
  return {
    url: `http://${host}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** Starts the emulated cluster. Options are validated eagerly (`TestkitError` `INVALID_OPTION`). */
export async function startConsul(
  options?: ConsulEmulatorOptions,
  signal?: AbortSignal,
): Promise<ConsulEmulator> {
  const resolved = resolveConsulOptions(options);
  checkSignal(signal);
  const cluster = new ConsulCluster(resolved);
  try {
    await cluster.start();
  } catch (err) {
    await cluster.close();
    throw err;
  }
  let control: Awaited<ReturnType<typeof startControlListener>>;
  try {
    control = await startControlListener(cluster);
    checkSignal(signal);
  } catch (err) {
    await cluster.close();
    throw err;
  }
  return {
    datacenter: resolved.datacenter,
    get nodes() {
      return [...cluster.agents.keys()];
    },
    controlUrl: control.url,
    agentUrl: (node) => cluster.server(node).url,
    async addNode(name, opts) {
      checkSignal(opts?.signal);
      return cluster.addNode(name, opts?.address);
    },
    async killNode(name, sig) {
      checkSignal(sig);
      await cluster.killNode(name);
    },
    async reviveNode(name, sig) {
      checkSignal(sig);
      await cluster.reviveNode(name);
    },
    partitionNode: (name) => cluster.partitionNode(name),
    healNode: (name) => cluster.healNode(name),
    async leaveNode(name, sig) {
      checkSignal(sig);
      await cluster.leaveNode(name);
    },
    loseLeader: () => cluster.loseLeader(),
    restoreLeader: () => cluster.restoreLeader(),
    setCheckStatus: (node, checkId, status, output) => cluster.setCheckStatus(node, checkId, status, output),
    journal: () => cluster.state.journal.all(),
    index: () => cluster.state.index,
    whenChecksIdle: (sig) => cluster.whenChecksIdle(sig),
    parkedRequests: () => cluster.parked,
    async close() {
      await cluster.close();
      await control.close();
    },
  };
}

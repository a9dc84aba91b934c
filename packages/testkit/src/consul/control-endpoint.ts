/**
 * The emulator's control plane over HTTP, for tools outside the test process (the lab, a shell).
 * It is served by every agent endpoint and by the emulator's dedicated control listener under
 * {@link CONSUL_CONTROL_PREFIX}, which cannot collide with Consul's `/v1/` API. Bodies are plain
 * JSON; errors are `{"error": "…"}` with 400 (bad input), 404 (unknown route or node) or 409.
 *
 * | method | path (after the prefix)            | body / query             | effect |
 * | ------ | ---------------------------------- | ------------------------ | ------ |
 * | GET    | `/state`                           |                          | index, leader, nodes and their fault state |
 * | GET    | `/journal`                         | `?since=<index>`         | journal entries with a larger index |
 * | GET    | `/lock-holders`                    | `?key=<key>`             | `lockHolders(journal, key)` |
 * | POST   | `/nodes`                           | `{"name","address"?}`    | `addNode` → `{"name","url"}` |
 * | POST   | `/nodes/<name>/<action>`           |                          | action: kill, revive, partition, heal, leave |
 * | POST   | `/leader/lose`, `/leader/restore`  |                          | `loseLeader()` / `restoreLeader()` |
 * | PUT    | `/checks/<node>/<checkId>`         | `{"status","output"?}`   | `setCheckStatus` |
 * | POST   | `/checks/idle`                     |                          | waits until no check probe is in flight |
 * | POST   | `/clock/advance`                   | `{"ms"}`                 | virtual clock only (409 otherwise) |
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { VirtualClock } from '../clock';
import { TestkitError } from '../errors';
import type { ConsulCluster } from './cluster';
import { lockHolders } from './lock-holders';
import { writeRaw } from './reply';

/** Where the control plane lives on every agent endpoint. */
export const CONSUL_CONTROL_PREFIX = '/_emulator/v1';

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 1_048_576) throw new ControlError(400, 'body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed == null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch {
    throw new ControlError(400, 'body must be a JSON object');
  }
}

function isVirtual(clock: unknown): clock is VirtualClock {
  return typeof (clock as Partial<VirtualClock>).advance === 'function';
}

async function route(
  cluster: ConsulCluster,
  req: IncomingMessage,
  rest: string,
  query: URLSearchParams,
): Promise<unknown> {
  const method = req.method ?? 'GET';
  const parts = rest
    .split('/')
    .filter((p) => p !== '')
    .map((p) => decodeURIComponent(p));
  const [head, a, b] = parts;
  if (method === 'GET' && head === 'state' && parts.length === 1) {
    return {
      datacenter: cluster.options.datacenter,
      index: cluster.state.index,
      now: cluster.clock.now(),
      leader: cluster.leaderUp,
      nodes: [...cluster.agents.values()].map((ag) => ({
        name: ag.name,
        address: ag.address,
        url: cluster.server(ag.name).url,
        process: ag.process,
        member: ag.member,
        partitioned: ag.partitioned,
      })),
    };
  }
  if (method === 'GET' && head === 'journal' && parts.length === 1) {
    const since = Number(query.get('since') ?? '0');
    if (!Number.isFinite(since)) throw new ControlError(400, 'since must be a number');
    return cluster.state.journal.since(since);
  }
  if (method === 'GET' && head === 'lock-holders' && parts.length === 1) {
    const key = query.get('key');
    if (key == null) throw new ControlError(400, 'key is required');
    return lockHolders(cluster.state.journal.all(), key);
  }
  if (method === 'POST' && head === 'nodes' && parts.length === 1) {
    const body = await readJson(req);
    if (typeof body.name !== 'string') throw new ControlError(400, 'name must be a string');
    if (body.address != null && typeof body.address !== 'string')
      throw new ControlError(400, 'address must be a string');
    const url = await cluster.addNode(body.name, body.address as string | undefined);
    return { name: body.name, url };
  }
  if (method === 'POST' && head === 'nodes' && a != null && b != null && parts.length === 3) {
    if (!cluster.agents.has(a)) throw new ControlError(404, `no node named ${JSON.stringify(a)}`);
    switch (b) {
      case 'kill':
        await cluster.killNode(a);
        return { ok: true };
      case 'revive':
        await cluster.reviveNode(a);
        return { ok: true };
      case 'partition':
        cluster.partitionNode(a);
        return { ok: true };
      case 'heal':
        cluster.healNode(a);
        return { ok: true };
      case 'leave':
        await cluster.leaveNode(a);
        return { ok: true };
    }
  }
  if (method === 'POST' && head === 'leader' && parts.length === 2) {
    if (a === 'lose') {
      cluster.loseLeader();
      return { ok: true };
    }
    if (a === 'restore') {
      cluster.restoreLeader();
      return { ok: true };
    }
  }
  if (method === 'PUT' && head === 'checks' && a != null && b != null && parts.length === 3) {
    const body = await readJson(req);
    const status = body.status ?? body.Status;
    const output = body.output ?? body.Output;
    if (status !== 'passing' && status !== 'warning' && status !== 'critical') {
      throw new ControlError(400, 'status must be passing, warning or critical');
    }
    if (output != null && typeof output !== 'string') throw new ControlError(400, 'output must be a string');
    cluster.setCheckStatus(a, b, status, output as string | undefined);
    return { ok: true };
  }
  if (method === 'POST' && head === 'checks' && a === 'idle' && parts.length === 2) {
    await cluster.whenChecksIdle();
    return { ok: true };
  }
  if (method === 'POST' && head === 'clock' && a === 'advance' && parts.length === 2) {
    const body = await readJson(req);
    if (typeof body.ms !== 'number' || !(body.ms >= 0))
      throw new ControlError(400, 'ms must be a number >= 0');
    if (!isVirtual(cluster.clock)) throw new ControlError(409, 'the emulator runs on a real clock');
    await cluster.clock.advance(body.ms);
    return { now: cluster.clock.now() };
  }
  throw new ControlError(404, `no control route ${method} ${CONSUL_CONTROL_PREFIX}${rest}`);
}

/** Serves one control-plane request; `rest` is the path after {@link CONSUL_CONTROL_PREFIX}. */
export async function handleControl(
  cluster: ConsulCluster,
  req: IncomingMessage,
  res: ServerResponse,
  rest: string,
  rawQuery: string,
): Promise<void> {
  let status = 200;
  let body: unknown;
  try {
    body = await route(cluster, req, rest, new URLSearchParams(rawQuery));
  } catch (err) {
    status = err instanceof ControlError ? err.status : TestkitError.isInstance(err) ? 400 : 500;
    body = { error: err instanceof Error ? err.message : String(err) };
  }
  if (res.destroyed) return;
  writeRaw(res, status, { 'Content-Type': 'application/json' }, Buffer.from(JSON.stringify(body)), {
    acceptEncoding: undefined,
    method: req.method ?? 'GET',
  });
}

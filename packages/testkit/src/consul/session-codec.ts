/**
 * The wire side of sessions: decoding a `PUT /v1/session/create` body over the agent's defaults
 * (spec §2.2, including the `LockDelay` rules of `Session.UnmarshalJSON` and
 * `fixupEmptySessionChecks`), the RPC-side validation of `Session.Apply`, and the JSON a session is
 * rendered as (spec §2.1: field order, `LockDelay` in nanoseconds, `Checks` omitted when empty).
 */
import { DURATION, formatGoDuration, GoDurationError, parseGoDuration } from './go-duration';
import {
  decodeGoJsonBody,
  goJsonTypeName,
  GoJsonError,
  goString,
  goStringSlice,
  goStructFields,
  type GoJsonValue,
} from './go-json';
import { RpcError } from './http-errors';
import type { ServiceCheckRef, SessionRecord } from './state';

/** `lockDelayMinThreshold`: numeric values below it are taken as seconds (rule 8). */
const LOCK_DELAY_MIN_THRESHOLD = 1000n;
/** `structs.SessionTTLMax`. */
export const SESSION_TTL_MAX_NS = 24n * DURATION.HOUR;
export const SERF_CHECK_ID = 'serfHealth';

export interface SessionCreateRequest {
  name: string;
  node: string;
  lockDelayNs: bigint;
  behavior: string;
  ttl: string;
  nodeChecks: string[] | null;
  serviceChecks: ServiceCheckRef[] | null;
  checks: string[] | null;
}

/** The agent's defaults, applied before the body is decoded (`SessionCreate`). */
export function sessionCreateDefaults(agentNode: string): SessionCreateRequest {
  return {
    name: '',
    node: agentNode,
    lockDelayNs: 15n * DURATION.SECOND,
    behavior: 'release',
    ttl: '',
    nodeChecks: [SERF_CHECK_ID],
    serviceChecks: null,
    checks: [SERF_CHECK_ID],
  };
}

const SESSION_FIELDS = [
  'ID',
  'Name',
  'Node',
  'LockDelay',
  'Behavior',
  'TTL',
  'NodeChecks',
  'ServiceChecks',
  'Checks',
  'CreateIndex',
  'ModifyIndex',
] as const;

/** Go's `time.Duration(float64)`: truncation, and out-of-range values become MinInt64 on amd64. */
function durationFromFloat(v: number): bigint {
  if (!Number.isFinite(v) || v >= 2 ** 63 || v < -(2 ** 63)) return DURATION.INT64_MIN;
  return BigInt(Math.trunc(v));
}

function decodeLockDelay(raw: unknown): bigint | undefined {
  if (raw === null || raw === undefined) return undefined;
  let dur = 0n;
  if (typeof raw === 'number') dur = durationFromFloat(raw);
  else if (typeof raw === 'string') {
    try {
      dur = parseGoDuration(raw);
    } catch (err) {
      if (err instanceof GoDurationError) throw new GoJsonError(err.message);
      throw err;
    }
  }
  // Other JSON types leave dur at 0, as the type switch in Session.UnmarshalJSON does.
  if (dur < LOCK_DELAY_MIN_THRESHOLD) dur = BigInt.asIntN(64, dur * DURATION.SECOND);
  return dur;
}

function decodeServiceChecks(raw: unknown): ServiceCheckRef[] | null {
  if (raw === null) return null;
  if (!Array.isArray(raw)) {
    throw new GoJsonError(
      `json: cannot unmarshal ${goJsonTypeName(raw)} into Go struct field Session.ServiceChecks of type []structs.ServiceCheck`,
    );
  }
  return raw.map((item) => {
    const f = goStructFields(item, 'ServiceCheck', ['ID', 'Namespace'], true);
    return {
      ID: goString('ServiceCheck', 'ID', f.get('ID'), ''),
      Namespace: goString('ServiceCheck', 'Namespace', f.get('Namespace'), ''),
    };
  });
}

/**
 * Decodes the body over `defaults` (only called when `Content-Length > 0`, as Consul does) and
 * applies `fixupEmptySessionChecks`. Throws {@link GoJsonError} for `Request decode failed: …`.
 */
export function decodeSessionCreateBody(body: Buffer, defaults: SessionCreateRequest): SessionCreateRequest {
  const raw = decodeGoJsonBody(body);
  const f = goStructFields(raw, 'Session', SESSION_FIELDS, true);
  const out: SessionCreateRequest = { ...defaults };
  if (f.has('ID')) goString('Session', 'ID', f.get('ID'), '');
  out.name = goString('Session', 'Name', f.get('Name'), out.name);
  out.node = goString('Session', 'Node', f.get('Node'), out.node);
  out.behavior = goString('Session', 'Behavior', f.get('Behavior'), out.behavior);
  out.ttl = goString('Session', 'TTL', f.get('TTL'), out.ttl);
  if (f.has('NodeChecks')) out.nodeChecks = goStringSlice('Session', 'NodeChecks', f.get('NodeChecks'));
  if (f.has('Checks')) out.checks = goStringSlice('Session', 'Checks', f.get('Checks'));
  if (f.has('ServiceChecks')) out.serviceChecks = decodeServiceChecks(f.get('ServiceChecks'));
  const lockDelay = decodeLockDelay(f.get('LockDelay'));
  if (lockDelay != null) out.lockDelayNs = lockDelay;
  return out;
}

/** `fixupEmptySessionChecks` (agent/session_endpoint.go), run whether or not a body was sent. */
export function fixupEmptySessionChecks(req: SessionCreateRequest): SessionCreateRequest {
  const checks = req.checks ?? [];
  if (checks.length === 0) return { ...req, nodeChecks: [] };
  if (checks.length === 1 && checks[0] === SERF_CHECK_ID) return { ...req, checks: null };
  if ((req.nodeChecks ?? []).length === 0) return { ...req, checks: null };
  return req;
}

/**
 * The checks `Session.Apply` makes before raft (spec §2.2 steps 1, 3–5). Returns the behavior with
 * `""` normalised to `release`. Errors are plain RPC errors (500), without the `apply failed:` prefix.
 */
export function validateSessionApply(
  req: SessionCreateRequest,
  sessionTtlMinMs: number,
): { behavior: 'release' | 'delete'; ttlNs: bigint } {
  if (req.node === '') throw new RpcError('Must provide Node');
  let behavior: 'release' | 'delete';
  if (req.behavior === '' || req.behavior === 'release') behavior = 'release';
  else if (req.behavior === 'delete') behavior = 'delete';
  else throw new RpcError(`Invalid Behavior setting '${req.behavior}'`);
  let ttlNs = 0n;
  if (req.ttl !== '') {
    try {
      ttlNs = parseGoDuration(req.ttl);
    } catch (err) {
      throw new RpcError(`Session TTL '${req.ttl}' invalid: ${(err as Error).message}`);
    }
    const min = BigInt(Math.round(sessionTtlMinMs)) * DURATION.MS;
    if (ttlNs !== 0n && (ttlNs < min || ttlNs > SESSION_TTL_MAX_NS)) {
      throw new RpcError(
        `Invalid Session TTL '${ttlNs}', must be between [${formatGoDuration(min)}=${formatGoDuration(SESSION_TTL_MAX_NS)}]`,
      );
    }
  }
  return { behavior, ttlNs };
}

/** A session as `/v1/session/info|list|node|renew` render it (spec §2.1). */
export function renderSession(s: SessionRecord): GoJsonValue {
  return {
    ID: s.id,
    Name: s.name,
    Node: s.node,
    LockDelay: s.lockDelayNs,
    Behavior: s.behavior,
    TTL: s.ttl,
    NodeChecks: s.nodeChecks,
    ServiceChecks:
      s.serviceChecks == null ? null : s.serviceChecks.map((c) => ({ ID: c.ID, Namespace: c.Namespace })),
    Checks: s.checks == null || s.checks.length === 0 ? undefined : s.checks,
    CreateIndex: s.createIndex,
    ModifyIndex: s.modifyIndex,
  };
}

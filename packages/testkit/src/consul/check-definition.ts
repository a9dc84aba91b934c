/**
 * Decoding and validating the check and service definitions of `PUT /v1/agent/service/register`
 * and `PUT /v1/agent/check/register` (spec §6.1, §6.2). Keys are matched like Consul's
 * decoder does: case-insensitively, CamelCase or snake_case. Durations are Go duration strings or
 * nanosecond numbers.
 *
 * The emulator runs HTTP, TCP and TTL checks. Script, gRPC, UDP, H2PING, Docker, alias and OS-service
 * checks are refused with a 400 that says so, rather than silently never running.
 */
import { formatGoDuration, parseGoDuration } from './go-duration';
import { HttpError } from './http-errors';
import type { ConsulCheckStatus } from './journal';

export type CheckKind = 'http' | 'tcp' | 'ttl';

export interface CheckDefinition {
  id: string;
  name: string;
  notes: string;
  /** Initial status; a new check without one starts critical (rule 74). */
  status: ConsulCheckStatus | undefined;
  serviceId: string;
  kind: CheckKind;
  http: string;
  method: string;
  header: Map<string, string[]>;
  body: string;
  disableRedirects: boolean;
  tlsSkipVerify: boolean;
  tlsServerName: string;
  tcp: string;
  ttlNs: bigint;
  intervalNs: bigint;
  timeoutNs: bigint;
  successBeforePassing: number;
  failuresBeforeWarning: number;
  failuresBeforeCritical: number;
  outputMaxSize: number;
}

export interface ServiceDefinition {
  id: string;
  name: string;
  tags: string[];
  address: string;
  port: number;
  meta: Map<string, string>;
  weights: { Passing: number; Warning: number };
  enableTagOverride: boolean;
  checks: CheckDefinition[];
}

/** `checks.DefaultBufSize`. */
export const DEFAULT_OUTPUT_MAX_SIZE = 4096;

const UNSUPPORTED_KINDS: Record<string, string> = {
  args: 'script',
  scriptargs: 'script',
  script: 'script',
  grpc: 'gRPC',
  udp: 'UDP',
  h2ping: 'H2PING',
  dockercontainerid: 'Docker',
  aliasnode: 'alias',
  aliasservice: 'alias',
  osservice: 'OS service',
};

/** Normalised view of a JSON object: keys lower-cased with underscores removed. */
function fields(raw: unknown, what: string): Map<string, unknown> {
  if (raw == null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new HttpError(400, `Request decode failed: ${what} must be a JSON object`);
  }
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(raw as Record<string, unknown>))
    out.set(k.toLowerCase().replace(/_/g, ''), v);
  return out;
}

function decodeFailed(message: string): HttpError {
  return new HttpError(400, `Request decode failed: ${message}`);
}

function str(f: Map<string, unknown>, key: string, field: string): string {
  const v = f.get(key);
  if (v == null) return '';
  if (typeof v !== 'string') throw decodeFailed(`'${field}' expected type 'string', got '${typeof v}'`);
  return v;
}

function int(f: Map<string, unknown>, key: string, field: string): number {
  const v = f.get(key);
  if (v == null) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw decodeFailed(`'${field}' expected type 'int', got '${typeof v}'`);
  }
  return v;
}

function bool(f: Map<string, unknown>, key: string, field: string): boolean {
  const v = f.get(key);
  if (v == null) return false;
  if (typeof v !== 'boolean') throw decodeFailed(`'${field}' expected type 'bool', got '${typeof v}'`);
  return v;
}

function duration(f: Map<string, unknown>, key: string, field: string): bigint {
  const v = f.get(key);
  if (v == null || v === '') return 0n;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v !== 'string') throw decodeFailed(`'${field}' expected a duration`);
  try {
    return parseGoDuration(v);
  } catch (err) {
    throw decodeFailed((err as Error).message);
  }
}

function stringList(f: Map<string, unknown>, key: string, field: string): string[] {
  const v = f.get(key);
  if (v == null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw decodeFailed(`'${field}' expected type '[]string'`);
  }
  return v as string[];
}

function stringMap(f: Map<string, unknown>, key: string, field: string): Map<string, string> {
  const v = f.get(key);
  const out = new Map<string, string>();
  if (v == null) return out;
  if (typeof v !== 'object' || Array.isArray(v)) throw decodeFailed(`'${field}' expected a map`);
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x !== 'string') throw decodeFailed(`'${field}[${k}]' expected type 'string'`);
    out.set(k, x);
  }
  return out;
}

function headerMap(f: Map<string, unknown>): Map<string, string[]> {
  const v = f.get('header');
  const out = new Map<string, string[]>();
  if (v == null) return out;
  if (typeof v !== 'object' || Array.isArray(v))
    throw decodeFailed(`'Header' expected type 'map[string][]string'`);
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (!Array.isArray(x) || x.some((s) => typeof s !== 'string')) {
      throw decodeFailed(`'Header[${k}]' expected type '[]string'`);
    }
    out.set(k, x as string[]);
  }
  return out;
}

function parseStatus(value: string): ConsulCheckStatus | undefined {
  if (value === '') return undefined;
  if (value === 'passing' || value === 'warning' || value === 'critical') return value;
  throw new HttpError(400, "Status for checks must 'passing', 'warning', 'critical'");
}

/** A `CheckType` body; `undefined` when it is empty (`CheckType.Empty()`, e.g. `"Check": {}`). */
export function parseCheckType(raw: unknown): (CheckDefinition & { given: Set<string> }) | undefined {
  const f = fields(raw, 'check');
  const given = new Set([...f.entries()].filter(([, v]) => v != null && v !== '').map(([k]) => k));
  if (given.size === 0) return undefined;
  for (const [key, kind] of Object.entries(UNSUPPORTED_KINDS)) {
    const v = f.get(key);
    if (v != null && v !== '' && !(Array.isArray(v) && v.length === 0)) {
      throw new HttpError(400, `Invalid check: the nat-ha Consul emulator does not run ${kind} checks`);
    }
  }
  const http = str(f, 'http', 'HTTP');
  const tcp = str(f, 'tcp', 'TCP');
  const ttlNs = duration(f, 'ttl', 'TTL');
  const intervalNs = duration(f, 'interval', 'Interval');
  const timeoutNs = duration(f, 'timeout', 'Timeout');
  // CheckType.Validate (spec §6.1): the messages are Consul's.
  const intervalCheck = http !== '' || tcp !== '';
  if (intervalNs > 0n && ttlNs > 0n)
    throw new HttpError(400, 'Invalid check: Interval and TTL cannot both be specified');
  if (intervalCheck && intervalNs <= 0n) {
    throw new HttpError(
      400,
      'Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or gRPC checks',
    );
  }
  if (!intervalCheck && ttlNs <= 0n)
    throw new HttpError(400, 'Invalid check: TTL must be > 0 for TTL checks');
  const failuresBeforeCritical = int(f, 'failuresbeforecritical', 'FailuresBeforeCritical');
  const failuresBeforeWarning = int(f, 'failuresbeforewarning', 'FailuresBeforeWarning');
  const outputMaxSize = int(f, 'outputmaxsize', 'OutputMaxSize');
  if (outputMaxSize < 0) throw new HttpError(400, 'Invalid check: MaxOutputMaxSize must be positive');
  return {
    given,
    id: str(f, 'checkid', 'CheckID') || str(f, 'id', 'ID'),
    name: str(f, 'name', 'Name'),
    notes: str(f, 'notes', 'Notes'),
    status: parseStatus(str(f, 'status', 'Status')),
    serviceId: str(f, 'serviceid', 'ServiceID'),
    kind: http !== '' ? 'http' : tcp !== '' ? 'tcp' : 'ttl',
    http,
    method: str(f, 'method', 'Method'),
    header: headerMap(f),
    body: str(f, 'body', 'Body'),
    disableRedirects: bool(f, 'disableredirects', 'DisableRedirects'),
    tlsSkipVerify: bool(f, 'tlsskipverify', 'TLSSkipVerify'),
    tlsServerName: str(f, 'tlsservername', 'TLSServerName'),
    tcp,
    ttlNs,
    intervalNs,
    timeoutNs,
    successBeforePassing: int(f, 'successbeforepassing', 'SuccessBeforePassing'),
    failuresBeforeWarning: failuresBeforeWarning === 0 ? failuresBeforeCritical : failuresBeforeWarning,
    failuresBeforeCritical,
    outputMaxSize: outputMaxSize === 0 ? DEFAULT_OUTPUT_MAX_SIZE : outputMaxSize,
  };
}

/** `PUT /v1/agent/check/register`: `Name` required, `ID` defaults to it. */
export function parseCheckRegistration(raw: unknown): CheckDefinition {
  const f = fields(raw, 'check');
  const name = str(f, 'name', 'Name');
  if (name === '') throw new HttpError(400, 'Missing check name');
  const status = str(f, 'status', 'Status');
  if (status !== '' && status !== 'passing' && status !== 'warning' && status !== 'critical') {
    throw new HttpError(400, 'Bad check status');
  }
  const check = parseCheckType(raw);
  if (check == null) {
    throw new HttpError(
      400,
      'Must provide TTL or Script/DockerContainerID/HTTP/TCP/UDP/H2PING/GRPC/AliasService/OSService and Interval',
    );
  }
  const { given: _given, ...def } = check;
  return { ...def, id: def.id === '' ? name : def.id, name };
}

/** `PUT /v1/agent/service/register` body (spec §6.1). Check IDs and names get their defaults. */
export function parseServiceDefinition(raw: unknown): ServiceDefinition {
  const f = fields(raw, 'service');
  const name = str(f, 'name', 'Name');
  if (name === '') throw new HttpError(400, 'Missing service name');
  const id = str(f, 'id', 'ID') || name;
  const address = str(f, 'address', 'Address');
  if (address === '0.0.0.0' || address === '::' || address === '[::]') {
    throw new HttpError(400, 'Invalid service address');
  }
  const weightsRaw = f.get('weights');
  let weights = { Passing: 1, Warning: 1 };
  if (weightsRaw != null) {
    const w = fields(weightsRaw, 'Weights');
    weights = {
      Passing: int(w, 'passing', 'Weights.Passing'),
      Warning: int(w, 'warning', 'Weights.Warning'),
    };
    if (weights.Passing < 1) throw new HttpError(400, 'Passing must be greater than 0');
  }
  const rawChecks: unknown[] = [];
  if (f.get('check') != null) rawChecks.push(f.get('check'));
  const list = f.get('checks');
  if (list != null) {
    if (!Array.isArray(list)) throw decodeFailed(`'Checks' expected an array`);
    rawChecks.push(...(list as unknown[]));
  }
  const parsed = rawChecks.map((c) => parseCheckType(c)).filter((c) => c != null);
  const checks = parsed.map(({ given: _given, ...c }, i) => {
    let checkId = c.id;
    if (checkId === '') {
      checkId = `service:${id}`;
      if (parsed.length > 1) checkId += `:${i + 1}`;
    }
    return { ...c, id: checkId, name: c.name === '' ? `Service '${name}' check` : c.name, serviceId: id };
  });
  return {
    id,
    name,
    tags: stringList(f, 'tags', 'Tags'),
    address,
    port: int(f, 'port', 'Port'),
    meta: stringMap(f, 'meta', 'Meta'),
    weights,
    enableTagOverride: bool(f, 'enabletagoverride', 'EnableTagOverride'),
    checks,
  };
}

/** How the check's `Interval` / `Timeout` are shown (`"1s"`, `""` when unset). */
export function showDuration(ns: bigint): string {
  return ns > 0n ? formatGoDuration(ns) : '';
}

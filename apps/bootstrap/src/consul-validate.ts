import { isIP } from 'node:net';
import { entriesOf, isConfigObject, type ConfigObject, type ConfigValue } from './config-value';
import type { Role } from './render-options';

/**
 * Checks rendered Consul configuration against the rules of consul-http-api.md §8 before anything
 * is written, with `consul validate`'s own messages where the spec gives them (§8.1, §8.5), so an
 * operator who greps Consul's docs for a message finds it. Like `consul validate`, it looks at the
 * complete set of fragments merged together (§8.5: fragments alone fail full validation).
 *
 * Messages never echo secret values (`encrypt`, `acl.tokens.*`).
 */
export interface ConfigIssue {
  /** Dotted key, e.g. `acl.tokens.agent` or `service.checks[0].interval`. */
  key: string;
  message: string;
  /** Which fragment the key came from (its file name), when known. */
  file?: string;
}

export interface ConsulValidation {
  errors: ConfigIssue[];
  /** Accepted by Consul but worth a line on stderr (§8.1: 2 or even bootstrap_expect only warn). */
  warnings: ConfigIssue[];
}

export interface ConsulFragment {
  file: string;
  document: ConfigObject;
}

/** Top-level keys Consul accepts that nat-bootstrap may render (§8.1); anything else is a typo. */
const KNOWN_TOP_LEVEL_KEYS = new Set([
  'acl',
  'addresses',
  'advertise_addr',
  'bind_addr',
  'bootstrap',
  'bootstrap_expect',
  'check',
  'check_update_interval',
  'checks',
  'client_addr',
  'data_dir',
  'datacenter',
  'default_query_time',
  'disable_update_check',
  'encrypt',
  'gossip_lan',
  'leave_on_terminate',
  'limits',
  'log_json',
  'log_level',
  'max_query_time',
  'node_meta',
  'node_name',
  'performance',
  'ports',
  'retry_join',
  'server',
  'service',
  'services',
  'session_ttl_min',
  'skip_leave_on_interrupt',
  'tls',
  'ui_config',
]);

const ACL_TOKEN_KEYS = new Set([
  'initial_management',
  'agent',
  'default',
  'agent_recovery',
  'dns',
  'replication',
  'config_file_service_registration',
]);
const LOG_LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error']);
const DOWN_POLICIES = new Set(['extend-cache', 'allow', 'deny', 'async-cache']);
const DATACENTER = /^[a-z0-9_-]+$/;
const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
const UNITS_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
// Consul raises any check interval below 1 s to 1 s (agent/checks MinInterval), silently changing
// the failover timing nat-ha's safety argument is built on, so we refuse it instead.
const MIN_CHECK_INTERVAL_MS = 1_000;

export function validateConsulConfig(fragments: readonly ConsulFragment[], role: Role): ConsulValidation {
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  for (const { file, document } of fragments) {
    for (const [key] of entriesOf(document)) {
      if (!KNOWN_TOP_LEVEL_KEYS.has(key)) errors.push({ key, message: `invalid config key ${key}`, file });
    }
  }
  const config = mergeFragments(fragments.map((f) => f.document));
  const error = (key: string, message: string): void => {
    const file = originOf(fragments, key);
    errors.push(file == null ? { key, message } : { key, message, file });
  };
  const warn = (key: string, message: string): void => {
    warnings.push({ key, message });
  };

  const datacenter = config.datacenter;
  if (datacenter !== undefined) {
    if (typeof datacenter !== 'string' || !DATACENTER.test(datacenter)) {
      error(
        'datacenter',
        `datacenter cannot be ${JSON.stringify(typeof datacenter === 'string' ? datacenter : JSON.stringify(datacenter))}. Please use only [a-z0-9-_].`,
      );
    }
  }

  const dataDir = config.data_dir;
  if (typeof dataDir !== 'string' || dataDir === '') error('data_dir', 'data_dir cannot be empty');
  else if (!dataDir.startsWith('/'))
    error('data_dir', `data_dir must be an absolute path (got ${JSON.stringify(dataDir)})`);

  const nodeName = config.node_name;
  if (typeof nodeName !== 'string' || nodeName === '') error('node_name', 'node_name cannot be empty');
  else if (/[\s"'`]/u.test(nodeName)) {
    // §8.1 node_name: unique, no whitespace or quotes.
    error('node_name', `node_name ${JSON.stringify(nodeName)} must not contain whitespace or quotes`);
  }

  const server = config.server;
  if (server !== undefined && typeof server !== 'boolean') error('server', 'server must be true or false');
  if (role === 'server' && server !== true) error('server', "role 'server' requires 'server = true'");
  if (role === 'client' && server === true) error('server', "role 'client' requires 'server = false'");

  const expect = config.bootstrap_expect;
  if (expect !== undefined) {
    if (typeof expect !== 'number' || !Number.isInteger(expect) || expect < 1) {
      error('bootstrap_expect', 'bootstrap_expect must be a positive integer');
    } else {
      if (server !== true) error('bootstrap_expect', "'bootstrap_expect > 0' requires 'server = true'");
      if (config.bootstrap === true) {
        error('bootstrap_expect', "'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive");
      }
      if (expect === 2) {
        warn(
          'bootstrap_expect',
          'bootstrap_expect = 2: A cluster with 2 servers will provide no failure tolerance.',
        );
      } else if (expect % 2 === 0) {
        warn(
          'bootstrap_expect',
          'bootstrap_expect is even number: A cluster with an even number of servers does not achieve optimum fault tolerance.',
        );
      }
    }
  } else if (server === true && config.bootstrap !== true) {
    warn('bootstrap_expect', 'server without bootstrap_expect: it will only join an existing cluster');
  }
  if (config.bootstrap === true && server !== true)
    error('bootstrap', "'bootstrap = true' requires 'server = true'");

  checkIp(config, 'bind_addr', error, { required: true, allowUnspecified: true });
  checkIp(config, 'advertise_addr', error, { required: false, allowUnspecified: false });
  checkIp(config, 'client_addr', error, { required: false, allowUnspecified: true });

  const retryJoin = config.retry_join;
  if (retryJoin !== undefined) {
    if (
      !Array.isArray(retryJoin) ||
      retryJoin.some((entry) => typeof entry !== 'string' || entry.trim() === '')
    ) {
      error('retry_join', 'retry_join must be a list of non-empty addresses or cloud auto-join strings');
    } else {
      const seen = new Set<string>();
      (retryJoin as readonly string[]).forEach((entry, index) => {
        if (seen.has(entry)) error(`retry_join[${index}]`, `retry_join lists ${JSON.stringify(entry)} twice`);
        seen.add(entry);
        if (entry.startsWith('provider=') && !/(^| )provider=aws( |$)/.test(entry)) {
          error(`retry_join[${index}]`, 'retry_join cloud auto-join string must use provider=aws');
        }
      });
    }
  }
  const joinCount = Array.isArray(retryJoin) ? retryJoin.length : 0;
  if (joinCount === 0) {
    if (server === true) {
      warn('retry_join', 'retry_join is empty: this server waits for the others to join it');
    } else {
      error('retry_join', 'retry_join is empty: a client must know at least one server to join');
    }
  }

  const encrypt = config.encrypt;
  if (encrypt !== undefined) {
    const problem = typeof encrypt === 'string' ? gossipKeyProblem(encrypt) : 'not a string';
    if (problem != null) error('encrypt', `encrypt has invalid key: ${problem}`);
  }

  const logLevel = config.log_level;
  if (logLevel !== undefined && (typeof logLevel !== 'string' || !LOG_LEVELS.has(logLevel.toLowerCase()))) {
    error('log_level', 'log_level must be one of trace, debug, info, warn, error');
  }

  checkAcl(config.acl, role, error, warn);
  checkTls(config.tls, error);

  const performance = config.performance;
  if (performance !== undefined) {
    const multiplier = isConfigObject(performance) ? performance.raft_multiplier : undefined;
    if (
      multiplier !== undefined &&
      (typeof multiplier !== 'number' || !Number.isInteger(multiplier) || multiplier < 1 || multiplier > 10)
    ) {
      error(
        'performance.raft_multiplier',
        `performance.raft_multiplier cannot be ${JSON.stringify(multiplier)}. Must be between 1 and 10`,
      );
    }
  }

  for (const key of ['leave_on_terminate', 'skip_leave_on_interrupt', 'disable_update_check'] as const) {
    const value = config[key];
    if (value !== undefined && typeof value !== 'boolean') error(key, `${key} must be true or false`);
  }
  const ttlMin = config.session_ttl_min;
  if (
    ttlMin !== undefined &&
    (typeof ttlMin !== 'string' || durationMs(ttlMin) == null || durationMs(ttlMin) === 0)
  ) {
    error(
      'session_ttl_min',
      `session_ttl_min must be a positive duration such as "5s" (got ${JSON.stringify(ttlMin)})`,
    );
  }

  for (const [index, service] of services(config).entries()) checkService(service, index, error);
  return { errors, warnings };
}

type Report = (key: string, message: string) => void;

function checkIp(
  config: ConfigObject,
  key: 'bind_addr' | 'advertise_addr' | 'client_addr',
  error: Report,
  rules: { required: boolean; allowUnspecified: boolean },
): void {
  const value = config[key];
  if (value === undefined) {
    if (rules.required) error(key, `${key} must be set to this instance's private IP`);
    return;
  }
  if (typeof value !== 'string' || isIP(value) === 0) {
    error(key, `${key} must be an IP address (got ${JSON.stringify(value)})`);
    return;
  }
  if (!rules.allowUnspecified && (value === '0.0.0.0' || value === '::' || value === '[::]')) {
    error(key, 'Advertise address cannot be 0.0.0.0, :: or [::]');
  }
}

/** §8.1 `encrypt`: base64 of 32 bytes, as `consul keygen` prints it. */
export function gossipKeyProblem(key: string): string | undefined {
  if (key === '') return 'empty';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || key.length % 4 !== 0) return 'not base64';
  const bytes = Buffer.from(key, 'base64').length;
  return bytes === 32 ? undefined : `decodes to ${bytes} bytes, expected 32 (use 'consul keygen')`;
}

function checkAcl(acl: ConfigValue | undefined, role: Role, error: Report, warn: Report): void {
  if (acl === undefined) return;
  if (!isConfigObject(acl)) {
    error('acl', 'acl must be a block');
    return;
  }
  if (acl.enabled !== undefined && typeof acl.enabled !== 'boolean')
    error('acl.enabled', 'acl.enabled must be true or false');
  const policy = acl.default_policy;
  if (policy !== undefined && policy !== 'allow' && policy !== 'deny') {
    error(
      'acl.default_policy',
      `acl.default_policy must be "allow" or "deny" (got ${JSON.stringify(policy)})`,
    );
  }
  const down = acl.down_policy;
  if (down !== undefined && (typeof down !== 'string' || !DOWN_POLICIES.has(down))) {
    error('acl.down_policy', 'acl.down_policy must be one of extend-cache, allow, deny, async-cache');
  }
  const tokens = acl.tokens;
  if (tokens === undefined) return;
  if (!isConfigObject(tokens)) {
    error('acl.tokens', 'acl.tokens must be a block');
    return;
  }
  if (acl.enabled !== true) error('acl.tokens', 'acl.tokens are set but acl.enabled is not true');
  for (const [name, token] of entriesOf(tokens)) {
    const key = `acl.tokens.${name}`;
    if (!ACL_TOKEN_KEYS.has(name)) error(key, `invalid config key ${key}`);
    // Never print the token itself: the message may end up in a CI log.
    if (typeof token !== 'string' || token.trim() === '') error(key, `${key} is empty`);
    // eslint-disable-next-line no-control-regex -- control characters are exactly what we look for
    else if (/[\s"\\\x00-\x1f\x7f]/.test(token))
      error(key, `${key} contains whitespace, quotes or control characters`);
    if (name === 'initial_management' && role !== 'server') {
      warn(key, `${key} is only read by servers; a client ignores it`);
    }
  }
}

function checkTls(tls: ConfigValue | undefined, error: Report): void {
  if (tls === undefined) return;
  const defaults = isConfigObject(tls) ? tls.defaults : undefined;
  if (!isConfigObject(defaults)) {
    error('tls.defaults', 'tls.defaults must be a block');
    return;
  }
  const cert = defaults.cert_file;
  const key = defaults.key_file;
  if ((cert === undefined) !== (key === undefined)) {
    error(
      cert === undefined ? 'tls.defaults.cert_file' : 'tls.defaults.key_file',
      'tls.defaults needs both cert_file and key_file, or neither',
    );
  }
  const ca = defaults.ca_file;
  if ((defaults.verify_incoming === true || defaults.verify_outgoing === true) && typeof ca !== 'string') {
    error('tls.defaults.ca_file', 'tls.defaults.verify_incoming/verify_outgoing need tls.defaults.ca_file');
  }
  if (defaults.verify_incoming === true && cert === undefined) {
    error(
      'tls.defaults.verify_incoming',
      "tls.defaults.verify_incoming needs this agent's own cert_file and key_file",
    );
  }
  for (const name of ['ca_file', 'cert_file', 'key_file'] as const) {
    const value = defaults[name];
    if (value !== undefined && (typeof value !== 'string' || !value.startsWith('/'))) {
      error(`tls.defaults.${name}`, `tls.defaults.${name} must be an absolute path`);
    }
  }
}

function services(config: ConfigObject): ConfigObject[] {
  const list: ConfigObject[] = [];
  for (const value of [config.service, config.services]) {
    if (value === undefined) continue;
    const items = Array.isArray(value) ? (value as readonly ConfigValue[]) : [value];
    for (const item of items) if (isConfigObject(item)) list.push(item);
  }
  return list;
}

/** §8.4 service definitions; errors are prefixed `service "<name>":` as `consul validate` does (§8.5). */
function checkService(service: ConfigObject, index: number, error: Report): void {
  const name = typeof service.name === 'string' ? service.name : '';
  const where = `service[${index}]`;
  if (name === '') {
    error(`${where}.name`, 'service: Missing service name');
    return;
  }
  const prefix = `service ${JSON.stringify(name)}:`;
  const port = service.port;
  if (
    port !== undefined &&
    (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535)
  ) {
    error(`${where}.port`, `${prefix} port must be 1-65535`);
  }
  const checks =
    service.checks === undefined
      ? []
      : Array.isArray(service.checks)
        ? (service.checks as readonly ConfigValue[])
        : [service.checks];
  const ids = new Set<string>();
  checks.forEach((check, i) => {
    const at = `${where}.checks[${i}]`;
    if (!isConfigObject(check)) {
      error(at, `${prefix} check ${i} must be a block`);
      return;
    }
    const id = typeof check.id === 'string' ? check.id : `#${i}`;
    const label = `${prefix} check ${JSON.stringify(id)}:`;
    if (ids.has(id)) error(`${at}.id`, `${label} duplicate check id`);
    ids.add(id);
    const http = check.http;
    if (http !== undefined) {
      let url: URL | undefined;
      try {
        url = typeof http === 'string' ? new URL(http) : undefined;
      } catch {
        url = undefined;
      }
      if (url == null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        error(`${at}.http`, `${label} http must be an http:// or https:// URL`);
      }
    }
    const interval = typeof check.interval === 'string' ? durationMs(check.interval) : undefined;
    const timeout = typeof check.timeout === 'string' ? durationMs(check.timeout) : undefined;
    if (http !== undefined && check.interval === undefined) {
      // §6.1: Interval is required for HTTP, TCP and UDP checks.
      error(`${at}.interval`, `${label} Interval must be > 0 for Script, HTTP, H2PING, TCP or UDP checks`);
    }
    if (check.interval !== undefined && interval == null)
      error(`${at}.interval`, `${label} interval is not a duration`);
    if (check.timeout !== undefined && timeout == null)
      error(`${at}.timeout`, `${label} timeout is not a duration`);
    if (interval != null && interval < MIN_CHECK_INTERVAL_MS) {
      error(
        `${at}.interval`,
        `${label} interval must be at least 1s (Consul raises shorter intervals to 1s)`,
      );
    }
    if (interval != null && timeout != null && timeout >= interval) {
      error(`${at}.timeout`, `${label} timeout must be shorter than interval, or checks overlap`);
    }
  });
}

/** Milliseconds of a Go duration string (`1s`, `500ms`, `1m30s`), or undefined when malformed. */
export function durationMs(text: string): number | undefined {
  if (text === '0') return 0;
  if (!GO_DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(amount) * (UNITS_NS[unit as string] as number);
  }
  return total / 1e6;
}

/** The last fragment that sets the deepest existing prefix of `key` (e.g. `acl.tokens.agent`). */
function originOf(fragments: readonly ConsulFragment[], key: string): string | undefined {
  const segments = key.split(/\.|\[(\d+)\]\.?/).filter((s) => s != null && s !== '');
  for (let depth = segments.length; depth > 0; depth--) {
    for (let i = fragments.length - 1; i >= 0; i--) {
      const fragment = fragments[i] as ConsulFragment;
      let node: ConfigValue | undefined = fragment.document;
      for (const segment of segments.slice(0, depth)) {
        if (Array.isArray(node)) node = (node as readonly ConfigValue[])[Number(segment)];
        else if (isConfigObject(node)) node = node[segment];
        else node = undefined;
      }
      if (node !== undefined) return fragment.file;
    }
  }
  return undefined;
}

/**
 * Merges fragments the way Consul merges config files (consul:agent/config/merge.go): blocks that
 * are structs in Consul (`acl`, `acl.tokens`, `tls`, `performance`, …) key by key, lists appended,
 * scalars replaced by the later file. Consul replaces map-typed values (`node_meta`, a service's
 * `meta`) wholesale instead; nat-bootstrap never sets one in two fragments, so the difference
 * cannot show here.
 */
export function mergeFragments(documents: readonly ConfigObject[]): ConfigObject {
  let merged: ConfigObject = {};
  for (const document of documents) merged = mergeObjects(merged, document);
  return merged;
}

function mergeObjects(a: ConfigObject, b: ConfigObject): ConfigObject {
  const out: Record<string, ConfigValue> = {};
  for (const [key, value] of entriesOf(a)) out[key] = value;
  for (const [key, value] of entriesOf(b)) {
    const prior = out[key];
    if (isConfigObject(prior) && isConfigObject(value)) out[key] = mergeObjects(prior, value);
    else if (Array.isArray(prior) && Array.isArray(value))
      out[key] = [...(prior as ConfigValue[]), ...(value as ConfigValue[])];
    else out[key] = value;
  }
  return out;
}

import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { gossipKeyProblem } from './consul-validate';
import { parseDurationMs } from './duration';
import { BootstrapError } from './errors';
import { ENCRYPT_ENV, envName, FLAGS } from './render-flags';
import {
  RENDER_DEFAULTS,
  type AclDownPolicy,
  type AclOptions,
  type AclTokenName,
  type GroupOptions,
  type LogLevel,
  type RenderOptions,
  type RouteTableSelection,
  type TlsOptions,
} from './render-options';

/** Everything one `render` run needs besides the facts it discovers. */
export interface RenderCommand {
  options: RenderOptions;
  dryRun: boolean;
  /** 0: do not wait. */
  waitForPeers: number;
  waitTimeoutMs: number;
  waitIntervalMs: number;
  /**
   * EC2 / Auto Scaling endpoints (VPC endpoints, emulators). IMDS is not here: the metadata
   * endpoint comes from AWS_EC2_METADATA_SERVICE_ENDPOINT, which the SDK's credential chain reads
   * too, so identity and credentials always come from the same place.
   */
  endpoints: { ec2?: string; autoScaling?: string };
}

/** What the parser may touch: injected so tests need no files and no real environment. */
export interface RenderArgsContext {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Reads a secret file; throws on a missing or unreadable file. */
  readFile: (path: string) => string;
  /** Whether a path exists (for certificate files). */
  exists: (path: string) => boolean;
}

const TOKEN_FLAGS: Record<string, AclTokenName> = {
  'acl-agent-token-file': 'agent',
  'acl-default-token-file': 'default',
  'acl-initial-management-token-file': 'initial_management',
  'acl-agent-recovery-token-file': 'agent_recovery',
  'acl-registration-token-file': 'config_file_service_registration',
};

// Paths and names end up in systemd units and HCL unquoted-safe; keep them boring (systemd-units.ts).
const PLAIN_PATH = /^\/[A-Za-z0-9._/@+-]*$/;
const DATACENTER = /^[a-z0-9_-]+$/;
const GROUP_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;
const SERVICE_NAME = /^[a-z0-9][a-z0-9-]*$/;
const awsId = (prefix: string) => new RegExp(`^${prefix}-[0-9a-f]{8,17}$`);

/**
 * Turns argv plus environment into validated options. Every problem is collected and reported at
 * once, each naming the flag (and the variable, when the value came from the environment).
 */
export function parseRenderArgs(argv: readonly string[], context: RenderArgsContext): RenderCommand {
  const config: ParseArgsConfig = {
    args: [...argv],
    options: Object.fromEntries(
      FLAGS.map((f) => [f.name, { type: f.kind, ...(f.multiple === true ? { multiple: true } : {}) }]),
    ),
    allowPositionals: false,
    strict: true,
  };
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    values = parseArgs(config).values;
  } catch (error) {
    // node:util's message goes on about positionals after `--`; the first sentence is the point.
    const message = (error as Error).message.split('. ')[0] ?? 'invalid arguments';
    throw new BootstrapError('INVALID_OPTION', `${message} (see nat-bootstrap render --help)`, {
      cause: error,
    });
  }

  const problems: string[] = [];
  const fail = (message: string): undefined => {
    problems.push(message);
    return undefined;
  };
  /** Names the source of a value in messages: `--role` or `--role (from NAT_HA_BOOTSTRAP_ROLE)`. */
  const sources = new Map<string, string>();
  const label = (flag: string): string => {
    const source = sources.get(flag);
    return source == null ? `--${flag}` : `--${flag} (from ${source})`;
  };
  const str = (flag: string): string | undefined => {
    const value = values[flag];
    if (typeof value === 'string') return value;
    const spec = FLAGS.find((f) => f.name === flag);
    for (const name of [envName(flag), ...(spec?.standardEnv ?? [])]) {
      const fromEnv = context.env[name];
      if (fromEnv != null && fromEnv !== '') {
        sources.set(flag, name);
        return fromEnv;
      }
    }
    return undefined;
  };
  const list = (flag: string): string[] => {
    const value = values[flag];
    if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
    const fromEnv = context.env[envName(flag)];
    if (fromEnv == null || fromEnv === '') return [];
    sources.set(flag, envName(flag));
    return fromEnv
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
  };
  const bool = (flag: string): boolean => {
    const value = values[flag];
    if (typeof value === 'boolean') return value;
    const fromEnv = context.env[envName(flag)];
    if (fromEnv == null || fromEnv === '') return false;
    sources.set(flag, envName(flag));
    if (/^(1|true|yes)$/i.test(fromEnv)) return true;
    if (/^(0|false|no)$/i.test(fromEnv)) return false;
    fail(`${label(flag)} must be true or false (got ${JSON.stringify(fromEnv)})`);
    return false;
  };
  const oneOf = <T extends string>(flag: string, allowed: readonly T[], fallback: T): T => {
    const value = str(flag);
    if (value == null) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    fail(`${label(flag)} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
    return fallback;
  };
  const integer = (flag: string, min: number, max: number, fallback: number): number => {
    const value = str(flag);
    if (value == null) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      fail(`${label(flag)} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`);
      return fallback;
    }
    return Number(value);
  };
  const duration = (flag: string, fallback: number): number => {
    const value = str(flag);
    if (value == null) return fallback;
    try {
      return parseDurationMs(label(flag), value);
    } catch (error) {
      fail((error as Error).message);
      return fallback;
    }
  };
  const path = (flag: string, fallback?: string): string | undefined => {
    const value = str(flag) ?? fallback;
    if (value == null) return undefined;
    if (!PLAIN_PATH.test(value)) {
      return fail(
        `${label(flag)} must be an absolute path of letters, digits and ._/@+- (got ${JSON.stringify(value)})`,
      );
    }
    return value;
  };
  const matching = (flag: string, pattern: RegExp, what: string): string | undefined => {
    const value = str(flag);
    if (value == null) return undefined;
    return pattern.test(value)
      ? value
      : fail(`${label(flag)} must be ${what} (got ${JSON.stringify(value)})`);
  };
  const url = (flag: string): string | undefined => {
    const value = str(flag);
    if (value == null) return undefined;
    try {
      const parsed = new URL(value);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return value;
    } catch {
      // reported below
    }
    return fail(`${label(flag)} must be an http:// or https:// URL (got ${JSON.stringify(value)})`);
  };
  const secretFile = (flag: string): string | undefined => {
    const file = str(flag);
    if (file == null) return undefined;
    let text: string;
    try {
      text = context.readFile(resolve(context.cwd, file));
    } catch (error) {
      return fail(`${label(flag)}: cannot read ${file}: ${(error as Error).message}`);
    }
    const secret = text.trim();
    if (secret === '') return fail(`${label(flag)}: ${file} is empty`);
    if (/[\r\n]/.test(secret)) return fail(`${label(flag)}: ${file} must hold one line`);
    return secret;
  };

  // General
  const outRaw = str('out');
  let outDir = '';
  if (outRaw == null) fail('--out DIR is required');
  else {
    outDir = resolve(context.cwd, outRaw).replace(/\/+$/, '') || '/';
    if (!PLAIN_PATH.test(outDir)) {
      fail(`${label('out')} must be a path of letters, digits and ._/@+- (got ${JSON.stringify(outDir)})`);
    }
  }
  const role = oneOf('role', ['server', 'client'] as const, RENDER_DEFAULTS.role);
  const format = oneOf('format', ['hcl', 'json'] as const, RENDER_DEFAULTS.format);
  const dryRun = bool('dry-run');
  const waitForPeers = integer('wait-for-peers', 0, 1_000, 0);
  const waitTimeoutMs = duration('timeout', RENDER_DEFAULTS.waitTimeoutMs);
  const waitIntervalMs = duration('wait-interval', RENDER_DEFAULTS.waitIntervalMs);
  if (str('timeout') != null && waitForPeers === 0)
    fail(`${label('timeout')} only applies with --wait-for-peers`);
  if (waitIntervalMs === 0) fail(`${label('wait-interval')} must be greater than 0`);

  // Discovery
  const peerTag = str('peer-tag');
  const peerAsg = str('peer-asg');
  let tag: { key: string; value: string } | undefined;
  if (peerTag != null) {
    const eq = peerTag.indexOf('=');
    if (eq <= 0 || eq === peerTag.length - 1)
      fail(`${label('peer-tag')} must be KEY=VALUE (got ${JSON.stringify(peerTag)})`);
    else tag = { key: peerTag.slice(0, eq), value: peerTag.slice(eq + 1) };
  }
  if (peerTag == null && peerAsg == null) {
    fail('--peer-tag KEY=VALUE or --peer-asg NAME is required: it selects the instances Consul joins');
  }
  if (peerTag != null && peerAsg != null) fail('give --peer-tag or --peer-asg, not both');
  if (peerAsg != null && peerAsg.trim() === '') fail(`${label('peer-asg')} must not be empty`);
  const join = oneOf('join', ['peers', 'cloud', 'both'] as const, RENDER_DEFAULTS.join);

  // Consul
  const datacenter = str('datacenter');
  if (datacenter != null && !DATACENTER.test(datacenter)) {
    fail(`${label('datacenter')} cannot be ${JSON.stringify(datacenter)}: use only [a-z0-9-_]`);
  }
  const dataDir = path('data-dir', RENDER_DEFAULTS.dataDir) ?? RENDER_DEFAULTS.dataDir;
  const bootstrapExpect = integer('bootstrap-expect', 1, 15, RENDER_DEFAULTS.bootstrapExpect);
  if (str('bootstrap-expect') != null && role !== 'server') {
    fail(
      `${label('bootstrap-expect')} is only valid with --role server ('bootstrap_expect > 0' requires 'server = true')`,
    );
  }
  const logLevel = oneOf<LogLevel>(
    'log-level',
    ['trace', 'debug', 'info', 'warn', 'error'],
    RENDER_DEFAULTS.logLevel,
  );
  const leaveRaw = oneOf('leave-on-terminate', ['true', 'false', 'default'] as const, 'default');
  const leaveOnTerminate = leaveRaw === 'default' ? undefined : leaveRaw === 'true';

  const encryptFile = str('encrypt-file');
  const encryptEnv = context.env[ENCRYPT_ENV];
  let encryptKey: string | undefined;
  if (encryptFile != null && encryptEnv != null && encryptEnv !== '') {
    fail(`give --encrypt-file or ${ENCRYPT_ENV}, not both`);
  } else if (encryptFile != null) {
    encryptKey = secretFile('encrypt-file');
  } else if (encryptEnv != null && encryptEnv !== '') {
    encryptKey = encryptEnv.trim();
  }
  if (encryptKey != null) {
    const problem = gossipKeyProblem(encryptKey);
    const from = encryptFile != null ? label('encrypt-file') : ENCRYPT_ENV;
    if (problem != null) fail(`${from}: encrypt has invalid key: ${problem}`);
  }

  const tokens: Partial<Record<AclTokenName, string>> = {};
  for (const [flag, name] of Object.entries(TOKEN_FLAGS)) {
    const token = secretFile(flag);
    if (token != null) tokens[name] = token;
  }
  if (tokens.initial_management != null && role !== 'server') {
    fail(`${label('acl-initial-management-token-file')} is only valid with --role server`);
  }
  const aclRequested =
    bool('acl') ||
    Object.keys(tokens).length > 0 ||
    str('acl-default-policy') != null ||
    str('acl-down-policy') != null;
  const acl: AclOptions | undefined = aclRequested
    ? {
        defaultPolicy: oneOf(
          'acl-default-policy',
          ['allow', 'deny'] as const,
          RENDER_DEFAULTS.aclDefaultPolicy,
        ),
        downPolicy: oneOf<AclDownPolicy>(
          'acl-down-policy',
          ['extend-cache', 'allow', 'deny', 'async-cache'],
          RENDER_DEFAULTS.aclDownPolicy,
        ),
        tokens,
      }
    : undefined;

  const caFile = path('tls-ca-file');
  const certFile = path('tls-cert-file');
  const keyFile = path('tls-key-file');
  let tls: TlsOptions | undefined;
  if (certFile != null || keyFile != null || caFile != null) {
    if ((certFile == null) !== (keyFile == null)) fail('--tls-cert-file and --tls-key-file go together');
    if (caFile == null) fail('--tls-cert-file/--tls-key-file need --tls-ca-file');
    for (const [flag, file] of [
      ['tls-ca-file', caFile],
      ['tls-cert-file', certFile],
      ['tls-key-file', keyFile],
    ] as const) {
      if (file != null && !context.exists(file)) fail(`${label(flag)}: ${file} does not exist`);
    }
    if (caFile != null) {
      tls = { caFile, ...(certFile != null ? { certFile } : {}), ...(keyFile != null ? { keyFile } : {}) };
    }
  }
  const consulBinary = path('consul-bin', RENDER_DEFAULTS.consulBinary) ?? RENDER_DEFAULTS.consulBinary;
  const consulUser =
    matching('consul-user', USER_NAME, 'a user name such as consul') ?? RENDER_DEFAULTS.consulUser;

  // nat-ha
  const serviceName =
    matching('service-name', SERVICE_NAME, 'a DNS-safe name (a-z, 0-9, "-")') ?? RENDER_DEFAULTS.serviceName;
  const sessionTtlMs = duration('session-ttl', RENDER_DEFAULTS.sessionTtlMs);
  if (sessionTtlMs < 1_000 || sessionTtlMs > 86_400_000)
    fail(`${label('session-ttl')} must be between 1s and 24h`);
  const checkIntervalMs = duration('check-interval', RENDER_DEFAULTS.checkIntervalMs);
  const checkTimeoutMs = duration('check-timeout', RENDER_DEFAULTS.checkTimeoutMs);
  if (checkIntervalMs < 1_000)
    fail(`${label('check-interval')} must be at least 1s (Consul raises shorter intervals to 1s)`);
  if (checkTimeoutMs === 0 || checkTimeoutMs >= checkIntervalMs) {
    fail(`${label('check-timeout')} must be greater than 0 and shorter than --check-interval`);
  }
  const httpHost = str('agent-host') ?? RENDER_DEFAULTS.httpHost;
  if (isIP(httpHost) === 0)
    fail(`${label('agent-host')} must be an IP address (got ${JSON.stringify(httpHost)})`);
  const httpPort = integer('agent-port', 1, 65_535, RENDER_DEFAULTS.httpPort);
  const consulTokenFile = path('nat-agent-token-file');
  const natAgentBinary =
    path('nat-agent-bin', RENDER_DEFAULTS.natAgentBinary) ?? RENDER_DEFAULTS.natAgentBinary;
  const nodeBinary = path('node-bin', RENDER_DEFAULTS.nodeBinary) ?? RENDER_DEFAULTS.nodeBinary;
  const natAgentUser =
    matching('nat-agent-user', USER_NAME, 'a user name such as nat-ha') ?? RENDER_DEFAULTS.natAgentUser;

  const consulOnly = bool('consul-only');

  // Groups and IAM
  const groups = parseGroups({ str, list, label, fail, matching });
  const lifecycleHook = str('lifecycle-hook');
  const lifecycleAsg = str('lifecycle-asg') ?? peerAsg;
  if (lifecycleHook != null && lifecycleAsg == null) {
    fail('--lifecycle-hook needs --lifecycle-asg NAME (or --peer-asg) to scope CompleteLifecycleAction');
  }
  if (str('lifecycle-asg') != null && lifecycleHook == null)
    fail(`${label('lifecycle-asg')} only applies with --lifecycle-hook`);

  const endpoints = {
    ...optional('ec2', url('ec2-endpoint')),
    ...optional('autoScaling', url('autoscaling-endpoint')),
  };

  if (problems.length > 0) {
    throw new BootstrapError(
      'INVALID_OPTION',
      problems.length === 1 ? (problems[0] as string) : `invalid options:\n  - ${problems.join('\n  - ')}`,
    );
  }
  const options: RenderOptions = {
    outDir,
    role,
    format,
    ...(datacenter != null ? { datacenter } : {}),
    dataDir,
    join,
    bootstrapExpect,
    ...(encryptKey != null ? { encryptKey } : {}),
    ...(acl != null ? { acl } : {}),
    ...(tls != null ? { tls } : {}),
    logLevel,
    ...(leaveOnTerminate != null ? { leaveOnTerminate } : {}),
    serviceDefinition: !bool('no-service-file') && !consulOnly,
    consulOnly,
    discovery: {
      ...(tag != null ? { tag } : {}),
      ...(peerAsg != null ? { autoScalingGroupName: peerAsg } : {}),
    },
    natHa: {
      serviceName,
      sessionTtlMs,
      checkIntervalMs,
      checkTimeoutMs,
      httpHost,
      httpPort,
      ...(consulTokenFile != null ? { consulTokenFile } : {}),
      manageNat: bool('manage-nat'),
    },
    groups: groups as GroupOptions,
    ...(lifecycleHook != null && lifecycleAsg != null
      ? { lifecycle: { hookName: lifecycleHook, autoScalingGroupName: lifecycleAsg } }
      : {}),
    consulBinary,
    consulUser,
    nodeBinary,
    natAgentBinary,
    natAgentUser,
  };
  return { options, dryRun, waitForPeers, waitTimeoutMs, waitIntervalMs, endpoints };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value == null ? {} : ({ [key]: value } as Record<K, string>);
}

interface GroupParsers {
  str: (flag: string) => string | undefined;
  list: (flag: string) => string[];
  label: (flag: string) => string;
  fail: (message: string) => undefined;
  matching: (flag: string, pattern: RegExp, what: string) => string | undefined;
}

function parseGroups({ str, list, label, fail, matching }: GroupParsers): GroupOptions | undefined {
  const modeRaw = str('group-mode') ?? RENDER_DEFAULTS.groupMode;
  if (modeRaw !== 'per-az' && modeRaw !== 'single') {
    fail(`${label('group-mode')} must be one of per-az, single (got ${JSON.stringify(modeRaw)})`);
  }
  const mode = modeRaw === 'single' ? 'single' : 'per-az';
  const singleName =
    matching('group-name', GROUP_NAME, '1-63 characters of a-z, 0-9 and "-"') ??
    RENDER_DEFAULTS.singleGroupName;
  if (str('group-name') != null && mode !== 'single')
    fail(`${label('group-name')} only applies with --group-mode single`);

  const tagRaw = str('route-table-tag');
  const ids = list('route-table');
  for (const id of ids)
    if (!awsId('rtb').test(id))
      fail(`${label('route-table')} must look like rtb-0123456789abcdef0 (got ${JSON.stringify(id)})`);
  const rescueAzs = list('rescue-az');
  for (const az of rescueAzs)
    if (!GROUP_NAME.test(az))
      fail(`${label('rescue-az')} must be an AZ name such as us-east-1b (got ${JSON.stringify(az)})`);

  let routeTables: RouteTableSelection = { kind: 'az-private' };
  if (tagRaw != null && ids.length > 0) fail('give --route-table-tag or --route-table, not both');
  if (tagRaw != null) {
    const eq = tagRaw.indexOf('=');
    const key = eq < 0 ? tagRaw : tagRaw.slice(0, eq);
    const value = eq < 0 ? undefined : tagRaw.slice(eq + 1);
    if (key === '') fail(`${label('route-table-tag')} needs a tag key (got ${JSON.stringify(tagRaw)})`);
    if (mode === 'per-az' && value != null) {
      fail(
        `${label('route-table-tag')} takes only KEY with --group-mode per-az: each group matches KEY=<its AZ>`,
      );
    }
    if (mode === 'single' && (value == null || value === '')) {
      fail(`${label('route-table-tag')} must be KEY=VALUE with --group-mode single`);
    }
    routeTables = { kind: 'tag', key, ...(value != null ? { value } : {}) };
  } else if (ids.length > 0) {
    if (mode === 'per-az')
      fail(`${label('route-table')} needs --group-mode single (per-az groups select their AZ's tables)`);
    routeTables = { kind: 'ids', ids };
  } else if (mode === 'single') {
    fail('--group-mode single needs --route-table-tag KEY=VALUE or --route-table rtb-ID');
  }
  if (mode === 'single' && rescueAzs.length > 0)
    fail(`${label('rescue-az')} only applies with --group-mode per-az`);

  const eipAllocationId = matching(
    'eip',
    awsId('eipalloc'),
    'an allocation id such as eipalloc-0123456789abcdef0',
  );
  const fallbackNatGatewayId = matching(
    'fallback-nat-gateway',
    awsId('nat'),
    'an id such as nat-0123456789abcdef0',
  );
  return {
    mode,
    singleName,
    routeTables,
    rescueAzs,
    ...(eipAllocationId != null ? { eipAllocationId } : {}),
    ...(fallbackNatGatewayId != null ? { fallbackNatGatewayId } : {}),
  };
}

import { parse as parseYaml, YAMLParseError } from 'yaml';
import { configSchema, DEFAULT_CONFIG_PATH, type AgentConfig } from './schema';
import { OVERRIDES, type Override } from './overrides';
import { semanticIssues } from './semantic-checks';

export interface ConfigIssue {
  /** Dotted path with array indices, e.g. `groups[0].routeTables`; `(file)` for file-level problems. */
  path: string;
  message: string;
  /** Where the offending value came from, when it was not the file: `NAT_HA_HTTP_PORT`, `--http-port`. */
  source?: string;
}

export type LoadResult =
  | { ok: true; config: AgentConfig; sources: Record<string, string>; file: string | undefined }
  | { ok: false; issues: ConfigIssue[]; file: string | undefined };

export interface LoadConfigInput {
  /** `--config`, when given. */
  configPath?: string;
  /** Flag values by flag name (without `--`), as strings. */
  flags?: Record<string, string | boolean | undefined>;
  env: Readonly<Record<string, string | undefined>>;
  /** Reads a file; `undefined` when it does not exist. Injected so tests need no files. */
  readFile: (path: string) => string | undefined;
}

type Json = Record<string, unknown>;

/**
 * Reads the YAML file, applies standard variables, NAT_HA_* variables and flags (in that order),
 * and validates the result. Every problem is collected before returning, so an operator fixes a
 * broken file in one pass. Performs no network I/O: nothing is touched before the config is valid.
 */
export function loadConfig(input: LoadConfigInput): LoadResult {
  const issues: ConfigIssue[] = [];
  const sources: Record<string, string> = {};
  const explicitPath = input.configPath ?? nonEmpty(input.env.NAT_HA_CONFIG);
  const file = explicitPath ?? DEFAULT_CONFIG_PATH;

  let raw: Json = {};
  let text: string | undefined;
  try {
    text = input.readFile(file);
  } catch (error) {
    issues.push({ path: '(file)', message: `cannot read ${file}: ${(error as Error).message}` });
  }
  if (text === undefined && explicitPath !== undefined && issues.length === 0) {
    issues.push({ path: '(file)', message: `config file ${file} does not exist` });
  }
  const usedFile = text === undefined ? undefined : file;
  if (text !== undefined) {
    try {
      const parsed: unknown = parseYaml(text, { prettyErrors: true });
      if (parsed == null) raw = {};
      else if (typeof parsed === 'object' && !Array.isArray(parsed)) raw = parsed as Json;
      else issues.push({ path: '(file)', message: `${file} must contain a YAML mapping at the top level` });
    } catch (error) {
      const where =
        error instanceof YAMLParseError && error.linePos != null
          ? ` (line ${error.linePos[0].line}, column ${error.linePos[0].col})`
          : '';
      issues.push({
        path: '(file)',
        message: `${file} is not valid YAML${where}: ${firstLine((error as Error).message)}`,
      });
    }
  }

  // Standard variables first, then NAT_HA_*, then flags: each later layer overwrites.
  for (const o of OVERRIDES) {
    for (const name of [...(o.standardEnv ?? [])].reverse()) {
      const value = nonEmpty(input.env[name]);
      if (value !== undefined) applyOverride(raw, o, value, name, issues, sources);
    }
  }
  // CONSUL_HTTP_SSL=true turns a scheme-less CONSUL_HTTP_ADDR into https, as the consul CLI does.
  const consulSsl = /^(1|true)$/i.test(input.env.CONSUL_HTTP_SSL ?? '');
  for (const o of OVERRIDES) {
    const value = nonEmpty(input.env[o.env]);
    if (value !== undefined) applyOverride(raw, o, value, o.env, issues, sources);
  }
  for (const o of OVERRIDES) {
    if (o.flag === undefined) continue;
    const value = input.flags?.[o.flag];
    if (value === undefined) continue;
    applyOverride(raw, o, String(value), `--${o.flag}`, issues, sources);
  }
  normaliseConsulAddress(raw, consulSsl);

  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = formatPath(issue.path);
      const keys = (issue as { keys?: unknown }).keys;
      const message =
        issue.code === 'unrecognized_keys' && Array.isArray(keys)
          ? `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${String(k)}"`).join(', ')}`
          : issue.message;
      issues.push(withSource({ path: path === '' ? '(root)' : path, message }, sources));
    }
  }
  for (const issue of semanticIssues(raw)) issues.push(withSource(issue, sources));

  const unique = dedupe(issues);
  if (unique.length > 0 || !parsed.success) return { ok: false, issues: unique, file: usedFile };
  return { ok: true, config: parsed.data, sources, file: usedFile };
}

function applyOverride(
  raw: Json,
  o: Override,
  value: string,
  source: string,
  issues: ConfigIssue[],
  sources: Record<string, string>,
): void {
  let converted: unknown = value;
  switch (o.type) {
    case 'int':
      converted = /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
      break;
    case 'number':
      converted = value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
      break;
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(value)) converted = true;
      else if (/^(false|0|no|off)$/i.test(value)) converted = false;
      else {
        issues.push({ path: o.path, message: `must be true or false, not "${value}"`, source });
        return;
      }
      break;
    case 'list':
      converted = value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      break;
    case 'yaml':
      try {
        converted = parseYaml(value);
      } catch (error) {
        issues.push({
          path: o.path,
          message: `is not valid YAML/JSON: ${firstLine((error as Error).message)}`,
          source,
        });
        return;
      }
      break;
    case 'string':
      break;
  }
  setPath(raw, o.path, converted);
  sources[o.path] = source;
}

function normaliseConsulAddress(raw: Json, ssl: boolean): void {
  const consul = raw.consul;
  if (consul == null || typeof consul !== 'object') return;
  const c = consul as Json;
  if (typeof c.address === 'string' && c.address !== '' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(c.address)) {
    c.address = `${ssl ? 'https' : 'http'}://${c.address}`;
  }
}

function setPath(target: Json, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Json = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next == null || typeof next !== 'object' || Array.isArray(next)) node[part] = {};
    node = node[part] as Json;
  }
  node[parts[parts.length - 1] as string] = value;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

function withSource(issue: ConfigIssue, sources: Record<string, string>): ConfigIssue {
  if (issue.source !== undefined) return issue;
  // The longest overridden prefix of the issue's path tells where the bad value came from.
  let best: string | undefined;
  for (const p of Object.keys(sources)) {
    const covers = issue.path === p || issue.path.startsWith(`${p}.`) || issue.path.startsWith(`${p}[`);
    if (covers && (best === undefined || p.length > best.length)) best = p;
  }
  return best === undefined ? issue : { ...issue, source: sources[best] };
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path}\u0000${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function nonEmpty(v: string | undefined): string | undefined {
  return v == null || v === '' ? undefined : v;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

/** The text `check-config` and `run` print for an invalid configuration (exit code 2). */
export function formatIssues(issues: readonly ConfigIssue[], file: string | undefined): string {
  const head = `invalid configuration${file === undefined ? '' : ` (${file})`}: ${issues.length} problem${
    issues.length === 1 ? '' : 's'
  }`;
  const lines = issues.map(
    (i) => `  - ${i.path}: ${i.message}${i.source === undefined ? '' : ` (from ${i.source})`}`,
  );
  return [head, ...lines].join('\n');
}

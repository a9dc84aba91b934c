import { posix } from 'node:path';
import { buildAgentYaml, renderAgentYaml } from './agent-yaml';
import type { ConfigObject } from './config-value';
import { buildConsulConfig } from './consul-config';
import { validateConsulConfig, type ConfigIssue, type ConsulFragment } from './consul-validate';
import { BootstrapError } from './errors';
import type { BootstrapFacts } from './facts';
import { renderHcl } from './hcl-render';
import { buildIamPolicy, renderIamPolicy } from './iam-policy';
import { renderJson } from './json-render';
import type { ConfigFormat, RenderOptions } from './render-options';
import { buildServiceDefinition } from './service-definition';
import { renderConsulUnit, renderNatAgentUnit } from './systemd-units';

/** One file of the output, relative to `--out`. */
export interface RenderedFile {
  path: string;
  content: string;
  /** Permission bits the file must have (checked on every run, like the content). */
  mode: number;
  /** Never printed: dry-run diffs show only that it changed. */
  secret: boolean;
}

export interface RenderBundle {
  files: RenderedFile[];
  /**
   * Files nat-bootstrap owns that this render does not produce (the other format, a dropped
   * service definition or secrets fragment). They are removed, or Consul would still load them.
   */
  obsolete: string[];
  warnings: ConfigIssue[];
}

/** The output layout under `--out`, in one place (the units and docs refer to it). */
export const LAYOUT = {
  consulDir: 'consul.d',
  consulConfig: (format: ConfigFormat) => `consul.d/consul.${format}`,
  serviceDefinition: (format: ConfigFormat) => `consul.d/nat-ha-service.${format}`,
  secretsDir: 'secrets',
  consulSecrets: (format: ConfigFormat) => `secrets/consul-secrets.${format}`,
  agentConfig: 'agent.yaml',
  /** Not rendered: operators may add NAT_HA_* overrides there; the unit reads it if present. */
  agentEnvironment: 'agent.env',
  consulUnit: 'systemd/consul.service',
  natAgentUnit: 'systemd/nat-agent.service',
  iamPolicy: 'iam-policy.json',
} as const;

const FORMATS: readonly ConfigFormat[] = ['hcl', 'json'];

/**
 * Renders and validates every file in memory. It throws before anything is written when any
 * rendered config breaks a rule, so a failed run never leaves half a configuration behind.
 */
export function renderBundle(facts: BootstrapFacts, options: RenderOptions): RenderBundle {
  const header = [
    `Rendered by nat-bootstrap for ${facts.self.instanceId} (${options.role}).`,
    'Changes are overwritten by the next render; change the nat-bootstrap flags instead.',
  ];
  const consul = buildConsulConfig(facts, options);
  const agentYaml = buildAgentYaml(facts, options);
  const service = options.serviceDefinition
    ? buildServiceDefinition(facts, options.natHa, agentYaml.groups)
    : undefined;

  const fragments: ConsulFragment[] = [{ file: LAYOUT.consulConfig(options.format), document: consul.main }];
  if (service != null) fragments.push({ file: LAYOUT.serviceDefinition(options.format), document: service });
  if (consul.secrets != null) {
    fragments.push({ file: LAYOUT.consulSecrets(options.format), document: consul.secrets });
  }
  const { errors, warnings } = validateConsulConfig(fragments, options.role);
  if (errors.length > 0) {
    const list = errors.map((e) => `  - ${e.key}: ${e.message}${e.file == null ? '' : ` (${e.file})`}`);
    throw new BootstrapError('INVALID_CONFIG', `Config validation failed:\n${list.join('\n')}`);
  }

  const print = (document: ConfigObject): string =>
    options.format === 'hcl' ? renderHcl(document, { headerComment: header }) : renderJson(document);
  const at = (relative: string): string => posix.join(options.outDir, relative);
  const paths = {
    consulConfigDir: at(LAYOUT.consulDir),
    agentConfigFile: at(LAYOUT.agentConfig),
    agentEnvironmentFile: at(LAYOUT.agentEnvironment),
    ...(consul.secrets != null ? { consulSecretsFile: at(LAYOUT.consulSecrets(options.format)) } : {}),
  };

  const files: RenderedFile[] = fragments.map(({ file, document }) => ({
    path: file,
    content: print(document),
    mode: file.startsWith(`${LAYOUT.secretsDir}/`) ? 0o600 : 0o644,
    secret: file.startsWith(`${LAYOUT.secretsDir}/`),
  }));
  files.push({
    path: LAYOUT.consulUnit,
    content: renderConsulUnit(options, paths),
    mode: 0o644,
    secret: false,
  });
  if (!options.consulOnly) {
    files.push(
      {
        path: LAYOUT.agentConfig,
        content: renderAgentYaml(agentYaml, header),
        mode: 0o644,
        secret: false,
      },
      { path: LAYOUT.natAgentUnit, content: renderNatAgentUnit(options, paths), mode: 0o644, secret: false },
      {
        path: LAYOUT.iamPolicy,
        content: renderIamPolicy(buildIamPolicy(facts, options)),
        mode: 0o644,
        secret: false,
      },
    );
  }

  const rendered = new Set(files.map((f) => f.path));
  const owned = FORMATS.flatMap((f) => [
    LAYOUT.consulConfig(f),
    LAYOUT.serviceDefinition(f),
    LAYOUT.consulSecrets(f),
  ]);
  return { files, obsolete: owned.filter((path) => !rendered.has(path)), warnings };
}

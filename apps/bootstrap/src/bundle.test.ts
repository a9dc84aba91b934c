import { describe, expect, it } from 'vitest';
import { command, GOSSIP_KEY, sampleFacts } from '../test/fixtures';
import { renderBundle } from './bundle';
import { BootstrapError } from './errors';

const layout = (argv: string[] = []) =>
  renderBundle(sampleFacts(), command(argv).options).files.map((f) => [f.path, f.mode.toString(8), f.secret]);

describe('renderBundle', () => {
  it('renders the whole layout; secrets only when there are secrets, 0600', () => {
    expect(layout()).toEqual([
      ['consul.d/consul.hcl', '644', false],
      ['consul.d/nat-ha-service.hcl', '644', false],
      ['systemd/consul.service', '644', false],
      ['agent.yaml', '644', false],
      ['systemd/nat-agent.service', '644', false],
      ['iam-policy.json', '644', false],
    ]);
    expect(
      layout(['--format', 'json', '--encrypt-file', '/run/secrets/gossip', '--no-service-file']),
    ).toEqual([
      ['consul.d/consul.json', '644', false],
      ['secrets/consul-secrets.json', '600', true],
      ['systemd/consul.service', '644', false],
      ['agent.yaml', '644', false],
      ['systemd/nat-agent.service', '644', false],
      ['iam-policy.json', '644', false],
    ]);
    // A dedicated Consul server runs no nat-agent: no service, agent.yaml, nat-agent unit or policy.
    expect(layout(['--role', 'server', '--consul-only'])).toEqual([
      ['consul.d/consul.hcl', '644', false],
      ['systemd/consul.service', '644', false],
    ]);
  });

  it('lists the owned files it did not render as obsolete (other format, dropped service or secrets)', () => {
    expect(renderBundle(sampleFacts(), command().options).obsolete).toEqual([
      'secrets/consul-secrets.hcl',
      'consul.d/consul.json',
      'consul.d/nat-ha-service.json',
      'secrets/consul-secrets.json',
    ]);
    expect(renderBundle(sampleFacts(), command(['--no-service-file']).options).obsolete).toContain(
      'consul.d/nat-ha-service.hcl',
    );
  });

  it('keeps every secret out of every non-secret file', () => {
    const { files } = renderBundle(
      sampleFacts(),
      command(['--encrypt-file', '/run/secrets/gossip', '--acl-agent-token-file', '/run/secrets/agent-token'])
        .options,
    );
    for (const file of files.filter((f) => !f.secret)) {
      expect(file.content, file.path).not.toContain(GOSSIP_KEY);
      expect(file.content, file.path).not.toContain('6a1253d2-1785-24fd-91c2-f8e78c745511');
    }
  });

  it('refuses to render a config that fails §8 validation, listing every error with its file', () => {
    const facts = sampleFacts();
    const bad = { ...facts, self: { ...facts.self, instanceId: 'i-0 bad', privateIp: '0.0.0.0' } };
    const error = (() => {
      try {
        renderBundle(bad, command().options);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(BootstrapError.isInstance(error) && error.code).toBe('INVALID_CONFIG');
    expect((error as Error).message).toBe(
      [
        'Config validation failed:',
        '  - node_name: node_name "i-0 bad" must not contain whitespace or quotes (consul.d/consul.hcl)',
        '  - advertise_addr: Advertise address cannot be 0.0.0.0, :: or [::] (consul.d/consul.hcl)',
      ].join('\n'),
    );
  });

  it("passes Consul's warnings through (bootstrap_expect = 2)", () => {
    const { warnings } = renderBundle(
      sampleFacts(),
      command(['--role', 'server', '--bootstrap-expect', '2']).options,
    );
    expect(warnings.map((w) => w.key)).toEqual(['bootstrap_expect']);
  });

  it('is deterministic: the same facts and options give byte-identical files', () => {
    const argv = ['--role', 'server', '--encrypt-file', '/run/secrets/gossip', '--rescue-az', 'us-east-1b'];
    expect(renderBundle(sampleFacts(), command(argv).options)).toEqual(
      renderBundle(sampleFacts(), command(argv).options),
    );
  });
});

describe('renderBundle paths', () => {
  it('writes absolute paths into the units, also for --out /', () => {
    const { files } = renderBundle(sampleFacts(), command(['--encrypt-file', '/run/secrets/gossip']).options);
    const unit = files.find((f) => f.path === 'systemd/consul.service')?.content ?? '';
    expect(unit).toContain('LoadCredential=consul-secrets.hcl:/etc/nat-ha/secrets/consul-secrets.hcl\n');
    const root = renderBundle(sampleFacts(), { ...command().options, outDir: '/' }).files;
    expect(root.find((f) => f.path === 'systemd/consul.service')?.content).toContain(
      '-config-dir=/consul.d\n',
    );
  });
});

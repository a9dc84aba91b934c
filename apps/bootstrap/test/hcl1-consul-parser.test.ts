import { describe, expect, it } from 'vitest';
import { renderBundle } from '../src/bundle';
import type { ConfigObject } from '../src/config-value';
import { renderHcl } from '../src/hcl-render';
import { command, sampleFacts } from './fixtures';
import { decodeHcl1, hcl1Unavailable, unwrapHcl1 } from './hcl1';
import { HOSTILE_STRINGS } from './hostile-values';

const unavailable = hcl1Unavailable();
if (unavailable != null) console.warn(`skipping HCL 1 (Consul's parser) checks: ${unavailable}`);

describe.skipIf(unavailable != null)('HCL 1, the parser Consul uses (consul:agent/config/config.go)', () => {
  it('reads every hostile string back exactly, template openers included', async () => {
    const document: ConfigObject = {
      strings: [...HOSTILE_STRINGS],
      nested: {
        keys: Object.fromEntries(HOSTILE_STRINGS.filter((s) => s !== '').map((s, i) => [s, `v${i}`])),
      },
    };
    const decoded = await decodeHcl1(renderHcl(document));
    expect(unwrapHcl1(decoded, document)).toEqual(document);
  }, 120_000);

  it('reads the rendered Consul files (server and client, every feature) as the JSON rendering says', async () => {
    const features = [
      '--encrypt-file',
      '/run/secrets/gossip',
      '--acl-agent-token-file',
      '/run/secrets/agent-token',
      '--tls-ca-file',
      '/etc/consul.d/tls/ca.pem',
      '--tls-cert-file',
      '/etc/consul.d/tls/server.pem',
      '--tls-key-file',
      '/etc/consul.d/tls/server-key.pem',
      '--session-ttl',
      '5s',
    ];
    for (const role of ['server', 'client']) {
      const hcl = renderBundle(sampleFacts(), command(['--role', role, ...features]).options);
      const json = renderBundle(
        sampleFacts(),
        command(['--role', role, '--format', 'json', ...features]).options,
      );
      const consulFiles = hcl.files.filter((f) => /\.hcl$/.test(f.path));
      expect(consulFiles.map((f) => f.path)).toEqual([
        'consul.d/consul.hcl',
        'consul.d/nat-ha-service.hcl',
        'secrets/consul-secrets.hcl',
      ]);
      for (const file of consulFiles) {
        const twin = json.files.find((f) => f.path === file.path.replace(/\.hcl$/, '.json'));
        const expected = JSON.parse(twin?.content ?? 'null') as unknown;
        expect(unwrapHcl1(await decodeHcl1(file.content), expected), `${role} ${file.path}`).toEqual(
          expected,
        );
      }
    }
  }, 120_000);
});

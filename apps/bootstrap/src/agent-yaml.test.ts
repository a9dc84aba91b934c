import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { command, sampleFacts } from '../test/fixtures';
import { buildAgentYaml, renderAgentYaml } from './agent-yaml';

describe('buildAgentYaml', () => {
  it('per-AZ (default): our AZ primary, each AZ finds its own private tables; timing matches the service file', () => {
    expect(buildAgentYaml(sampleFacts(), command().options)).toEqual({
      consul: { datacenter: 'us-east-1', serviceName: 'nat-ha', checkIntervalMs: 1000, checkTimeoutMs: 500 },
      http: { host: '127.0.0.1', port: 9721 },
      groups: [
        { name: 'us-east-1a', role: 'primary', az: 'us-east-1a', routeTables: { azPrivate: 'us-east-1a' } },
      ],
    });
  });

  it('per-AZ with rescues and a tag key: each group selects KEY=<its AZ>; EIP and fallback stay with our own group', () => {
    const document = buildAgentYaml(
      sampleFacts(),
      command([
        '--route-table-tag',
        'nat-ha:group',
        '--rescue-az',
        'us-east-1c',
        '--rescue-az',
        'us-east-1b',
        '--rescue-az',
        'us-east-1a',
        '--eip',
        'eipalloc-0123456789abcdef0',
        '--fallback-nat-gateway',
        'nat-0123456789abcdef0',
      ]).options,
    );
    expect(document.groups).toEqual([
      {
        name: 'us-east-1a',
        role: 'primary',
        az: 'us-east-1a',
        routeTables: { tags: { 'nat-ha:group': 'us-east-1a' } },
        eipAllocationId: 'eipalloc-0123456789abcdef0',
        fallback: { natGatewayId: 'nat-0123456789abcdef0' },
      },
      {
        name: 'us-east-1b',
        role: 'rescue',
        az: 'us-east-1b',
        routeTables: { tags: { 'nat-ha:group': 'us-east-1b' } },
      },
      {
        name: 'us-east-1c',
        role: 'rescue',
        az: 'us-east-1c',
        routeTables: { tags: { 'nat-ha:group': 'us-east-1c' } },
      },
    ]);
  });

  it('single group: by tag or by explicit ids', () => {
    expect(
      buildAgentYaml(
        sampleFacts(),
        command(['--group-mode', 'single', '--route-table-tag', 'nat-ha=private']).options,
      ).groups,
    ).toEqual([{ name: 'vpc', role: 'primary', routeTables: { tags: { 'nat-ha': 'private' } } }]);
    expect(
      buildAgentYaml(
        sampleFacts(),
        command([
          '--group-mode',
          'single',
          '--group-name',
          'egress',
          '--route-table',
          'rtb-0123456789abcdef0',
        ]).options,
      ).groups,
    ).toEqual([{ name: 'egress', role: 'primary', routeTables: { ids: ['rtb-0123456789abcdef0'] } }]);
  });

  it('writes the token file reference, manageNat, the lifecycle hook and custom HTTP/check settings', () => {
    const document = buildAgentYaml(
      sampleFacts(),
      command([
        '--nat-agent-token-file',
        '/etc/nat-ha/secrets/nat-agent-token',
        '--manage-nat',
        '--lifecycle-hook',
        'drain',
        '--lifecycle-asg',
        'nat-asg',
        '--agent-port',
        '9800',
        '--check-timeout',
        '300ms',
      ]).options,
    );
    expect(document.consul).toEqual({
      datacenter: 'us-east-1',
      serviceName: 'nat-ha',
      tokenFile: '/etc/nat-ha/secrets/nat-agent-token',
      checkIntervalMs: 1000,
      checkTimeoutMs: 300,
    });
    expect(document.http).toEqual({ host: '127.0.0.1', port: 9800 });
    expect(document.dataplane).toEqual({ manageNat: true });
    expect(document.drain).toEqual({ lifecycleHookName: 'drain' });
  });

  it('renders YAML with a comment header that parses back to the document', () => {
    const document = buildAgentYaml(sampleFacts(), command(['--route-table-tag', 'a: b#c']).options);
    const text = renderAgentYaml(document, ['line one', '']);
    expect(text.startsWith('# line one\n#\n')).toBe(true);
    expect(parse(text)).toEqual(document);
  });
});

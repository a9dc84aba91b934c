import { defaultWorld } from '@nat-ha/testkit';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  agentConfig,
  agentConfigYaml,
  agentEnvironment,
  mergeConfig,
  NAT_AGENT_MALLOC_ENVIRONMENT,
} from './agent-config';
import { buildTopology } from './topology';

const topology = buildTopology(defaultWorld(), 'vpc');
const instance = topology.instances[1]!;

describe('agentConfig', () => {
  it('gives each instance its own loopback Internet targets and the shared groups', () => {
    const doc = parse(
      agentConfigYaml({ topology, instance, healthTargets: [{ host: '127.0.0.1', port: 40001 }] }),
    );
    expect(doc.health.targets).toEqual([{ type: 'tcp', host: '127.0.0.1', port: 40001 }]);
    expect(doc.http).toEqual({ host: '127.0.0.1', port: 0 });
    expect(doc.dataplane).toEqual({ mode: 'off', manageNat: false });
    expect(doc.drain).toEqual({ lifecycleHookName: 'nat-ha-drain' });
    expect(doc.groups).toEqual([
      {
        name: 'vpc',
        routeTables: { tags: { 'nat-ha:managed': 'true' } },
        destinations: ['0.0.0.0/0'],
        eipAllocationId: topology.groups[0]!.eipAllocationId,
      },
    ]);
    // Endpoints are never in the file: they come from the environment, as on EC2.
    expect(doc.consul).toBeUndefined();
    expect(doc.aws).toBeUndefined();
  });

  it('per-az groups use the azPrivate selector', () => {
    const t = buildTopology(defaultWorld(), 'per-az');
    const doc = agentConfig({ topology: t, instance: t.instances[0]!, healthTargets: [] });
    expect((doc.groups as { routeTables: unknown }[]).map((g) => g.routeTables)).toEqual([
      { azPrivate: 'us-east-1a' },
      { azPrivate: 'us-east-1b' },
      { azPrivate: 'us-east-1c' },
    ]);
  });

  it('deep-merges overrides (the bench baseline profile)', () => {
    const doc = agentConfig({
      topology,
      instance,
      healthTargets: [],
      overrides: { consul: { lockDelayMs: 15000 }, log: { level: 'debug' } },
    });
    expect(doc.consul).toEqual({ lockDelayMs: 15000 });
    expect(doc.log).toEqual({ level: 'debug' });
    expect(doc.http).toEqual({ host: '127.0.0.1', port: 0 });
  });

  it('mergeConfig replaces arrays and scalars, merges mappings', () => {
    expect(mergeConfig({ a: { b: 1, c: [1] }, d: 1 }, { a: { c: [2] }, d: 2 })).toEqual({
      a: { b: 1, c: [2] },
      d: 2,
    });
  });
});

describe('agentEnvironment', () => {
  it('scrubs every AWS, Consul and NAT_HA variable and sets the instance endpoints, no credentials', () => {
    const env = agentEnvironment(
      {
        PATH: '/usr/bin',
        AWS_ACCESS_KEY_ID: 'AKIAREAL',
        AWS_PROFILE: 'prod',
        AWS_REGION: 'eu-west-1',
        AWS_EC2_METADATA_DISABLED: 'true',
        CONSUL_HTTP_TOKEN: 'secret',
        NAT_HA_CONFIG: '/etc/x',
      },
      {
        imds: 'http://127.0.0.1:1',
        ec2: 'http://127.0.0.1:2/',
        autoscaling: 'http://127.0.0.1:2/',
        consulAgent: 'http://127.0.0.1:3',
      },
      '/tmp/empty',
    );
    expect(env).toEqual({
      PATH: '/usr/bin',
      MALLOC_ARENA_MAX: '2',
      MALLOC_TRIM_THRESHOLD_: '0',
      MALLOC_MMAP_THRESHOLD_: '16384',
      AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:1',
      AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:2/',
      AWS_ENDPOINT_URL_AUTO_SCALING: 'http://127.0.0.1:2/',
      CONSUL_HTTP_ADDR: 'http://127.0.0.1:3',
      AWS_CONFIG_FILE: '/tmp/empty',
      AWS_SHARED_CREDENTIALS_FILE: '/tmp/empty',
    });
  });

  it("sets the systemd unit's allocator variables unless the parent chose its own", () => {
    const endpoints = { imds: 'i', ec2: 'e', autoscaling: 'a', consulAgent: 'c' };
    expect(agentEnvironment({}, endpoints, '/e')).toMatchObject(NAT_AGENT_MALLOC_ENVIRONMENT);
    expect(agentEnvironment({ MALLOC_ARENA_MAX: '8' }, endpoints, '/e')['MALLOC_ARENA_MAX']).toBe('8');
  });

  it('uses exactly the allocator settings of the shipped systemd unit', () => {
    const unit = readFileSync(
      new URL('../../../nat-agent/packaging/nat-agent.service', import.meta.url),
      'utf8',
    );
    const line = /^Environment=(MALLOC_.*)$/m.exec(unit)?.[1];
    expect(line, 'the unit sets MALLOC_* on one Environment= line').toBeDefined();
    expect(Object.fromEntries(line!.split(/\s+/).map((kv) => kv.split('=') as [string, string]))).toEqual(
      NAT_AGENT_MALLOC_ENVIRONMENT,
    );
  });
});

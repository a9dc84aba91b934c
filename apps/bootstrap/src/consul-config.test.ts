import { describe, expect, it } from 'vitest';
import { command, GOSSIP_KEY, sampleFacts } from '../test/fixtures';
import { buildConsulConfig } from './consul-config';

describe('buildConsulConfig', () => {
  it('renders a server: node_name is the instance id, bind/advertise the private IP, bootstrap_expect (§8.1, §8.2)', () => {
    const { main, secrets } = buildConsulConfig(sampleFacts(), command(['--role', 'server']).options);
    expect(main).toMatchObject({
      datacenter: 'us-east-1',
      node_name: 'i-0a1b2c3d4e5f60001',
      data_dir: '/opt/consul/data',
      server: true,
      bootstrap_expect: 3,
      bind_addr: '10.0.1.10',
      advertise_addr: '10.0.1.10',
      client_addr: '127.0.0.1',
      performance: { raft_multiplier: 1 },
      leave_on_terminate: false,
      disable_update_check: true,
    });
    expect(main.session_ttl_min).toBeUndefined();
    expect(secrets).toBeUndefined();
  });

  it('renders a client without bootstrap_expect and leaving gracefully on SIGTERM (§8.1, §8.6)', () => {
    const { main } = buildConsulConfig(sampleFacts(), command().options);
    expect(main.server).toBe(false);
    expect(main.bootstrap_expect).toBeUndefined();
    expect(main.leave_on_terminate).toBe(true);
    expect(main.session_ttl_min).toBeUndefined();
  });

  it('joins the other peers by IP, then the cloud auto-join string; never itself (§8.3)', () => {
    const facts = sampleFacts();
    expect(buildConsulConfig(facts, command().options).main.retry_join).toEqual([
      '10.0.2.10',
      '10.0.3.10',
      facts.cloudAutoJoin,
    ]);
    expect(buildConsulConfig(facts, command(['--join', 'peers']).options).main.retry_join).toEqual([
      '10.0.2.10',
      '10.0.3.10',
    ]);
    expect(buildConsulConfig(facts, command(['--join', 'cloud']).options).main.retry_join).toEqual([
      facts.cloudAutoJoin,
    ]);
  });

  it('never lists an address twice', () => {
    const facts = sampleFacts({ cloudAutoJoin: '10.0.2.10' });
    expect(buildConsulConfig(facts, command().options).main.retry_join).toEqual(['10.0.2.10', '10.0.3.10']);
  });

  it("lowers session_ttl_min on servers only when nat-agent uses a TTL under Consul's 10 s floor (§8.1)", () => {
    expect(
      buildConsulConfig(sampleFacts(), command(['--role', 'server', '--session-ttl', '5s']).options).main
        .session_ttl_min,
    ).toBe('5s');
    expect(
      buildConsulConfig(sampleFacts(), command(['--role', 'server', '--session-ttl', '1500ms']).options).main
        .session_ttl_min,
    ).toBe('1500ms');
    expect(
      buildConsulConfig(sampleFacts(), command(['--session-ttl', '5s']).options).main.session_ttl_min,
    ).toBeUndefined();
    expect(
      buildConsulConfig(sampleFacts(), command(['--role', 'server', '--session-ttl', '15s']).options).main
        .session_ttl_min,
    ).toBeUndefined();
  });

  it('keeps the gossip key and token values out of the main fragment', () => {
    const { main, secrets } = buildConsulConfig(
      sampleFacts(),
      command(['--encrypt-file', '/run/secrets/gossip', '--acl-agent-token-file', '/run/secrets/agent-token'])
        .options,
    );
    expect(JSON.stringify(main)).not.toContain(GOSSIP_KEY);
    expect(JSON.stringify(main)).not.toContain('6a1253d2');
    expect(main.acl).toEqual({
      enabled: true,
      default_policy: 'deny',
      down_policy: 'extend-cache',
      enable_token_persistence: true,
    });
    expect(secrets).toEqual({
      encrypt: GOSSIP_KEY,
      acl: { tokens: { agent: '6a1253d2-1785-24fd-91c2-f8e78c745511' } },
    });
  });

  it('adds the TLS block only when certificates are given; verify_incoming needs our own certificate', () => {
    expect(buildConsulConfig(sampleFacts(), command().options).main.tls).toBeUndefined();
    const caOnly = buildConsulConfig(
      sampleFacts(),
      command(['--tls-ca-file', '/etc/consul.d/tls/ca.pem']).options,
    );
    expect(caOnly.main.tls).toEqual({
      defaults: { ca_file: '/etc/consul.d/tls/ca.pem', verify_incoming: false, verify_outgoing: true },
      internal_rpc: { verify_server_hostname: true },
    });
    const full = buildConsulConfig(
      sampleFacts(),
      command([
        '--tls-ca-file',
        '/etc/consul.d/tls/ca.pem',
        '--tls-cert-file',
        '/etc/consul.d/tls/server.pem',
        '--tls-key-file',
        '/etc/consul.d/tls/server-key.pem',
      ]).options,
    );
    expect(full.main.tls).toMatchObject({
      defaults: {
        cert_file: '/etc/consul.d/tls/server.pem',
        key_file: '/etc/consul.d/tls/server-key.pem',
        verify_incoming: true,
      },
    });
  });

  it('honours an explicit datacenter, data dir, log level and leave_on_terminate', () => {
    const { main } = buildConsulConfig(
      sampleFacts(),
      command([
        '--datacenter',
        'prod_1',
        '--data-dir',
        '/var/lib/consul',
        '--log-level',
        'debug',
        '--leave-on-terminate',
        'false',
      ]).options,
    );
    expect(main).toMatchObject({
      datacenter: 'prod_1',
      data_dir: '/var/lib/consul',
      log_level: 'debug',
      leave_on_terminate: false,
    });
  });
});

import type { BootstrapFacts } from '../src/facts';
import { parseRenderArgs, type RenderArgsContext, type RenderCommand } from '../src/render-args';

/** A hand-made world: this instance in us-east-1a, two peers in 1b and 1c. */
export function sampleFacts(overrides: Partial<BootstrapFacts> = {}): BootstrapFacts {
  return {
    self: {
      instanceId: 'i-0a1b2c3d4e5f60001',
      region: 'us-east-1',
      availabilityZone: 'us-east-1a',
      accountId: '123456789012',
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      subnetId: 'subnet-0a1b2c3d4e5f60001',
      privateIp: '10.0.1.10',
      networkInterfaceId: 'eni-0a1b2c3d4e5f60001',
    },
    peers: [
      { instanceId: 'i-0a1b2c3d4e5f60001', privateIp: '10.0.1.10', availabilityZone: 'us-east-1a' },
      { instanceId: 'i-0a1b2c3d4e5f60002', privateIp: '10.0.2.10', availabilityZone: 'us-east-1b' },
      { instanceId: 'i-0a1b2c3d4e5f60003', privateIp: '10.0.3.10', availabilityZone: 'us-east-1c' },
    ],
    cloudAutoJoin: 'provider=aws tag_key=nat-ha:consul tag_value=prod region=us-east-1',
    ...overrides,
  };
}

export const GOSSIP_KEY = Buffer.alloc(32, 7).toString('base64');

/** Secret files and certificates the fake filesystem knows. */
export const FILES: Record<string, string> = {
  '/run/secrets/gossip': `${GOSSIP_KEY}\n`,
  '/run/secrets/agent-token': '6a1253d2-1785-24fd-91c2-f8e78c745511\n',
  '/run/secrets/mgmt-token': 'b1gs33cr3t-0000-0000-0000-000000000001\n',
  '/etc/consul.d/tls/ca.pem': 'CA',
  '/etc/consul.d/tls/server.pem': 'CERT',
  '/etc/consul.d/tls/server-key.pem': 'KEY',
};

export function fakeContext(
  env: Record<string, string> = {},
  files: Record<string, string> = FILES,
): RenderArgsContext {
  return {
    env,
    cwd: '/home/ops',
    readFile: (path) => {
      const content = files[path];
      if (content == null)
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), {
          code: 'ENOENT',
        });
      return content;
    },
    exists: (path) => files[path] != null,
  };
}

/** `nat-bootstrap render --out /etc/nat-ha --peer-tag nat-ha:consul=prod …extra`, parsed. */
export function command(extra: readonly string[] = [], env: Record<string, string> = {}): RenderCommand {
  return parseRenderArgs(
    ['--out', '/etc/nat-ha', '--peer-tag', 'nat-ha:consul=prod', ...extra],
    fakeContext(env),
  );
}

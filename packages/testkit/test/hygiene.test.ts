// Pins the workspace test hygiene (CONTRIBUTING.md): the global setup and the network guard in
// vitest.shared.ts apply to every package, this one included.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { isAllowedTestDestination } from '../../../test/network-guard';

function connect(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

describe('test hygiene', () => {
  it('disables the real instance metadata service and drops real AWS credentials', () => {
    expect(process.env.AWS_EC2_METADATA_DISABLED).toBe('true');
    if (process.env.AWS_ENDPOINT_URL_EC2 == null) {
      expect(process.env.AWS_ACCESS_KEY_ID).toBeUndefined();
      expect(process.env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
    }
  });

  it('refuses a connection to the real metadata address before any packet leaves', async () => {
    await expect(connect('169.254.169.254', 80)).rejects.toThrow(/test network guard/);
  });

  it('refuses AWS host names', async () => {
    await expect(connect('ec2.us-east-1.amazonaws.com', 443)).rejects.toThrow(/test network guard/);
  });

  it('lets loopback through', async () => {
    const server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    await expect(connect('127.0.0.1', port)).resolves.toBeUndefined();
    await new Promise((r) => server.close(r));
  });

  it('lets a test-created namespace range through only when the test allows it', () => {
    // Checked on the predicate, not with a real connection: nothing may leave the root namespace.
    const previous = process.env.NAT_HA_TEST_ALLOW_CIDRS;
    try {
      delete process.env.NAT_HA_TEST_ALLOW_CIDRS;
      expect(isAllowedTestDestination('10.213.0.2')).toBe(false);
      process.env.NAT_HA_TEST_ALLOW_CIDRS = '10.213.0.0/16';
      expect(isAllowedTestDestination('10.213.0.2')).toBe(true);
      expect(isAllowedTestDestination('10.214.0.2')).toBe(false);
      expect(isAllowedTestDestination('169.254.169.254')).toBe(false);
    } finally {
      if (previous == null) delete process.env.NAT_HA_TEST_ALLOW_CIDRS;
      else process.env.NAT_HA_TEST_ALLOW_CIDRS = previous;
    }
  });
});

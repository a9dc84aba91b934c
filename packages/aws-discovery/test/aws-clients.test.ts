import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { createAutoScalingClient, createEc2Client, type AwsClientOptions } from '../src/aws-clients';
import { startStubServer } from './support/stub-server';

// Loopback tier: the real SDK against a server that accepts and never answers. These wait in real
// time (a few hundred ms) because the SDK's timers are its own; nothing asserts how long they took.

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' };
let closeServer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeServer?.();
  closeServer = undefined;
});

describe('createEc2Client / createAutoScalingClient (§1.4, §1.5)', () => {
  it('a hung EC2 endpoint fails with TimeoutError after requestTimeoutMs instead of hanging 15 minutes', async () => {
    const server = await startStubServer(() => undefined);
    closeServer = () => server.close();
    const ec2 = createEc2Client({
      region: 'us-east-1',
      endpoint: server.url,
      credentials,
      maxAttempts: 2,
      requestTimeoutMs: 300,
      socketTimeoutMs: 10_000,
    });
    const err = await ec2.send(new DescribeInstancesCommand({})).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'TimeoutError' });
    // TimeoutError is transient (§1.4): the SDK retried it, up to maxAttempts.
    expect(server.requests).toHaveLength(2);
    expect(server.requests.every((r) => r.method === 'POST' && r.path === '/')).toBe(true);
  });

  it('socketTimeoutMs bounds an idle socket on its own', async () => {
    const server = await startStubServer(() => undefined);
    closeServer = () => server.close();
    const autoScaling = createAutoScalingClient({
      region: 'us-east-1',
      endpoint: server.url,
      credentials,
      maxAttempts: 1,
      socketTimeoutMs: 300,
      requestTimeoutMs: 60_000,
    });
    await expect(autoScaling.send(new DescribeAutoScalingGroupsCommand({}))).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(server.requests).toHaveLength(1);
  });

  it('applies region (SigV4 scope), retry mode, attempts and the endpoint path', async () => {
    const server = await startStubServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId><reservationSet/></DescribeInstancesResponse>',
      );
    });
    closeServer = () => server.close();
    const ec2 = createEc2Client({
      region: 'eu-west-3',
      endpoint: `${server.url}/ec2/`,
      credentials,
      retryMode: 'adaptive',
      maxAttempts: 5,
    });
    expect(await ec2.config.region()).toBe('eu-west-3');
    expect(await ec2.config.maxAttempts()).toBe(5);
    expect(((await ec2.config.retryStrategy()) as { mode?: string }).mode).toBe('adaptive');
    const out = await ec2.send(new DescribeInstancesCommand({}));
    expect(out.Reservations).toEqual([]);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /ec2/']);
    expect(server.requests[0]!.headers['amz-sdk-request']).toBe('attempt=1; max=5');
    expect(String(server.requests[0]!.headers.authorization)).toContain('/eu-west-3/ec2/aws4_request');
  });

  it.each<[string, Partial<AwsClientOptions>]>([
    ['region', { region: '' }],
    ['maxAttempts', { maxAttempts: 0 }],
    ['retryMode', { retryMode: 'legacy' as never }],
    ['connectionTimeoutMs', { connectionTimeoutMs: 0 }],
    ['socketTimeoutMs', { socketTimeoutMs: -5 }],
    ['requestTimeoutMs', { requestTimeoutMs: 1.5 }],
    ['endpoint', { endpoint: 'localhost:4599' }],
  ])('rejects a bad %s with INVALID_OPTION', (name, bad) => {
    expect(() => createEc2Client({ region: 'us-east-1', ...bad })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringContaining(`\`${name}\``) }),
    );
  });
});

import { AssociateAddressCommand } from '@aws-sdk/client-ec2';
import { createVirtualClock, defaultWorld, type AwsEmulator } from '@nat-ha/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createImdsClient } from '../src/imds-client';
import { getInstanceIdentity } from '../src/instance-identity';
import { firstInstance, startWorld } from './support/aws-world';
import { settleWithClock } from './support/virtual-time';

// Integration tier: the real undici client against the testkit IMDS emulator (§4, rules 38–48).

let aws: AwsEmulator | undefined;
afterEach(async () => {
  await aws?.close();
  aws = undefined;
});

describe('getInstanceIdentity against the emulator', () => {
  it('matches the world for every NAT instance (rule 46)', async () => {
    ({ aws } = await startWorld());
    const world = aws;
    expect(world.instanceIds.length).toBeGreaterThanOrEqual(3);
    for (const instanceId of world.instanceIds) {
      const imds = createImdsClient({ endpoint: world.imdsUrl(instanceId) });
      const identity = await getInstanceIdentity(imds);
      const snapshot = world.control.instance(instanceId);
      const primary = snapshot.networkInterfaces.find((n) => n.deviceIndex === 0)!;
      expect(identity).toEqual({
        instanceId,
        region: world.region,
        availabilityZone: snapshot.availabilityZone,
        accountId: world.accountId,
        instanceType: expect.any(String),
        privateIp: snapshot.privateIpAddress,
        vpcId: snapshot.vpcId,
        subnetId: snapshot.subnetId,
        networkInterfaceId: primary.networkInterfaceId,
        macAddress: primary.macAddress,
        ...(snapshot.publicIp != null ? { publicIp: snapshot.publicIp } : {}),
        lifecycle: 'on-demand',
      });
    }
    // The default world gives the first NAT instance an EIP and no public IP to the others.
    const withPublicIp = world.instanceIds.filter((id) => world.control.instance(id).publicIp != null);
    expect(withPublicIp.length).toBeGreaterThan(0);
    expect(withPublicIp.length).toBeLessThan(world.instanceIds.length);
  });

  it('uses one token and seven IMDSv2 GETs, never IMDSv1 (rules 38, 40)', async () => {
    ({ aws } = await startWorld());
    const id = firstInstance(aws);
    await getInstanceIdentity(createImdsClient({ endpoint: aws.imdsUrl(id) }));
    const requests = aws.control.imdsRequests(id);
    expect(requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
    const gets = requests.filter((r) => r.method === 'GET');
    expect(gets).toHaveLength(7);
    expect(gets.every((r) => r.version === 'v2' && r.status === 200)).toBe(true);
    expect(requests.filter((r) => r.status === 404).map((r) => r.path)).toEqual([]);
  });

  it('reports a Spot instance as spot', async () => {
    const world = defaultWorld();
    world.instances[0]!.instanceLifecycle = 'spot';
    ({ aws } = await startWorld({ world }));
    const identity = await getInstanceIdentity(
      createImdsClient({ endpoint: aws.imdsUrl(firstInstance(aws)) }),
    );
    expect(identity.lifecycle).toBe('spot');
  });

  it('follows an EIP move: public-ipv4 is derived from EC2 state (rule 46)', async () => {
    const started = await startWorld();
    aws = started.aws;
    const world = aws;
    const withEip = world.instanceIds.find((id) => world.control.instance(id).publicIp != null)!;
    const without = world.instanceIds.find((id) => world.control.instance(id).publicIp == null)!;
    const before = await getInstanceIdentity(createImdsClient({ endpoint: world.imdsUrl(without) }));
    expect(before.publicIp).toBeUndefined();
    const address = world.control.addresses().find((a) => a.instanceId === withEip)!;
    await started.clientsFor(withEip).ec2.send(
      new AssociateAddressCommand({
        AllocationId: address.allocationId,
        NetworkInterfaceId: before.networkInterfaceId,
      }),
    );
    const after = await getInstanceIdentity(createImdsClient({ endpoint: world.imdsUrl(without) }));
    expect(after.publicIp).toBe(address.publicIp);
    const moved = await getInstanceIdentity(createImdsClient({ endpoint: world.imdsUrl(withEip) }));
    expect(moved.publicIp).toBeUndefined();
  });
});

describe('IMDSv2 token lifecycle against the emulator (rules 38, 40, 41)', () => {
  it('replaces the token before the emulator expires it: no 401 ever (shared virtual clock)', async () => {
    const clock = createVirtualClock();
    ({ aws } = await startWorld({ clock }));
    const id = firstInstance(aws);
    const imds = createImdsClient({ endpoint: aws.imdsUrl(id), clock, tokenTtlSeconds: 60 });
    for (let i = 0; i < 10; i++) {
      await imds.get('meta-data/instance-id');
      await clock.advance(15_000);
    }
    const requests = aws.control.imdsRequests(id);
    expect(requests.filter((r) => r.status === 401)).toEqual([]);
    // 150 s of 60 s tokens refreshed 30 s early: a new token every 30 s.
    expect(requests.filter((r) => r.method === 'PUT').length).toBe(5);
  });

  it('on a 401 for a token the emulator expired (clock skew), fetches one new token and succeeds', async () => {
    const emulatorClock = createVirtualClock();
    const clientClock = createVirtualClock();
    ({ aws } = await startWorld({ clock: emulatorClock }));
    const id = firstInstance(aws);
    const imds = createImdsClient({ endpoint: aws.imdsUrl(id), clock: clientClock, tokenTtlSeconds: 10 });
    await imds.get('meta-data/instance-id');
    await emulatorClock.advance(10_000); // exactly the TTL: expired for the emulator only
    await expect(imds.get('meta-data/instance-id')).resolves.toBe(id);
    expect(aws.control.imdsRequests(id).map((r) => `${r.method} ${r.status}`)).toEqual([
      'PUT 200',
      'GET 200',
      'GET 401',
      'PUT 200',
      'GET 200',
    ]);
  });

  it('recovers from revoked tokens (an IMDS restart) with one refetch', async () => {
    ({ aws } = await startWorld());
    const id = firstInstance(aws);
    const imds = createImdsClient({ endpoint: aws.imdsUrl(id) });
    await imds.get('meta-data/instance-id');
    aws.control.revokeImdsTokens(id);
    await expect(imds.get('meta-data/local-ipv4')).resolves.toBe(aws.control.instance(id).privateIpAddress);
    expect(aws.control.imdsRequests(id).filter((r) => r.method === 'PUT')).toHaveLength(2);
  });

  it('stays on IMDSv2 when the instance allows IMDSv1 (HttpTokens=optional)', async () => {
    ({ aws } = await startWorld({ world: defaultWorld({ httpTokens: 'optional' }) }));
    const id = firstInstance(aws);
    await getInstanceIdentity(createImdsClient({ endpoint: aws.imdsUrl(id) }));
    expect(aws.control.imdsRequests(id).every((r) => r.method === 'PUT' || r.version === 'v2')).toBe(true);
  });
});

describe('IMDS failure modes against the emulator (rules 39, 48)', () => {
  it('a disabled endpoint is IMDS_DISABLED with the fix in the message (rule 39)', async () => {
    ({ aws } = await startWorld());
    const id = firstInstance(aws);
    aws.control.setImdsOptions(id, { httpEndpoint: 'disabled' });
    const err = await getInstanceIdentity(createImdsClient({ endpoint: aws.imdsUrl(id) })).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'IMDS_DISABLED', retryable: false });
    expect((err as Error).message).toMatch(/HttpEndpoint=disabled/);
    expect(aws.control.imdsRequests(id)).toHaveLength(1);
  });

  it('an IMDSv1-only service is IMDS_BAD_RESPONSE and gets no IMDSv1 request', async () => {
    ({ aws } = await startWorld());
    const id = firstInstance(aws);
    aws.control.setImdsOptions(id, { v1Only: true });
    await expect(
      createImdsClient({ endpoint: aws.imdsUrl(id) }).get('meta-data/instance-id'),
    ).rejects.toMatchObject({
      code: 'IMDS_BAD_RESPONSE',
    });
    expect(aws.control.imdsRequests(id).map((r) => r.method)).toEqual(['PUT']);
  });

  it('hop-limit drop: the token PUT times out into IMDS_TOKEN_TIMEOUT naming the hop limit (rule 48)', async () => {
    ({ aws } = await startWorld());
    const id = firstInstance(aws);
    aws.control.setImdsOptions(id, { hopLimitDrop: true });
    const clock = createVirtualClock();
    const imds = createImdsClient({ endpoint: aws.imdsUrl(id), clock, timeoutMs: 1_000, maxAttempts: 2 });
    const settled = await settleWithClock(clock, getInstanceIdentity(imds));
    expect(settled).toMatchObject({ ok: false, error: { code: 'IMDS_TOKEN_TIMEOUT' } });
    expect((settled as { error: Error }).error.message).toMatch(/HttpPutResponseHopLimit/);
    expect(aws.control.imdsRequests(id).map((r) => `${r.method} ${String(r.status)}`)).toEqual([
      'PUT null',
      'PUT null',
    ]);
  });

  it('a hung IMDS does not hang the caller: bounded by timeoutMs (virtual clock)', async () => {
    ({ aws } = await startWorld());
    const id = firstInstance(aws);
    const clock = createVirtualClock();
    const imds = createImdsClient({ endpoint: aws.imdsUrl(id), clock, timeoutMs: 2_000, maxAttempts: 3 });
    await imds.get('meta-data/instance-id'); // token in hand; now the service stops answering
    aws.control.setImdsOutage(id, { mode: 'hang' });
    const settled = await settleWithClock(clock, imds.get('meta-data/instance-id'));
    expect(settled).toMatchObject({ ok: false, error: { code: 'IMDS_UNAVAILABLE', retryable: true } });
    expect((settled as { error: Error }).error.message).toMatch(/no response within 2000 ms/);
    // 3 attempts of 2000 ms plus 100 + 200 ms of backoff, in virtual time.
    expect(aws.control.imdsRequests(id).filter((r) => r.status == null)).toHaveLength(3);
  });

  it('a hung IMDS does not hang the caller with the real clock either', async () => {
    ({ aws } = await startWorld());
    const id = firstInstance(aws);
    aws.control.setImdsOutage(id, { mode: 'hang' });
    const imds = createImdsClient({
      endpoint: aws.imdsUrl(id),
      timeoutMs: 250,
      maxAttempts: 2,
      retryBaseDelayMs: 10,
    });
    await expect(getInstanceIdentity(imds)).rejects.toMatchObject({ code: 'IMDS_TOKEN_TIMEOUT' });
  });

  it('connection resets are retried and reported as IMDS_UNAVAILABLE', async () => {
    ({ aws } = await startWorld());
    const id = firstInstance(aws);
    aws.control.setImdsOutage(id, { mode: 'reset' });
    const imds = createImdsClient({ endpoint: aws.imdsUrl(id), retryBaseDelayMs: 1 });
    await expect(imds.get('meta-data/instance-id')).rejects.toMatchObject({ code: 'IMDS_UNAVAILABLE' });
    expect(aws.control.imdsRequests(id)).toHaveLength(3);
  });

  it('rides out a short 503 outage within its retries (shared virtual clock)', async () => {
    const clock = createVirtualClock();
    ({ aws } = await startWorld({ clock }));
    const id = firstInstance(aws);
    const imds = createImdsClient({ endpoint: aws.imdsUrl(id), clock, retryBaseDelayMs: 100 });
    aws.control.setImdsOutage(id, { mode: 'error', status: 503, durationMs: 250 });
    const settled = await settleWithClock(clock, imds.get('meta-data/instance-id'), { stepMs: 50 });
    expect(settled).toEqual({ ok: true, value: id });
    expect(aws.control.imdsRequests(id).map((r) => r.status)).toEqual([503, 503, 200, 200]);
  });
});

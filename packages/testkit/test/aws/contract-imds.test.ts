// IMDSv2, one endpoint per instance: rules 38–48 of ec2-query-and-imds.md §7, with raw HTTP for
// the wire rules and the real @smithy/credential-provider-imds for the SDK ones. IMDS exists only
// on an instance, so every rule here runs against the emulator.
import {
  AssociateAddressCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
} from '@aws-sdk/client-ec2';
import { fromInstanceMetadata } from '@smithy/credential-provider-imds';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { createVirtualClock, type VirtualClock } from '../../src/clock';
import { defaultWorld } from '../../src/world/default-world';
import { itEmulator, openTarget, sdkError, type ContractTarget } from './contract-target';
import { worldIds } from './fixtures';

const world = defaultWorld();
const ids = worldIds(world);
const [natA, natB] = ids.instanceIds as [string, string];

interface Reply {
  status: number;
  body: string;
  headers: Headers;
}

/** Runs `fn` with environment variables set, restoring them afterwards. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) {
    if (v == null) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v == null) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('IMDSv2 (rules 38–48)', () => {
  let t: ContractTarget;
  let clock: VirtualClock;
  let base: string;
  beforeEach(async () => {
    clock = createVirtualClock(Date.now());
    t = await openTarget({ world, clock });
    base = t.aws?.imdsUrl(natA) ?? '';
  });
  afterEach(async () => {
    await t.close();
  });

  const put = async (
    path = '/latest/api/token',
    headers: Record<string, string> = { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' },
  ): Promise<Reply> => {
    const res = await fetch(`${base}${path}`, { method: 'PUT', headers });
    return { status: res.status, body: await res.text(), headers: res.headers };
  };
  const token = async (ttl = 21600): Promise<string> =>
    (await put(undefined, { 'x-aws-ec2-metadata-token-ttl-seconds': String(ttl) })).body;
  const get = async (path: string, tok?: string, url = base): Promise<Reply> => {
    const res = await fetch(`${url}${path}`, {
      headers: tok == null ? {} : { 'x-aws-ec2-metadata-token': tok },
    });
    return { status: res.status, body: await res.text(), headers: res.headers };
  };

  itEmulator(
    'rule 38: PUT /latest/api/token with a TTL in 1…21600 → 200 text token, TTL echoed; missing/invalid/out-of-range TTL → 400',
    async () => {
      const ok = await put();
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toBe('text/plain');
      expect(ok.headers.get('x-aws-ec2-metadata-token-ttl-seconds')).toBe('21600');
      expect(ok.body.length).toBeGreaterThan(40);
      expect((await put(undefined, { 'x-aws-ec2-metadata-token-ttl-seconds': '1' })).status).toBe(200);
      for (const ttl of [undefined, 'abc', '0', '21601', '-1', '2.5']) {
        const headers: Record<string, string> =
          ttl == null ? {} : { 'x-aws-ec2-metadata-token-ttl-seconds': ttl };
        expect([ttl, (await put(undefined, headers)).status]).toEqual([ttl, 400]);
      }
    },
  );

  itEmulator(
    'rule 39: PUT with X-Forwarded-For, PUT to a versioned token path, or anything while disabled → 403',
    async () => {
      expect(
        (
          await put(undefined, {
            'x-aws-ec2-metadata-token-ttl-seconds': '60',
            'x-forwarded-for': '10.0.0.1',
          })
        ).status,
      ).toBe(403);
      expect((await put('/2021-03-23/api/token')).status).toBe(403);
      const tok = await token();
      t.aws?.control.setImdsOptions(natA, { httpEndpoint: 'disabled' });
      expect((await put()).status).toBe(403);
      expect((await get('/latest/meta-data/instance-id', tok)).status).toBe(403);
      expect((await get('/latest/meta-data/instance-id')).status).toBe(403);
      t.aws?.control.setImdsOptions(natA, { httpEndpoint: 'enabled' });
      expect((await get('/latest/meta-data/instance-id', tok)).body).toBe(natA);
    },
  );

  itEmulator(
    'rule 40: required mode — no/unknown/expired token → 401; optional mode — no header works (v1), an unknown token → 401',
    async () => {
      expect((await get('/latest/meta-data/instance-id')).status).toBe(401);
      expect((await get('/latest/meta-data/instance-id', 'not-a-token')).status).toBe(401);
      const short = await token(1);
      await clock.advance(1_000);
      expect((await get('/latest/meta-data/instance-id', short)).status).toBe(401);
      t.aws?.control.setImdsOptions(natA, { httpTokens: 'optional' });
      const v1 = await get('/latest/meta-data/instance-id');
      expect([v1.status, v1.body]).toEqual([200, natA]);
      expect((await get('/latest/meta-data/instance-id', 'not-a-token')).status).toBe(401);
      expect(t.aws?.control.imdsRequests(natA).at(-2)?.version).toBe('v1');
    },
  );

  itEmulator(
    'rule 41: a token expires exactly TTL seconds after issue; concurrent tokens are all valid',
    async () => {
      const a = await token(10);
      await clock.advance(3_000);
      const b = await token(10);
      const c = await token(600);
      for (const tok of [a, b, c]) expect((await get('/latest/meta-data/instance-id', tok)).status).toBe(200);
      await clock.advance(6_999);
      expect((await get('/latest/meta-data/instance-id', a)).status).toBe(200);
      await clock.advance(1);
      expect((await get('/latest/meta-data/instance-id', a)).status).toBe(401);
      expect((await get('/latest/meta-data/instance-id', b)).status).toBe(200);
      await clock.advance(3_000);
      expect((await get('/latest/meta-data/instance-id', b)).status).toBe(401);
      expect((await get('/latest/meta-data/instance-id', c)).status).toBe(200);
    },
  );

  itEmulator(
    'rule 42: leaves are 200 text/plain; directories list children one per line, sub-directories with "/"; unknown paths 404',
    async () => {
      const tok = await token();
      const leaf = await get('/latest/meta-data/placement/availability-zone', tok);
      expect([leaf.status, leaf.headers.get('content-type'), leaf.body]).toEqual([
        200,
        'text/plain',
        'us-east-1a',
      ]);
      const root = (await get('/latest/meta-data/', tok)).body.split('\n');
      expect(root).toEqual(
        expect.arrayContaining([
          'instance-id',
          'mac',
          'local-ipv4',
          'placement/',
          'network/',
          'iam/',
          'events/',
        ]),
      );
      expect(root).not.toContain('spot/'); // no notice yet
      expect((await get('/latest/meta-data/placement/', tok)).body.split('\n').sort()).toEqual([
        'availability-zone',
        'availability-zone-id',
        'region',
      ]);
      expect((await get('/latest/', tok)).body.split('\n')).toEqual(['meta-data/', 'dynamic/']);
      expect((await get('/latest/meta-data/no-such-thing', tok)).status).toBe(404);
      expect((await get('/latest/meta-data/instance-id/deeper', tok)).status).toBe(404);
    },
  );

  itEmulator(
    'rule 43: spot/instance-action and rebalance are 404 until the scenario fires; termination-time mirrors a terminate',
    async () => {
      const tok = await token();
      for (const p of ['spot/instance-action', 'spot/termination-time', 'events/recommendations/rebalance']) {
        expect((await get(`/latest/meta-data/${p}`, tok)).status).toBe(404);
      }
      const notice = t.aws?.control.sendSpotInterruption(natA, { enforce: false });
      const action = JSON.parse((await get('/latest/meta-data/spot/instance-action', tok)).body) as {
        action: string;
        time: string;
      };
      expect(action).toEqual({ action: 'terminate', time: notice?.time });
      expect(action.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(Date.parse(action.time) - clock.now()).toBeGreaterThanOrEqual(120_000);
      expect((await get('/latest/meta-data/spot/termination-time', tok)).body).toBe(action.time);

      t.aws?.control.sendRebalanceRecommendation(natA);
      const rebalance = JSON.parse(
        (await get('/latest/meta-data/events/recommendations/rebalance', tok)).body,
      ) as Record<string, string>;
      expect(Object.keys(rebalance)).toEqual(['noticeTime']);
      expect(rebalance.noticeTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

      t.aws?.control.sendSpotInterruption(natB, { action: 'stop', enforce: false });
      const b = t.aws?.imdsUrl(natB) ?? '';
      const tb = await fetch(`${b}/latest/api/token`, {
        method: 'PUT',
        headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
      }).then((r) => r.text());
      expect(JSON.parse((await get('/latest/meta-data/spot/instance-action', tb, b)).body).action).toBe(
        'stop',
      );
      expect((await get('/latest/meta-data/spot/termination-time', tb, b)).status).toBe(404);
    },
  );

  itEmulator(
    'rule 43: an enforced spot notice stops or terminates the instance at its deadline',
    async () => {
      const notice = t.aws?.control.sendSpotInterruption(natA, { noticeMs: 120_000 });
      const deadline = Date.parse(notice?.time as string);
      await clock.advanceTo(deadline - 1);
      expect(t.aws?.control.instance(natA).state).toBe('running');
      await clock.advance(1);
      expect(t.aws?.control.instance(natA).state).toBe('terminated');
    },
  );

  itEmulator(
    'rule 44: autoscaling/target-lifecycle-state is plain text and changes when the scenario fires',
    async () => {
      const tok = await token();
      const state = async (): Promise<Reply> =>
        get('/latest/meta-data/autoscaling/target-lifecycle-state', tok);
      expect((await state()).body).toBe('InService');
      t.aws?.control.setTargetLifecycleState(natA, 'Warmed:Stopped');
      expect((await state()).body).toBe('Warmed:Stopped');
      t.aws?.control.setTargetLifecycleState(natA, null);
      t.aws?.control.terminateInAutoScalingGroup(natA);
      const terminating = await state();
      expect([terminating.status, terminating.headers.get('content-type'), terminating.body]).toEqual([
        200,
        'text/plain',
        'Terminated',
      ]);
    },
  );

  itEmulator(
    'rule 45: events/maintenance/scheduled is a JSON array ([] when empty) with Code, Description, EventId, NotBefore, NotAfter, State in "21 Jan 2019 09:00:43 GMT" form',
    async () => {
      const tok = await token();
      expect(JSON.parse((await get('/latest/meta-data/events/maintenance/scheduled', tok)).body)).toEqual([]);
      const eventId = t.aws?.control.scheduleMaintenance(natA, {
        code: 'instance-retirement',
        notBeforeMs: 3_600_000,
        notBeforeDeadlineMs: 86_400_000,
      });
      const events = JSON.parse(
        (await get('/latest/meta-data/events/maintenance/scheduled', tok)).body,
      ) as Record<string, string>[];
      expect(events).toHaveLength(1);
      const e = events[0] as Record<string, string>;
      expect(e.EventId).toBe(eventId);
      expect(e.EventId).toMatch(/^instance-event-[0-9a-f]{17}$/);
      expect([e.Code, e.State]).toEqual(['instance-retirement', 'active']);
      expect(typeof e.Description).toBe('string');
      const format =
        /^\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
      for (const k of ['NotBefore', 'NotAfter', 'NotBeforeDeadline']) expect(e[k]).toMatch(format);
      expect(Date.parse(e.NotBefore as string)).toBe(Math.floor((clock.now() + 3_600_000) / 1000) * 1000);
    },
  );

  itEmulator(
    'rule 46: identity and network paths derive from the EC2 state; public-ipv4 follows EIP moves and is 404 without one',
    async () => {
      const tok = await token();
      const ec2 = t.ec2();
      const enis =
        (
          await ec2.send(
            new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [ids.eniIds[0] as string] }),
          )
        ).NetworkInterfaces ?? [];
      const eni = enis[0];
      const mac = (await get('/latest/meta-data/mac', tok)).body;
      expect(mac).toBe(eni?.MacAddress);
      expect((await get('/latest/meta-data/network/interfaces/macs/', tok)).body).toBe(`${mac}/`);
      const at = async (p: string): Promise<string> =>
        (await get(`/latest/meta-data/network/interfaces/macs/${mac}/${p}`, tok)).body;
      expect(await at('interface-id')).toBe(eni?.NetworkInterfaceId);
      expect(await at('device-number')).toBe('0');
      expect(await at('local-ipv4s')).toBe(eni?.PrivateIpAddress);
      expect(await at('subnet-id')).toBe(eni?.SubnetId);
      expect(await at('vpc-id')).toBe(eni?.VpcId);
      expect((await get('/latest/meta-data/local-ipv4', tok)).body).toBe(eni?.PrivateIpAddress);
      expect((await get('/latest/meta-data/instance-id', tok)).body).toBe(natA);
      expect((await get('/latest/meta-data/placement/region', tok)).body).toBe('us-east-1');
      const inst = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [natA] }))).Reservations?.[0]
        ?.Instances?.[0];
      expect((await get('/latest/meta-data/placement/availability-zone', tok)).body).toBe(
        inst?.Placement?.AvailabilityZone,
      );
      expect((await get('/latest/meta-data/public-ipv4', tok)).body).toBe(inst?.PublicIpAddress);

      const doc = JSON.parse((await get('/latest/dynamic/instance-identity/document', tok)).body) as Record<
        string,
        unknown
      >;
      expect(doc).toMatchObject({
        instanceId: natA,
        region: 'us-east-1',
        availabilityZone: 'us-east-1a',
        privateIp: eni?.PrivateIpAddress,
        accountId: '123456789012',
      });

      await ec2.send(
        new AssociateAddressCommand({ AllocationId: ids.allocationId, NetworkInterfaceId: ids.eniIds[1] }),
      );
      expect((await get('/latest/meta-data/public-ipv4', tok)).status).toBe(404);
      const b = t.aws?.imdsUrl(natB) ?? '';
      const tb = await fetch(`${b}/latest/api/token`, {
        method: 'PUT',
        headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
      }).then((r) => r.text());
      expect((await get('/latest/meta-data/public-ipv4', tb, b)).body).toBe(ids.publicIp);
    },
  );

  itEmulator(
    'rule 47: iam/security-credentials lists the role and serves its JSON; fromInstanceMetadata resolves with exactly three requests',
    async () => {
      const tok = await token();
      expect((await get('/latest/meta-data/iam/security-credentials/', tok)).body).toBe('nat-ha-instance');
      const creds = JSON.parse(
        (await get('/latest/meta-data/iam/security-credentials/nat-ha-instance', tok)).body,
      ) as Record<string, string>;
      expect(Object.keys(creds).sort()).toEqual([
        'AccessKeyId',
        'Code',
        'Expiration',
        'LastUpdated',
        'SecretAccessKey',
        'Token',
        'Type',
      ]);
      expect(creds.Code).toBe('Success');
      t.aws?.control.imdsRequests(natA);
      const before = t.aws?.control.imdsRequests(natA).length ?? 0;
      const resolved = await withEnv(
        { AWS_EC2_METADATA_SERVICE_ENDPOINT: base, AWS_EC2_METADATA_V1_DISABLED: undefined },
        () => fromInstanceMetadata({ timeout: 5_000 })(),
      );
      expect(resolved).toMatchObject(t.aws?.credentials(natA) ?? {});
      expect(resolved.expiration?.getTime()).toBe(Date.parse(creds.Expiration as string));
      const requests = (t.aws?.control.imdsRequests(natA) ?? [])
        .slice(before)
        .map((r) => [r.method, r.path, r.status, r.version]);
      expect(requests).toEqual([
        ['PUT', '/latest/api/token', 200, 'v2'],
        ['GET', '/latest/meta-data/iam/security-credentials/', 200, 'v2'],
        ['GET', '/latest/meta-data/iam/security-credentials/nat-ha-instance', 200, 'v2'],
      ]);
      // Calls signed with those credentials are attributed to the instance.
      const asNat = t.ec2({ credentials: resolved });
      await asNat.send(new DescribeInstancesCommand({ InstanceIds: [natB] }));
      expect(t.aws?.calls().at(-1)?.callerInstanceId).toBe(natA);
    },
  );

  itEmulator(
    'rule 48: hop-limit mode accepts the token PUT and never answers; the SDK falls back to IMDSv1 unless v1 is disabled',
    async () => {
      t.aws?.control.setImdsOptions(natA, { hopLimitDrop: true, httpTokens: 'optional' });
      const fallback = await withEnv(
        { AWS_EC2_METADATA_SERVICE_ENDPOINT: base, AWS_EC2_METADATA_V1_DISABLED: undefined },
        () => fromInstanceMetadata({ timeout: 1_000 })(),
      );
      expect(fallback.accessKeyId).toBe(t.aws?.credentials(natA).accessKeyId);
      const requests = t.aws?.control.imdsRequests(natA).map((r) => [r.method, r.status, r.version]);
      expect(requests).toEqual([
        ['PUT', null, 'v2'],
        ['GET', 200, 'v1'],
        ['GET', 200, 'v1'],
      ]);
      const blocked = await sdkError(
        withEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: base }, () =>
          fromInstanceMetadata({ timeout: 1_000, ec2MetadataV1Disabled: true })(),
        ),
      );
      expect(blocked.name).toBe('InstanceMetadataV1FallbackError');
    },
  );

  itEmulator(
    'IMDS v1-only and outage modes: token PUT 404 (SDK falls back), hang, reset and error statuses',
    async () => {
      t.aws?.control.setImdsOptions(natA, { v1Only: true, httpTokens: 'optional' });
      expect((await put()).status).toBe(404);
      const creds = await withEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: base }, () =>
        fromInstanceMetadata({ timeout: 1_000 })(),
      );
      expect(creds.accessKeyId).toBe(t.aws?.credentials(natA).accessKeyId);
      t.aws?.control.setImdsOptions(natA, { v1Only: false, httpTokens: 'required' });

      t.aws?.control.setImdsOutage(natA, { mode: 'error', status: 503 });
      expect((await put()).status).toBe(503);
      t.aws?.control.setImdsOutage(natA, { mode: 'reset' });
      await expect(put()).rejects.toThrow();
      t.aws?.control.setImdsOutage(natA, { mode: 'hang', durationMs: 5_000 });
      await expect(
        fetch(`${base}/latest/api/token`, { method: 'PUT', signal: AbortSignal.timeout(200) }),
      ).rejects.toThrow();
      await clock.advance(5_000);
      expect((await put()).status).toBe(200);
    },
  );
});

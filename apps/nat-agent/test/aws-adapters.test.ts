/**
 * The IMDS identity, interruption and lifecycle adapters against the testkit EC2 / Auto Scaling /
 * IMDS emulators (loopback; explicit endpoint, region and static credentials for every client).
 */
import { createAutoScalingClient, createImdsClient } from '@nat-ha/aws-discovery';
import { startAws, type AwsEmulator } from '@nat-ha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAsgLifecycleHook } from '../src/adapters/asg-lifecycle';
import { resolveIdentity } from '../src/adapters/aws-identity';
import { createImdsInterruptions } from '../src/adapters/aws-interruptions';
import { createNodeClock } from '../src/core/node-clock';
import type { Interruption } from '../src/ports';
import { createMemoryLogger, createMemoryMetrics } from './fakes';

let aws: AwsEmulator;
beforeAll(async () => {
  aws = await startAws();
});
afterAll(async () => {
  await aws.close();
});

const until = async (predicate: () => boolean, what: string, timeoutMs = 10_000) => {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('AWS adapters against the emulators', () => {
  it('resolves the identity from IMDSv2, with the ENI the routes will target and the VPC CIDR', async () => {
    const id = aws.instanceIds[0]!;
    const imds = createImdsClient({ endpoint: aws.imdsUrl(id) });
    const identity = await resolveIdentity(imds, AbortSignal.timeout(10_000));
    const inst = aws.control.instance(id);
    expect(identity.instanceId).toBe(id);
    expect(identity.region).toBe(aws.region);
    expect(identity.networkInterfaceId).toMatch(/^eni-/);
    expect(inst.networkInterfaces.map((n) => n.networkInterfaceId)).toContain(identity.networkInterfaceId);
    expect(identity.vpcCidrs).toEqual(['10.0.0.0/16']);
    expect(identity.az).toMatch(/^us-east-1[a-c]$/);
  });

  it('turns spot, rebalance, lifecycle and maintenance notices into agent interruptions, once each', async () => {
    const id = aws.instanceIds[1]!;
    const ac = new AbortController();
    const seen: Interruption[] = [];
    const source = createImdsInterruptions({
      imds: createImdsClient({ endpoint: aws.imdsUrl(id) }),
      intervalMs: 100,
      clock: createNodeClock(),
      logger: createMemoryLogger(),
      signal: ac.signal,
    });
    source.subscribe((n) => seen.push(n));
    try {
      aws.control.sendSpotInterruption(id);
      await until(() => seen.some((n) => n.kind === 'spot'), 'spot notice');
      aws.control.sendRebalanceRecommendation(id);
      aws.control.setTargetLifecycleState(id, 'Terminated');
      aws.control.scheduleMaintenance(id, { code: 'instance-retirement', notBeforeMs: 3_600_000 });
      await until(
        () => ['rebalance', 'lifecycle', 'maintenance'].every((k) => seen.some((n) => n.kind === k)),
        'notices',
      );
      await new Promise((r) => setTimeout(r, 400)); // several more polls
      expect(seen.filter((n) => n.kind === 'spot')).toHaveLength(1);
      const spot = seen.find((n) => n.kind === 'spot') as Extract<Interruption, { kind: 'spot' }>;
      expect(spot.action).toBe('terminate');
      expect(spot.deadline).toBeGreaterThan(Date.now());
      expect(seen.find((n) => n.kind === 'lifecycle')).toEqual({
        kind: 'lifecycle',
        targetState: 'Terminated',
      });
      const m = seen.find((n) => n.kind === 'maintenance') as Extract<Interruption, { kind: 'maintenance' }>;
      expect(m.code).toBe('instance-retirement');
      // IMDS gives the window to the second; about an hour from now.
      expect(Math.abs((m.notBefore ?? 0) - (Date.now() + 3_600_000))).toBeLessThan(60_000);
      expect(seen.filter((n) => n.kind === 'maintenance')).toHaveLength(1);
    } finally {
      ac.abort();
      await source.close();
      aws.control.clearNotices(id);
    }
  });

  it('hands a notice seen before anyone subscribed to the late subscriber, once (chaos seed 2040)', async () => {
    const id = aws.instanceIds[0]!;
    const ac = new AbortController();
    const logger = createMemoryLogger();
    const source = createImdsInterruptions({
      imds: createImdsClient({ endpoint: aws.imdsUrl(id) }),
      intervalMs: 100,
      clock: createNodeClock(),
      logger,
      signal: ac.signal,
    });
    try {
      // The agent is still starting (readiness checks under EC2 throttling): nobody listens yet.
      aws.control.sendSpotInterruption(id);
      await new Promise((r) => setTimeout(r, 500)); // several polls report nothing new after the first
      const late: Interruption[] = [];
      source.subscribe((n) => late.push(n));
      expect(late, 'delivered after subscribe() returns, not inside it').toEqual([]);
      await until(() => late.length > 0, 'the kept notice');
      await new Promise((r) => setTimeout(r, 300));
      expect(late.map((n) => n.kind)).toEqual(['spot']);
    } finally {
      ac.abort();
      await source.close();
      aws.control.clearNotices(id);
    }
  });

  it('completes the Terminating lifecycle action with CONTINUE, as the instance itself', async () => {
    const id = aws.instanceIds[2]!;
    aws.control.terminateInAutoScalingGroup(id);
    const since = aws.journal().at(-1)?.seq ?? 0;
    const metrics = createMemoryMetrics();
    const hook = createAsgLifecycleHook({
      autoscaling: createAutoScalingClient({
        region: aws.region,
        endpoint: aws.endpoint,
        credentials: aws.credentials(id),
      }),
      instanceId: id,
      hookName: 'nat-ha-drain',
      clock: createNodeClock(),
      metrics,
    });
    await hook.complete(AbortSignal.timeout(10_000));
    const calls = aws.journal(since).filter((e) => e.action === 'CompleteLifecycleAction');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ callerInstanceId: id, outcome: 'ok' });
    expect(calls[0]!.params).toMatchObject({
      LifecycleActionResult: 'CONTINUE',
      LifecycleHookName: 'nat-ha-drain',
      InstanceId: id,
    });
    expect(metrics.calls.filter((c) => c[0] === 'ec2Call').map((c) => [c[1], c[2]])).toEqual([
      ['DescribeAutoScalingInstances', 'ok'],
      ['CompleteLifecycleAction', 'ok'],
    ]);
  });
});

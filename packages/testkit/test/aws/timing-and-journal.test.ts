// When a mutation takes effect under latency, hangs and client aborts, and what the journal
// records — the timing model the lab's split-brain checks rely on (README "Timing model").
import { DescribeRouteTablesCommand, EC2Client, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVirtualClock, type VirtualClock } from '../../src/clock';
import { startAws, type AwsEmulator } from '../../src/aws/aws-emulator';
import { worldIds } from './fixtures';

const ids = worldIds();
const [rtbA] = ids.privateTableIds as [string];
const [natA, natB] = ids.instanceIds as [string, string];
const [eniA, eniB] = ids.eniIds as [string, string];

/** Lets loopback I/O happen without moving the virtual clock. */
const settle = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('timing model and journal', () => {
  let clock: VirtualClock;
  let aws: AwsEmulator;
  let ec2: EC2Client;
  beforeEach(async () => {
    clock = createVirtualClock(Date.UTC(2024, 5, 1));
    aws = await startAws({ clock, latency: 'realistic' });
    ec2 = new EC2Client({
      region: aws.region,
      endpoint: aws.endpoint,
      credentials: aws.credentials(natB),
      maxAttempts: 1,
    });
  });
  afterEach(async () => {
    ec2.destroy();
    await aws.close();
  });

  const currentTarget = (): string | undefined =>
    aws.control.routeTable(rtbA).routes.find((r) => r.destinationCidrBlock === '0.0.0.0/0')
      ?.networkInterfaceId;

  /** Waits (in real time) until the emulator has received `n` calls. */
  const received = async (n: number): Promise<void> => {
    for (let i = 0; i < 2_000 && aws.calls().length < n; i++) await settle(10);
    expect(aws.calls()).toHaveLength(n);
  };

  it('a mutation takes effect at the end of its latency, just before the answer; the journal time is that instant', async () => {
    const start = clock.now();
    const pending = ec2.send(
      new ReplaceRouteCommand({
        RouteTableId: rtbA,
        DestinationCidrBlock: '0.0.0.0/0',
        NetworkInterfaceId: eniB,
      }),
    );
    await received(1);
    expect(aws.journal()[0]).toMatchObject({
      action: 'ReplaceRoute',
      outcome: 'pending',
      time: null,
      receivedAt: start,
      callerInstanceId: natB,
    });
    await clock.advance(149);
    await settle();
    expect(currentTarget()).toBe(eniA);
    await clock.advance(1);
    const out = await pending;
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(currentTarget()).toBe(eniB);
    expect(aws.journal()[0]).toMatchObject({
      outcome: 'ok',
      status: 200,
      time: start + 150,
      receivedAt: start,
    });
    expect(aws.journal()[0]?.requestId).toBe(out.$metadata.requestId);
  });

  it('describe calls wait the describe latency (80 ms) and read the state at their answer time', async () => {
    const pending = ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtbA] }));
    await received(1);
    aws.control.stopInstance(natA); // changes before the answer is built are visible
    await clock.advance(80);
    const out = await pending;
    expect(out.RouteTables?.[0]?.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0')?.State).toBe(
      'blackhole',
    );
    expect(aws.calls()[0]?.time).toBe(aws.calls()[0]!.receivedAt + 80);
  });

  it('a client that gives up during the latency does not cancel the write (as on AWS): it lands, flagged clientGone', async () => {
    const abort = new AbortController();
    const pending = ec2.send(
      new ReplaceRouteCommand({
        RouteTableId: rtbA,
        DestinationCidrBlock: '0.0.0.0/0',
        NetworkInterfaceId: eniB,
      }),
      {
        abortSignal: abort.signal,
      },
    );
    await received(1);
    abort.abort();
    await expect(pending).rejects.toThrow();
    await settle();
    await clock.advance(150);
    expect(currentTarget()).toBe(eniB);
    expect(aws.journal()[0]).toMatchObject({ outcome: 'ok', clientGone: true });
  });

  it('a hung call is never answered and never applied; the journal says hung', async () => {
    aws.control.injectFault({ action: 'ReplaceRoute', hang: true });
    const abort = new AbortController();
    const pending = ec2.send(
      new ReplaceRouteCommand({
        RouteTableId: rtbA,
        DestinationCidrBlock: '0.0.0.0/0',
        NetworkInterfaceId: eniB,
      }),
      {
        abortSignal: abort.signal,
      },
    );
    await received(1);
    await clock.advance(60_000);
    await settle();
    expect(currentTarget()).toBe(eniA);
    abort.abort();
    await expect(pending).rejects.toThrow();
    await settle();
    expect(aws.journal()[0]).toMatchObject({ outcome: 'hung', time: null, clientGone: true });
  });

  it('injected delay adds to the latency; faults and buckets are decided on arrival', async () => {
    aws.control.injectFault({ action: 'ReplaceRoute', delayMs: 1_000 });
    const pending = ec2.send(
      new ReplaceRouteCommand({
        RouteTableId: rtbA,
        DestinationCidrBlock: '0.0.0.0/0',
        NetworkInterfaceId: eniB,
      }),
    );
    await received(1);
    await clock.advance(1_149);
    await settle();
    expect(currentTarget()).toBe(eniA);
    await clock.advance(1);
    await pending;
    expect(currentTarget()).toBe(eniB);
  });

  it('the journal records every mutating call with caller, parameters and outcome; calls() has the describes too', async () => {
    aws.control.setLatency('none');
    await ec2.send(new DescribeRouteTablesCommand({}));
    await ec2.send(
      new ReplaceRouteCommand({
        RouteTableId: rtbA,
        DestinationCidrBlock: '0.0.0.0/0',
        NetworkInterfaceId: eniB,
      }),
    );
    const operator = new EC2Client({
      region: aws.region,
      endpoint: aws.endpoint,
      credentials: aws.credentials('operator'),
      maxAttempts: 1,
    });
    await operator
      .send(
        new ReplaceRouteCommand({
          RouteTableId: rtbA,
          DestinationCidrBlock: '0.0.0.0/0',
          NetworkInterfaceId: eniA,
          DryRun: true,
        }),
      )
      .catch(() => undefined);
    const stranger = new EC2Client({
      region: aws.region,
      endpoint: aws.endpoint,
      credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    await stranger
      .send(
        new ReplaceRouteCommand({
          RouteTableId: 'rtb-0000000000000dead',
          DestinationCidrBlock: '0.0.0.0/0',
          NetworkInterfaceId: eniA,
        }),
      )
      .catch(() => undefined);
    operator.destroy();
    stranger.destroy();
    expect(
      aws
        .journal()
        .map((e) => [
          e.action,
          e.callerInstanceId,
          e.principal,
          e.accessKeyId,
          e.outcome,
          e.params.NetworkInterfaceId,
        ]),
    ).toEqual([
      ['ReplaceRoute', natB, null, aws.credentials(natB).accessKeyId, 'ok', eniB],
      ['ReplaceRoute', null, 'operator', 'AKIAOPERATOR00000001', 'DryRunOperation', eniA],
      ['ReplaceRoute', null, null, 'AKIAUNKNOWN000000000', 'InvalidRouteTableID.NotFound', eniA],
    ]);
    expect(aws.calls().map((c) => c.action)).toEqual([
      'DescribeRouteTables',
      'ReplaceRoute',
      'ReplaceRoute',
      'ReplaceRoute',
    ]);
    const seq = aws.journal()[0]?.seq as number;
    expect(aws.journal(seq)).toHaveLength(2);
    aws.control.clearJournal();
    expect(aws.journal()).toEqual([]);
  });
});

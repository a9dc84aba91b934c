// The control plane over HTTP: the same calls as the TypeScript API, under /__nat-ha/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAws, type AwsEmulator } from '../../src/aws/aws-emulator';
import { worldIds } from './fixtures';

const ids = worldIds();
const [natA] = ids.instanceIds as [string];

describe('HTTP control plane', () => {
  let aws: AwsEmulator;
  beforeAll(async () => {
    aws = await startAws();
  });
  afterAll(async () => {
    await aws.close();
  });

  const call = async (
    method: string,
    body?: unknown,
    verb = 'POST',
    raw = false,
  ): Promise<{ status: number; json: { result?: unknown; error?: { code: string; message: string } } }> => {
    const res = await fetch(`${aws.controlUrl}aws/${method}`, {
      method: verb,
      ...(body === undefined ? {} : { body: raw ? (body as string) : JSON.stringify(body) }),
    });
    return {
      status: res.status,
      json: (await res.json()) as { result?: unknown; error?: { code: string; message: string } },
    };
  };

  it('lives under a prefix no AWS API uses, next to the EC2 endpoint, and lists its methods', async () => {
    expect(aws.controlUrl).toBe(`${aws.endpoint}__nat-ha/`);
    const index = (await (await fetch(aws.controlUrl)).json()) as { services: Record<string, string[]> };
    expect(index.services.aws).toEqual(
      expect.arrayContaining([
        'stopInstance',
        'injectFault',
        'routeTables',
        'journal',
        'sendSpotInterruption',
      ]),
    );
  });

  it('runs control methods with a JSON argument list and returns { result }', async () => {
    expect(await call('stopInstance', [natA])).toEqual({ status: 200, json: { result: null } });
    const tables = await call('routeTables', undefined, 'GET');
    const rtb = (
      tables.json.result as {
        routeTableId: string;
        routes: { destinationCidrBlock?: string; state: string }[];
      }[]
    ).find((t) => t.routeTableId === ids.privateTableIds[0]);
    expect(rtb?.routes.find((r) => r.destinationCidrBlock === '0.0.0.0/0')?.state).toBe('blackhole');
    expect(aws.control.instance(natA).state).toBe('stopped');
    // A single non-array body is the one argument.
    const fault = await call('injectFault', { action: 'DescribeVpcs', code: 'Unavailable', count: 2 });
    expect(fault.status).toBe(200);
    expect(typeof fault.json.result).toBe('number');
    expect(aws.control.pendingFaults()[0]?.remaining).toBe(2);
    expect((await call('setLatency', 'realistic')).status).toBe(200);
    expect((await call('setLatency', 'none')).status).toBe(200);
  });

  it('answers 404 for unknown methods and 400 with the TestkitError code for bad arguments or bodies', async () => {
    expect((await call('launchRockets', [])).status).toBe(404);
    expect((await call('constructor', [])).status).toBe(404);
    const bad = await call('startInstance', ['i-0000000000000dead']);
    expect(bad).toEqual({
      status: 400,
      json: { error: { code: 'INVALID_OPTION', message: "unknown instance 'i-0000000000000dead'" } },
    });
    const json = await call('setLatency', '{not json', 'POST', true);
    expect([json.status, json.json.error?.code]).toEqual([400, 'INVALID_OPTION']);
  });
});

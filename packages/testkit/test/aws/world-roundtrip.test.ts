// control.world() exports the current state as a WorldSpec that parseWorld accepts and that a new
// emulator serves identically (save a scenario's state, replay it later).
import { DescribeRouteTablesCommand, EC2Client, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { startAws } from '../../src/aws/aws-emulator';
import { defaultWorld } from '../../src/world/default-world';
import { parseWorld } from '../../src/world/parse-world';
import { worldIds } from './fixtures';

const ids = worldIds();

describe('world export', () => {
  it('round-trips: the exported world re-parses and serves the same routes, flags and addresses', async () => {
    const first = await startAws({ world: defaultWorld({ natGateways: true }) });
    const ec2 = new EC2Client({
      region: first.region,
      endpoint: first.endpoint,
      credentials: first.credentials('operator'),
    });
    await ec2.send(
      new ReplaceRouteCommand({
        RouteTableId: ids.privateTableIds[0],
        DestinationCidrBlock: '0.0.0.0/0',
        NetworkInterfaceId: ids.eniIds[2],
      }),
    );
    first.control.stopInstance(ids.instanceIds[1] as string);
    const exported = first.control.world();
    const before = (await ec2.send(new DescribeRouteTablesCommand({}))).RouteTables;
    ec2.destroy();
    await first.close();

    const second = await startAws({ world: parseWorld(JSON.parse(JSON.stringify(exported))) });
    const ec2b = new EC2Client({
      region: second.region,
      endpoint: second.endpoint,
      credentials: second.credentials('operator'),
    });
    const after = (await ec2b.send(new DescribeRouteTablesCommand({}))).RouteTables;
    ec2b.destroy();
    expect(after).toEqual(before);
    expect(second.control.instance(ids.instanceIds[1] as string).state).toBe('stopped');
    expect(second.control.addresses()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ allocationId: ids.allocationId, networkInterfaceId: ids.eniIds[0] }),
      ]),
    );
    await second.close();
  });
});

// Instances, ENIs, EIPs and the consistency knobs: rules 30–36 of ec2-query-and-imds.md §7.
import {
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DisassociateAddressCommand,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  ReplaceRouteCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { createVirtualClock, type VirtualClock } from '../../src/clock';
import { defaultWorld } from '../../src/world/default-world';
import { itEmulator, openTarget, sdkError, type ContractTarget } from './contract-target';
import { withSpareEni, worldIds } from './fixtures';

const world = withSpareEni(defaultWorld());
const ids = worldIds(world);
const [natA, natB, natC] = ids.instanceIds as [string, string, string];
const [eniA, eniB, eniC] = ids.eniIds as [string, string, string];
const spare = 'eni-00000000000000c01';

describe('Instances, ENIs and EIPs (rules 30–36)', () => {
  let t: ContractTarget;
  let ec2: EC2Client;
  let clock: VirtualClock;
  beforeEach(async () => {
    clock = createVirtualClock();
    t = await openTarget({ world, clock });
    ec2 = t.ec2();
  });
  afterEach(async () => {
    await t.close();
  });

  const instance = async (id: string) =>
    (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0];
  const eni = async (id: string) =>
    (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] })))
      .NetworkInterfaces?.[0];
  const address = async () =>
    (await ec2.send(new DescribeAddressesCommand({ AllocationIds: [ids.allocationId] }))).Addresses?.[0];

  itEmulator(
    'rule 30: ModifyInstanceAttribute SourceDestCheck updates the primary ENI, running or stopped; refused with several ENIs',
    async () => {
      await ec2.send(
        new ModifyInstanceAttributeCommand({ InstanceId: natB, SourceDestCheck: { Value: false } }),
      );
      expect((await instance(natB))?.SourceDestCheck).toBe(false);
      expect((await eni(eniB))?.SourceDestCheck).toBe(false);
      t.aws?.control.stopInstance(natC);
      await ec2.send(
        new ModifyInstanceAttributeCommand({ InstanceId: natC, SourceDestCheck: { Value: false } }),
      );
      expect((await eni(eniC))?.SourceDestCheck).toBe(false);
      t.aws?.control.attachNetworkInterface(spare, natA, 1);
      const err = await sdkError(
        ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: natA, SourceDestCheck: { Value: false } })),
      );
      expect([err.name, err.message]).toEqual([
        'InvalidInstanceID',
        `There are multiple interfaces attached to instance '${natA}'. Please specify an interface ID for the operation instead.`,
      ]);
      expect((await eni(eniA))?.SourceDestCheck).toBe(true);
    },
  );

  itEmulator(
    'rule 31: ModifyNetworkInterfaceAttribute changes only that ENI and answers 200 even when unchanged',
    async () => {
      t.aws?.control.attachNetworkInterface(spare, natA, 1);
      const out = await ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: spare,
          SourceDestCheck: { Value: false },
        }),
      );
      expect(out.$metadata.httpStatusCode).toBe(200);
      expect((await eni(spare))?.SourceDestCheck).toBe(false);
      expect((await eni(eniA))?.SourceDestCheck).toBe(true);
      expect((await instance(natA))?.SourceDestCheck).toBe(true); // instance flag mirrors device 0 only
      const again = await ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: spare,
          SourceDestCheck: { Value: false },
        }),
      );
      expect(again.$metadata.httpStatusCode).toBe(200);
      const unknown = await sdkError(
        ec2.send(
          new ModifyNetworkInterfaceAttributeCommand({
            NetworkInterfaceId: 'eni-0000000000000dead',
            SourceDestCheck: { Value: false },
          }),
        ),
      );
      expect(unknown.name).toBe('InvalidNetworkInterfaceID.NotFound');
    },
  );

  itEmulator(
    'rule 32: AssociateAddress moves an EIP bound elsewhere; AllowReassociation=false refuses; an identical repeat succeeds',
    async () => {
      const before = await address();
      expect(before?.NetworkInterfaceId).toBe(eniA);
      const moved = await ec2.send(
        new AssociateAddressCommand({ AllocationId: ids.allocationId, NetworkInterfaceId: eniB }),
      );
      expect(moved.AssociationId).toMatch(/^eipassoc-/);
      expect(moved.AssociationId).not.toBe(before?.AssociationId);
      expect((await address())?.NetworkInterfaceId).toBe(eniB);
      const old = await sdkError(
        ec2.send(new DisassociateAddressCommand({ AssociationId: before?.AssociationId })),
      );
      expect(old.name).toBe('InvalidAssociationID.NotFound');

      const refused = await sdkError(
        ec2.send(
          new AssociateAddressCommand({
            AllocationId: ids.allocationId,
            NetworkInterfaceId: eniC,
            AllowReassociation: false,
          }),
        ),
      );
      expect([refused.name, refused.message, refused.$metadata.httpStatusCode]).toEqual([
        'Resource.AlreadyAssociated',
        `Resource ${ids.publicIp} is already associated.`,
        400,
      ]);
      const same = await ec2.send(
        new AssociateAddressCommand({
          AllocationId: ids.allocationId,
          NetworkInterfaceId: eniB,
          AllowReassociation: false,
        }),
      );
      expect(same.AssociationId).toBe(moved.AssociationId);
      expect((await address())?.NetworkInterfaceId).toBe(eniB);
    },
  );

  itEmulator(
    'rule 33: AssociateAddress with InstanceId of a multi-ENI instance fails; with NetworkInterfaceId it binds the primary IP unless one is given',
    async () => {
      t.aws?.control.attachNetworkInterface(spare, natA, 1);
      const multi = await sdkError(
        ec2.send(new AssociateAddressCommand({ AllocationId: ids.allocationId, InstanceId: natA })),
      );
      expect(multi.name).toBe('InvalidInstanceID');
      await ec2.send(
        new AssociateAddressCommand({ AllocationId: ids.allocationId, NetworkInterfaceId: spare }),
      );
      expect((await address())?.PrivateIpAddress).toBe('10.0.0.99');
      await ec2.send(
        new AssociateAddressCommand({
          AllocationId: ids.allocationId,
          NetworkInterfaceId: spare,
          PrivateIpAddress: '10.0.0.98',
        }),
      );
      expect((await address())?.PrivateIpAddress).toBe('10.0.0.98');
      await ec2.send(new AssociateAddressCommand({ AllocationId: ids.allocationId, InstanceId: natB }));
      expect((await address())?.PrivateIpAddress).toBe(ids.privateIps[1]);
    },
  );

  itEmulator(
    'rule 34: DisassociateAddress of an unknown id → InvalidAssociationID.NotFound; addresses, instance ipAddress and ENI association follow',
    async () => {
      const unknown = await sdkError(
        ec2.send(new DisassociateAddressCommand({ AssociationId: 'eipassoc-0000000000000dead' })),
      );
      expect([unknown.name, unknown.$metadata.httpStatusCode]).toEqual([
        'InvalidAssociationID.NotFound',
        400,
      ]);
      expect((await instance(natA))?.PublicIpAddress).toBe(ids.publicIp);
      const { AssociationId } = await ec2.send(
        new AssociateAddressCommand({ AllocationId: ids.allocationId, InstanceId: natB }),
      );
      expect(await address()).toMatchObject({
        InstanceId: natB,
        NetworkInterfaceId: eniB,
        PrivateIpAddress: ids.privateIps[1],
        AssociationId,
      });
      expect((await instance(natA))?.PublicIpAddress).toBeUndefined();
      expect((await instance(natB))?.PublicIpAddress).toBe(ids.publicIp);
      expect((await eni(eniB))?.Association).toMatchObject({
        PublicIp: ids.publicIp,
        AssociationId,
        AllocationId: ids.allocationId,
      });
      expect((await eni(eniA))?.Association).toBeUndefined();
      await ec2.send(new DisassociateAddressCommand({ AssociationId }));
      const free = await address();
      expect([free?.AssociationId, free?.InstanceId, free?.NetworkInterfaceId]).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
      expect((await instance(natB))?.PublicIpAddress).toBeUndefined();
    },
  );

  itEmulator(
    'rule 35: with a visibility delay a mutation is acknowledged at once but Describe shows the old view until the delay elapses',
    async () => {
      const rtb = ids.privateTableIds[0] as string;
      const target = async () =>
        (
          await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtb] }))
        ).RouteTables?.[0]?.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0')?.NetworkInterfaceId;
      // Unset: read-your-writes.
      await ec2.send(
        new ReplaceRouteCommand({
          RouteTableId: rtb,
          DestinationCidrBlock: '0.0.0.0/0',
          NetworkInterfaceId: eniB,
        }),
      );
      expect(await target()).toBe(eniB);

      t.aws?.control.setVisibilityDelay(2_000);
      const ack = await ec2.send(
        new ReplaceRouteCommand({
          RouteTableId: rtb,
          DestinationCidrBlock: '0.0.0.0/0',
          NetworkInterfaceId: eniC,
        }),
      );
      expect(ack.$metadata.httpStatusCode).toBe(200);
      expect(await target()).toBe(eniB);
      await clock.advance(1_999);
      expect(await target()).toBe(eniB);
      await clock.advance(1);
      expect(await target()).toBe(eniC);
      // The authoritative state (what the VPC router uses) changed at once.
      t.aws?.control.setVisibilityDelay(0);
      expect(
        t.aws?.control.routeTable(rtb).routes.find((r) => r.destinationCidrBlock === '0.0.0.0/0')
          ?.networkInterfaceId,
      ).toBe(eniC);
    },
  );

  itEmulator('rule 36: a resource can answer *.NotFound for its first N Describe/Modify calls', async () => {
    t.aws?.control.hideResource(eniB, 2);
    for (let i = 0; i < 2; i++) {
      const err = await sdkError(
        ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniB] })),
      );
      expect(err.name).toBe('InvalidNetworkInterfaceID.NotFound');
    }
    expect((await eni(eniB))?.NetworkInterfaceId).toBe(eniB);
    t.aws?.control.hideResource(natA, 1);
    const modify = await sdkError(
      ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: natA, SourceDestCheck: { Value: false } })),
    );
    expect(modify.name).toBe('InvalidInstanceID.NotFound');
    await ec2.send(
      new ModifyInstanceAttributeCommand({ InstanceId: natA, SourceDestCheck: { Value: false } }),
    );
  });
});

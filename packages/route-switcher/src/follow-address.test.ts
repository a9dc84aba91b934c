import { AssociateAddressCommand } from '@aws-sdk/client-ec2';
import { createVirtualClock, type VirtualClock } from '@nat-ha/testkit';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFakeEc2, type FakeEc2 } from '../test/support/fake-ec2';
import { settle } from '../test/support/virtual-time';
import { createRouteSwitcher } from './route-switcher';

let clock: VirtualClock;
let ec2: FakeEc2;

beforeEach(() => {
  clock = createVirtualClock();
  ec2 = createFakeEc2({ clock, latencyMs: 5 });
  ec2.addEni({ id: 'eni-old', instanceId: 'i-old' });
  ec2.addEni({ id: 'eni-new', instanceId: 'i-new' });
  ec2.addresses.set('eipalloc-1', {
    publicIp: '198.51.100.1',
    networkInterfaceId: 'eni-old',
    associationId: 'eipassoc-0',
  });
});

const sw = () => createRouteSwitcher({ ec2: ec2.client, clock, verifyTimeoutMs: 2000 });

describe('followAddress (EIP follow, rule 32)', () => {
  it('moves the EIP from the old leader with AllowReassociation and verifies it', async () => {
    const r = await settle(
      clock,
      sw().followAddress({ allocationId: 'eipalloc-1', networkInterfaceId: 'eni-new' }),
    );
    expect(r).toMatchObject({ changed: true, publicIp: '198.51.100.1', associationId: 'eipassoc-1' });
    expect(ec2.mock.commandCalls(AssociateAddressCommand)[0]!.args[0].input).toEqual({
      AllocationId: 'eipalloc-1',
      NetworkInterfaceId: 'eni-new',
      AllowReassociation: true,
    });
    expect(ec2.addresses.get('eipalloc-1')!.networkInterfaceId).toBe('eni-new');
  });

  it('costs no write when the EIP is already on the ENI', async () => {
    const r = await settle(
      clock,
      sw().followAddress({ allocationId: 'eipalloc-1', networkInterfaceId: 'eni-old' }),
    );
    expect(r.changed).toBe(false);
    expect(ec2.writes()).toEqual([]);
  });

  it('an unknown allocation is ADDRESS_NOT_FOUND', async () => {
    await expect(
      settle(clock, sw().followAddress({ allocationId: 'eipalloc-9', networkInterfaceId: 'eni-new' })),
    ).rejects.toMatchObject({
      code: 'ADDRESS_NOT_FOUND',
    });
  });

  it('an aborted signal sends no AssociateAddress (it is a fenced write)', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(
      sw().followAddress({ allocationId: 'eipalloc-1', networkInterfaceId: 'eni-new', signal: ac.signal }),
    ).rejects.toMatchObject({
      code: 'ABORTED',
    });
    expect(ec2.mock.calls()).toHaveLength(0);
  });

  it('reports VERIFY_TIMEOUT if the association never shows', async () => {
    ec2.mock.on(AssociateAddressCommand).resolves({ AssociationId: 'eipassoc-x' });
    await expect(
      settle(clock, sw().followAddress({ allocationId: 'eipalloc-1', networkInterfaceId: 'eni-new' })),
    ).rejects.toMatchObject({
      code: 'VERIFY_TIMEOUT',
    });
  });
});

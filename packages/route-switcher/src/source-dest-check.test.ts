import { ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
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
});

const sw = () => createRouteSwitcher({ ec2: ec2.client, clock, verifyTimeoutMs: 2000 });

describe('ensureSourceDestCheckDisabled (ModifyNetworkInterfaceAttribute, rules 30–31)', () => {
  it('turns the check off on the ENI (not the instance) and verifies it by re-reading', async () => {
    ec2.addEni({ id: 'eni-1', instanceId: 'i-1', sourceDestCheck: true });
    const r = await settle(clock, sw().ensureSourceDestCheckDisabled({ networkInterfaceId: 'eni-1' }));
    expect(r).toEqual({ networkInterfaceId: 'eni-1', changed: true, calls: 3 });
    expect(ec2.enis.get('eni-1')!.sourceDestCheck).toBe(false);
    expect(ec2.mock.commandCalls(ModifyNetworkInterfaceAttributeCommand)[0]!.args[0].input).toEqual({
      NetworkInterfaceId: 'eni-1',
      SourceDestCheck: { Value: false },
    });
  });

  it('costs one read and no write when the check is already off', async () => {
    ec2.addEni({ id: 'eni-1', sourceDestCheck: false });
    const r = await settle(clock, sw().ensureSourceDestCheckDisabled({ networkInterfaceId: 'eni-1' }));
    expect(r.changed).toBe(false);
    expect(ec2.mock.calls()).toHaveLength(1);
  });

  it('fails with SOURCE_DEST_CHECK_ENABLED when the flag never reads false', async () => {
    ec2.addEni({ id: 'eni-1', sourceDestCheck: true });
    ec2.mock.on(ModifyNetworkInterfaceAttributeCommand).resolves({});
    await expect(
      settle(clock, sw().ensureSourceDestCheckDisabled({ networkInterfaceId: 'eni-1' })),
    ).rejects.toMatchObject({
      code: 'SOURCE_DEST_CHECK_ENABLED',
    });
  });

  it('an unknown ENI is NETWORK_INTERFACE_NOT_FOUND', async () => {
    await expect(
      settle(clock, sw().ensureSourceDestCheckDisabled({ networkInterfaceId: 'eni-nope' })),
    ).rejects.toMatchObject({
      code: 'NETWORK_INTERFACE_NOT_FOUND',
    });
  });

  it('validates the ENI id', async () => {
    await expect(sw().ensureSourceDestCheckDisabled({ networkInterfaceId: 'i-123' })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
  });
});

import { AssociateAddressCommand, DescribeAddressesCommand, type Address } from '@aws-sdk/client-ec2';
import { isIPv4 } from 'node:net';
import { checkSignal } from './claim-input';
import type { SwitcherContext } from './context';
import { throwIfAborted } from './ec2-error';
import { RouteSwitcherError } from './errors';
import { checkInteger, checkTarget, invalid } from './options';
import { pollUntil } from './poll-until';

export interface FollowAddressInput {
  /** The Elastic IP that must follow the leader (`eipalloc-…`). */
  allocationId: string;
  /** The leader's ENI. */
  networkInterfaceId: string;
  /** Bind this private IP of the ENI; default: EC2 uses the ENI's primary private IP (rule 33). */
  privateIpAddress?: string;
  /** Pass the lease's signal: AssociateAddress is a write. */
  signal?: AbortSignal;
  /** Hard bound (ms) on the AssociateAddress call. Default: the switcher's `callTimeoutMs`. */
  callTimeoutMs?: number;
}

export interface FollowAddressResult {
  allocationId: string;
  publicIp: string | undefined;
  /** The association id after the call (a new one when `changed`). */
  associationId: string | undefined;
  /** The address moved to the ENI. */
  changed: boolean;
  calls: number;
}

const ALLOC_ID = /^eipalloc-[0-9a-z]+$/;

/**
 * Keeps the group's egress IP stable across failovers: associates the EIP with the leader's ENI,
 * taking it from the old leader (`AllowReassociation: true`, rule 32). Reads first, so an address
 * already on the ENI costs no mutating token; verifies by re-reading DescribeAddresses.
 */
export async function followAddress(
  ctx: SwitcherContext,
  input: FollowAddressInput,
): Promise<FollowAddressResult> {
  if (input == null || typeof input !== 'object') throw invalid('followAddress', 'input must be an object');
  if (typeof input.allocationId !== 'string' || !ALLOC_ID.test(input.allocationId)) {
    throw invalid(
      'followAddress.allocationId',
      `must look like eipalloc-…, got ${JSON.stringify(input.allocationId)}`,
    );
  }
  const { allocationId } = input;
  const { networkInterfaceId } = checkTarget('followAddress', {
    networkInterfaceId: input.networkInterfaceId,
  }) as { networkInterfaceId: string };
  if (input.privateIpAddress !== undefined && !isIPv4(input.privateIpAddress)) {
    throw invalid(
      'followAddress.privateIpAddress',
      `must be an IPv4 address, got ${JSON.stringify(input.privateIpAddress)}`,
    );
  }
  const signal = checkSignal('followAddress.signal', input.signal);
  checkInteger('followAddress.callTimeoutMs', input.callTimeoutMs, 1, 600_000);
  throwIfAborted(signal, 'followAddress');
  let calls = 0;

  const read = async (): Promise<Address> => {
    const out = await ctx.caller.call(
      'DescribeAddresses',
      (s) =>
        ctx.ec2.send(new DescribeAddressesCommand({ AllocationIds: [allocationId] }), { abortSignal: s }),
      { signal, timeoutMs: ctx.config.readTimeoutMs },
    );
    calls++;
    const address = out.Addresses?.find((a) => a.AllocationId === allocationId);
    if (address == null) {
      throw new RouteSwitcherError('ADDRESS_NOT_FOUND', `Elastic IP ${allocationId} not found`, {
        details: { allocationId },
      });
    }
    return address;
  };
  const onTarget = (a: Address): boolean =>
    a.NetworkInterfaceId === networkInterfaceId &&
    (input.privateIpAddress === undefined || a.PrivateIpAddress === input.privateIpAddress);

  const before = await read();
  if (onTarget(before)) {
    return {
      allocationId,
      publicIp: before.PublicIp,
      associationId: before.AssociationId,
      changed: false,
      calls,
    };
  }
  const out = await ctx.caller.call(
    'AssociateAddress',
    (s) =>
      ctx.ec2.send(
        new AssociateAddressCommand({
          AllocationId: allocationId,
          NetworkInterfaceId: networkInterfaceId,
          ...(input.privateIpAddress === undefined ? {} : { PrivateIpAddress: input.privateIpAddress }),
          AllowReassociation: true,
        }),
        { abortSignal: s },
      ),
    { signal, timeoutMs: input.callTimeoutMs ?? ctx.config.callTimeoutMs },
  );
  calls++;
  ctx.logger.info(
    {
      event: 'address_moved',
      allocationId,
      publicIp: before.PublicIp,
      from: before.NetworkInterfaceId,
      to: networkInterfaceId,
    },
    `Elastic IP ${before.PublicIp ?? allocationId} moved to ${networkInterfaceId}`,
  );
  let last = before;
  const visible = await pollUntil(
    ctx,
    async () => {
      last = await read();
      return onTarget(last);
    },
    signal,
  );
  if (!visible) {
    throw new RouteSwitcherError(
      'VERIFY_TIMEOUT',
      `Elastic IP ${allocationId} still shows ${last.NetworkInterfaceId ?? 'no association'} ${ctx.config.verifyTimeoutMs} ms after associating it with ${networkInterfaceId}`,
      { retryable: true, details: { allocationId } },
    );
  }
  return {
    allocationId,
    publicIp: last.PublicIp,
    associationId: last.AssociationId ?? out.AssociationId,
    changed: true,
    calls,
  };
}

import {
  DescribeNetworkInterfacesCommand,
  ModifyNetworkInterfaceAttributeCommand,
} from '@aws-sdk/client-ec2';
import { checkSignal } from './claim-input';
import type { SwitcherContext } from './context';
import { throwIfAborted } from './ec2-error';
import { RouteSwitcherError } from './errors';
import { checkInteger, checkTarget } from './options';
import { pollUntil } from './poll-until';

export interface SourceDestCheckInput {
  /** The ENI that will carry the routes (the instance's own ENI). */
  networkInterfaceId: string;
  signal?: AbortSignal;
  /** Hard bound (ms) on the Modify call. Default: the switcher's `callTimeoutMs`. */
  callTimeoutMs?: number;
}

export interface SourceDestCheckResult {
  networkInterfaceId: string;
  /** The check was on and this call turned it off. */
  changed: boolean;
  /** EC2 calls made. */
  calls: number;
}

/**
 * A NAT instance must not drop forwarded packets, so its ENI's source/destination check must be off
 * ([D-NAT]). ModifyNetworkInterfaceAttribute works per ENI — ModifyInstanceAttribute fails with
 * InvalidInstanceID on multi-ENI instances (rule 30) — and is idempotent (rule 31), but we read
 * first to save a token and to report `changed`, then re-read until the flag shows false.
 */
export async function ensureSourceDestCheckDisabled(
  ctx: SwitcherContext,
  input: SourceDestCheckInput,
): Promise<SourceDestCheckResult> {
  const { networkInterfaceId } = checkTarget('ensureSourceDestCheckDisabled', {
    networkInterfaceId: input?.networkInterfaceId,
  }) as {
    networkInterfaceId: string;
  };
  const signal = checkSignal('ensureSourceDestCheckDisabled.signal', input.signal);
  checkInteger('ensureSourceDestCheckDisabled.callTimeoutMs', input.callTimeoutMs, 1, 600_000);
  throwIfAborted(signal, 'ensureSourceDestCheckDisabled');
  let calls = 0;

  const readFlag = async (): Promise<boolean | undefined> => {
    const out = await ctx.caller.call(
      'DescribeNetworkInterfaces',
      (s) =>
        ctx.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [networkInterfaceId] }), {
          abortSignal: s,
        }),
      { signal, timeoutMs: ctx.config.readTimeoutMs },
    );
    calls++;
    const eni = out.NetworkInterfaces?.find((n) => n.NetworkInterfaceId === networkInterfaceId);
    if (eni == null) {
      throw new RouteSwitcherError(
        'NETWORK_INTERFACE_NOT_FOUND',
        `network interface ${networkInterfaceId} not found`,
        {
          details: { networkInterfaceId },
        },
      );
    }
    return eni.SourceDestCheck;
  };

  if ((await readFlag()) === false) return { networkInterfaceId, changed: false, calls };

  await ctx.caller.call(
    'ModifyNetworkInterfaceAttribute',
    (s) =>
      ctx.ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: networkInterfaceId,
          SourceDestCheck: { Value: false },
        }),
        {
          abortSignal: s,
        },
      ),
    { signal, timeoutMs: input.callTimeoutMs ?? ctx.config.callTimeoutMs },
  );
  calls++;
  ctx.logger.info(
    { event: 'source_dest_check_disabled', networkInterfaceId },
    `source/dest check disabled on ${networkInterfaceId}`,
  );

  const off = await pollUntil(ctx, async () => (await readFlag()) === false, signal);
  if (!off) {
    throw new RouteSwitcherError(
      'SOURCE_DEST_CHECK_ENABLED',
      `source/dest check on ${networkInterfaceId} still reads enabled ${ctx.config.verifyTimeoutMs} ms after disabling it; forwarded traffic would be dropped`,
      { retryable: true, details: { networkInterfaceId } },
    );
  }
  return { networkInterfaceId, changed: true, calls };
}

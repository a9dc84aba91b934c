import { DiscoveryError } from './errors';
import type { ImdsClient } from './imds-client';

/** Who this instance is, as IMDS reports it (ec2-query-and-imds.md §4.3, §8 "IMDS paths"). */
export interface InstanceIdentity {
  instanceId: string;
  region: string;
  availabilityZone: string;
  accountId: string;
  instanceType: string;
  /** Primary private IPv4 address (device index 0). */
  privateIp: string;
  vpcId: string;
  subnetId: string;
  /** The primary ENI (device index 0): the target nat-ha points routes at. */
  networkInterfaceId: string;
  /** MAC of the primary ENI, as in DescribeNetworkInterfaces `macAddress`. */
  macAddress: string;
  /** Public IPv4 (EIP or auto-assigned); absent when IMDS has none (404). */
  publicIp?: string;
  /** `instance-life-cycle`: `spot` or `on-demand` (older instances may say `scheduled`). */
  lifecycle: 'spot' | 'on-demand' | (string & {});
}

export interface GetInstanceIdentityOptions {
  signal?: AbortSignal;
}

interface IdentityDocument {
  instanceId: string;
  region: string;
  availabilityZone: string;
  accountId: string;
  instanceType: string;
  privateIp: string;
}

const MAC_PATTERN = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/**
 * Reads the instance identity with the fewest IMDS calls and two round trips after the token:
 * round 1 fetches the identity document (instance id, region, AZ, account, type, private IP),
 * `mac`, `public-ipv4` and `instance-life-cycle` in parallel; round 2 fetches the primary ENI's
 * `interface-id`, `vpc-id` and `subnet-id` under `network/interfaces/macs/<mac>/`.
 */
export async function getInstanceIdentity(
  imds: ImdsClient,
  options: GetInstanceIdentityOptions = {},
): Promise<InstanceIdentity> {
  const { signal } = options;
  const [documentText, macText, publicIpText, lifecycleText] = await Promise.all([
    imds.get('dynamic/instance-identity/document', { signal }),
    imds.get('meta-data/mac', { signal }),
    imds.getOptional('meta-data/public-ipv4', { signal }),
    imds.get('meta-data/instance-life-cycle', { signal }),
  ]);
  const document = parseIdentityDocument(documentText);
  const macAddress = macText.trim().toLowerCase();
  if (!MAC_PATTERN.test(macAddress)) {
    throw new DiscoveryError(
      'IMDS_BAD_RESPONSE',
      `IMDS meta-data/mac is not a MAC address: ${JSON.stringify(macText)}`,
    );
  }
  const eni = `meta-data/network/interfaces/macs/${macAddress}`;
  const [interfaceId, vpcId, subnetId] = await Promise.all([
    imds.get(`${eni}/interface-id`, { signal }),
    imds.get(`${eni}/vpc-id`, { signal }),
    imds.get(`${eni}/subnet-id`, { signal }),
  ]);
  const publicIp = publicIpText?.trim();
  return {
    ...document,
    vpcId: vpcId.trim(),
    subnetId: subnetId.trim(),
    networkInterfaceId: interfaceId.trim(),
    macAddress,
    ...(publicIp != null && publicIp !== '' ? { publicIp } : {}),
    lifecycle: lifecycleText.trim(),
  };
}

/** Parses `dynamic/instance-identity/document` (§4.3, [D-IID]); never depends on whitespace. */
export function parseIdentityDocument(text: string): IdentityDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new DiscoveryError('IMDS_BAD_RESPONSE', 'IMDS instance identity document is not JSON', {
      cause: err,
    });
  }
  if (parsed == null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new DiscoveryError('IMDS_BAD_RESPONSE', 'IMDS instance identity document is not a JSON object');
  }
  const doc = parsed as Record<string, unknown>;
  const field = (name: string): string => {
    const value = doc[name];
    if (typeof value !== 'string' || value === '') {
      throw new DiscoveryError(
        'IMDS_BAD_RESPONSE',
        `IMDS instance identity document lacks a string \`${name}\``,
      );
    }
    return value;
  };
  return {
    instanceId: field('instanceId'),
    region: field('region'),
    availabilityZone: field('availabilityZone'),
    accountId: field('accountId'),
    instanceType: field('instanceType'),
    privateIp: field('privateIp'),
  };
}

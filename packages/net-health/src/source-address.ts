import { networkInterfaces as osNetworkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { NetHealthError } from './errors';

export type NetworkInterfacesFn = () => NodeJS.Dict<NetworkInterfaceInfo[]>;

/**
 * The source address a socket should bind for a probe: `localAddress` as given, or the first address
 * of `family` on `iface`, looked up now (an ENI can be re-attached, DHCP can renumber). A missing
 * interface or one without such an address is a probe failure (`PROBE_SOURCE_UNAVAILABLE`), not an
 * exception: the path this probe stands for is not there.
 */
export function resolveSourceAddress(
  source: { localAddress: string | undefined; interface: string | undefined },
  family: 4 | 6,
  networkInterfaces: NetworkInterfacesFn = osNetworkInterfaces,
): string | undefined {
  if (source.localAddress != null) return source.localAddress;
  if (source.interface == null) return undefined;
  const infos = networkInterfaces()[source.interface];
  if (infos == null) {
    throw new NetHealthError('PROBE_SOURCE_UNAVAILABLE', `interface ${source.interface} does not exist`, {
      retryable: true,
    });
  }
  const wanted = family === 4 ? 'IPv4' : 'IPv6';
  // Prefer a global address: an IPv6 link-local one would need a scope id and cannot reach the Internet.
  const candidates = infos.filter((i) => i.family === wanted);
  const pick =
    candidates.find((i) => !(family === 6 && i.address.toLowerCase().startsWith('fe80:'))) ?? undefined;
  if (pick == null) {
    throw new NetHealthError(
      'PROBE_SOURCE_UNAVAILABLE',
      `interface ${source.interface} has no ${family === 4 ? 'IPv4' : 'global IPv6'} address`,
      { retryable: true },
    );
  }
  return pick.address;
}

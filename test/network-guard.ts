/**
 * Refuses outbound TCP connections from test workers to anything but loopback (127.0.0.0/8, ::1,
 * localhost), unix sockets, or the CIDRs a test has explicitly allowed through
 * NAT_HA_TEST_ALLOW_CIDRS (comma separated, for hosts inside network namespaces the test created).
 * A blocked connection fails like a refused one, with a message that names the rule.
 *
 * It cannot see connections made by child processes (e.g. `ip netns exec … ping`); those tests are
 * reviewed by hand and only address namespaces they created.
 */
import net from 'node:net';

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!Number.isInteger(v) || v < 0 || v > 255 || p === '') return undefined;
    n = n * 256 + v;
  }
  return n;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.trim().split('/');
  const addr = ipv4ToInt(ip);
  const baseInt = base == null ? undefined : ipv4ToInt(base);
  const bits = bitsText == null ? 32 : Number(bitsText);
  if (addr == null || baseInt == null || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  if (bits === 0) return true;
  const size = 2 ** (32 - bits);
  return Math.floor(addr / size) === Math.floor(baseInt / size);
}

export function isAllowedTestDestination(host: string | undefined): boolean {
  if (host == null || host === '') return true; // node defaults to localhost
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1' || h.startsWith('::ffff:127.')) return true;
  if (inCidr(h, '127.0.0.0/8')) return true;
  const extra = process.env.NAT_HA_TEST_ALLOW_CIDRS;
  if (extra != null && extra !== '') {
    return extra.split(',').some((cidr) => cidr.trim() !== '' && inCidr(h, cidr));
  }
  return false;
}

interface ConnectTarget {
  host?: string;
  path?: string;
}

function targetOf(args: unknown[]): ConnectTarget {
  const first = args[0];
  if (Array.isArray(first)) return targetOf(first as unknown[]);
  if (first != null && typeof first === 'object') {
    const o = first as { host?: unknown; path?: unknown };
    return {
      ...(typeof o.host === 'string' ? { host: o.host } : {}),
      ...(typeof o.path === 'string' ? { path: o.path } : {}),
    };
  }
  if (typeof first === 'string' && Number.isNaN(Number(first))) return { path: first };
  const second = args[1];
  return typeof second === 'string' ? { host: second } : {};
}

const GUARD = Symbol.for('nat-ha.test.network-guard');
const proto = net.Socket.prototype as unknown as Record<symbol, unknown> & {
  connect: (...args: unknown[]) => net.Socket;
};
if (proto[GUARD] !== true) {
  proto[GUARD] = true;
  const original = proto.connect;
  proto.connect = function guardedConnect(this: net.Socket, ...args: unknown[]): net.Socket {
    const target = targetOf(args);
    if (target.path == null && !isAllowedTestDestination(target.host)) {
      const err = Object.assign(
        new Error(
          `test network guard: connection to ${target.host} blocked; tests may only reach loopback or ` +
            `addresses listed in NAT_HA_TEST_ALLOW_CIDRS (CONTRIBUTING.md, "Test hygiene")`,
        ),
        { code: 'ECONNREFUSED' },
      );
      process.nextTick(() => this.destroy(err));
      return this;
    }
    return original.apply(this, args);
  };
}

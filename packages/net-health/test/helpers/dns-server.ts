/**
 * A tiny authoritative DNS server over UDP for tests: answers A/AAAA records from a map, NXDOMAIN
 * for unknown names, a chosen rcode, or nothing at all. It parses just enough of RFC 1035 (header,
 * one question) and records who asked, so tests can check the source address a probe used.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';

export type ZoneEntry =
  | {
      a?: string[];
      aaaa?: string[];
      /** Ignore the first n queries for this name (a lost datagram). */
      dropFirst?: number;
      /** Answer this late (a slow path or resolver). */
      delayMs?: number;
    }
  | { rcode: number } // 2 SERVFAIL, 5 REFUSED, …
  | 'silent'; // never answer

export interface DnsQuery {
  name: string;
  type: number;
  from: string;
}

export interface TestDnsServer {
  readonly host: string;
  readonly port: number;
  readonly queries: DnsQuery[];
  close(): Promise<void>;
}

function readName(msg: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = offset;
  for (;;) {
    const len = msg[i];
    if (len == null) throw new Error('truncated question');
    if (len === 0) return { name: labels.join('.').toLowerCase(), end: i + 1 };
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('latin1'));
    i += 1 + len;
  }
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::')
    ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t]
    : h;
  const buf = Buffer.alloc(16);
  groups.forEach((g, k) => buf.writeUInt16BE(parseInt(g, 16), k * 2));
  return buf;
}

export function answer(query: Buffer, zone: Readonly<Record<string, ZoneEntry>>): Buffer | undefined {
  const { name, end } = readName(query, 12);
  const type = query.readUInt16BE(end);
  const questionEnd = end + 4;
  const entry = zone[name];
  if (entry === 'silent') return undefined;
  let rcode = 0;
  const records: Buffer[] = [];
  if (entry == null)
    rcode = 3; // NXDOMAIN
  else if ('rcode' in entry) rcode = entry.rcode;
  else {
    const addresses = type === 1 ? (entry.a ?? []) : type === 28 ? (entry.aaaa ?? []) : [];
    for (const address of addresses) {
      const data =
        type === 1 && isIPv4(address)
          ? Buffer.from(address.split('.').map(Number))
          : isIPv6(address)
            ? ipv6Bytes(address)
            : undefined;
      if (data == null) continue;
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0); // pointer to the question name
      rr.writeUInt16BE(type, 2);
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(60, 6); // TTL
      rr.writeUInt16BE(data.length, 10);
      records.push(rr, data);
    }
  }
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // ID
  const rd = query[2]! & 0x01;
  header[2] = 0x80 | 0x04 | rd; // QR, AA, RD copied
  header[3] = 0x80 | (rcode & 0x0f); // RA, rcode
  header.writeUInt16BE(1, 4); // QDCOUNT
  header.writeUInt16BE(records.length / 2, 6); // ANCOUNT
  return Buffer.concat([header, query.subarray(12, questionEnd), ...records]);
}

export function startDnsServer(options: {
  host?: string;
  port?: number;
  zone: Readonly<Record<string, ZoneEntry>>;
}): Promise<TestDnsServer> {
  const host = options.host ?? '127.0.0.1';
  const socket: Socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  const queries: DnsQuery[] = [];
  const dropped = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  socket.on('message', (msg, rinfo) => {
    try {
      const { name, end } = readName(msg, 12);
      queries.push({ name, type: msg.readUInt16BE(end), from: rinfo.address });
      const entry = options.zone[name];
      const behaviour = entry != null && typeof entry === 'object' && !('rcode' in entry) ? entry : undefined;
      if (behaviour?.dropFirst != null) {
        const n = (dropped.get(name) ?? 0) + 1;
        dropped.set(name, n);
        if (n <= behaviour.dropFirst) return;
      }
      const reply = answer(msg, options.zone);
      if (reply == null) return;
      const delayMs = behaviour?.delayMs ?? 0;
      const send = () => socket.send(reply, rinfo.port, rinfo.address, () => {});
      if (delayMs > 0) timers.add(setTimeout(send, delayMs));
      else send();
    } catch {
      // Malformed query: ignore, like a real server under attack would.
    }
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port ?? 0, host, () => {
      socket.off('error', reject);
      resolve({
        host,
        port: socket.address().port,
        queries,
        close: () => {
          for (const t of timers) clearTimeout(t);
          return new Promise<void>((r) => socket.close(() => r()));
        },
      });
    });
  });
}

/**
 * The two small programs of the dataplane lab, run from the lab's own bundle inside namespaces
 * (`ip netns exec <ns> node lab.js __netns-echo|__netns-probe …`):
 *
 * - the Internet host: a UDP echo server (the probe stream) and a TCP listener (the agents' health
 *   target), both on its own address;
 * - the private host: one 16-byte UDP datagram every `intervalMs` (sequence number + send time), and
 *   one JSON line on stdout per answer: `{"s":seq,"t":sentAt,"r":receivedAt}`.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

export async function runEchoServer(options: {
  host: string;
  udpPort: number;
  tcpPort: number;
}): Promise<void> {
  const udp = createSocket('udp4');
  udp.on('message', (msg, rinfo) => udp.send(msg, rinfo.port, rinfo.address));
  await new Promise<void>((resolve) => udp.bind(options.udpPort, options.host, resolve));
  const tcp = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end();
  });
  await new Promise<void>((resolve) => tcp.listen(options.tcpPort, options.host, resolve));
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  udp.close();
  tcp.close();
}

export async function runProbe(options: { host: string; port: number; intervalMs: number }): Promise<void> {
  const sock = createSocket('udp4');
  sock.on('message', (msg) => {
    if (msg.length < 12) return;
    const seq = msg.readUInt32BE(0);
    const sentAt = msg.readDoubleBE(4);
    process.stdout.write(`{"s":${seq},"t":${sentAt},"r":${Date.now()}}\n`);
  });
  // Sends fail with ENETUNREACH while the route is a blackhole: that is an outage, not an error.
  sock.on('error', () => undefined);
  await new Promise<void>((resolve) => sock.bind(0, resolve));
  let seq = 0;
  const start = Date.now();
  const timer = setInterval(() => {
    const buf = Buffer.alloc(16);
    buf.writeUInt32BE(seq++, 0);
    buf.writeDoubleBE(Date.now(), 4);
    sock.send(buf, options.port, options.host, () => undefined);
  }, options.intervalMs);
  process.stdout.write(`${JSON.stringify({ ready: true, start })}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  clearInterval(timer);
  sock.close();
}

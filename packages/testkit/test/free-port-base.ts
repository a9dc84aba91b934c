// Fixed-port tests need a run of free loopback ports: found by binding them, not guessed.
import { createServer } from 'node:net';

/** A base port with `count` free ports on 127.0.0.1 from it on (each one bound and released). */
export async function freePortBase(count: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const servers = [];
    let ok = true;
    for (let p = base; p < base + count && ok; p++) {
      const s = createServer();
      ok = await new Promise<boolean>((resolve) => {
        s.once('error', () => resolve(false));
        s.listen(p, '127.0.0.1', () => resolve(true));
      });
      servers.push(s);
    }
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    if (ok) return base;
  }
  throw new Error(`no run of ${count} free ports found on 127.0.0.1`);
}

import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startLoopbackInternet } from '../src/internet/loopback-internet';

function probe(port: number): Promise<'accepted' | 'refused'> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve('accepted');
    });
    s.once('error', () => resolve('refused'));
  });
}

describe('loopback Internet path', () => {
  it('accepts probes while up, refuses them while down, on the same port when back up', async () => {
    const path = await startLoopbackInternet('i-x');
    const [target] = path.targets;
    expect(target?.host).toBe('127.0.0.1');
    expect(await probe(target!.port)).toBe('accepted');
    await path.down();
    expect(path.isUp).toBe(false);
    expect(await probe(target!.port)).toBe('refused');
    await path.up();
    expect(path.isUp).toBe(true);
    expect(path.targets[0]?.port).toBe(target!.port);
    expect(await probe(target!.port)).toBe('accepted');
    await path.close();
  });
});

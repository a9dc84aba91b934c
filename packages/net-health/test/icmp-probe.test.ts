import { describe, expect, it } from 'vitest';
import { createIcmpProbe } from '../src/icmp-probe';

// ICMP to loopback only (CONTRIBUTING.md, "Test hygiene" 1), through the system ping from iputils
// (installed by .ci/run). Probes into namespaces are in netns.test.ts.
describe('createIcmpProbe with the system ping on loopback', () => {
  it('passes and reports the RTT that ping measured', async () => {
    const result = await createIcmpProbe({ host: '127.0.0.1', timeoutMs: 3000 }).run();
    expect(result).toMatchObject({ target: 'icmp://127.0.0.1', ok: true });
    expect(result.latencyMs).toBeGreaterThan(0);
    expect(result.latencyMs).toBeLessThan(3000);
  });

  it('leaves from a source address (-I addr) or an interface (-I iface)', async () => {
    expect(
      (await createIcmpProbe({ host: '127.0.0.1', localAddress: '127.0.0.2', timeoutMs: 3000 }).run()).ok,
    ).toBe(true);
    expect((await createIcmpProbe({ host: '127.0.0.1', interface: 'lo', timeoutMs: 3000 }).run()).ok).toBe(
      true,
    );
  });

  it('reports a source that does not exist as PROBE_SOURCE_UNAVAILABLE', async () => {
    const addr = await createIcmpProbe({
      host: '127.0.0.1',
      localAddress: '192.0.2.77',
      timeoutMs: 3000,
    }).run();
    expect(addr).toMatchObject({ ok: false, error: { code: 'PROBE_SOURCE_UNAVAILABLE' } });
    const iface = await createIcmpProbe({
      host: '127.0.0.1',
      interface: 'nh-missing0',
      timeoutMs: 3000,
    }).run();
    expect(iface).toMatchObject({ ok: false, error: { code: 'PROBE_SOURCE_UNAVAILABLE' } });
  });

  it('reports an unknown host name as PROBE_NXDOMAIN without sending anything', async () => {
    // .invalid never resolves (RFC 6761); /etc/hosts or the resolver answers locally.
    const result = await createIcmpProbe({ host: 'nat-ha-probe.invalid', timeoutMs: 5000 }).run();
    expect(result.ok).toBe(false);
    expect(['PROBE_NXDOMAIN', 'PROBE_DNS_FAILED']).toContain(result.error?.code);
  });
});

describe('createIcmpProbe process handling (a stand-in command, no packets)', () => {
  it('runs `ping -n -c 1 -W <seconds> -4 [-I src] host` in the C locale', async () => {
    const echo = ['sh', '-c', 'echo "LC_ALL=$LC_ALL args: $*" >&2; exit 2', 'sh'];
    const result = await createIcmpProbe({
      host: '192.0.2.1',
      localAddress: '10.0.0.5',
      timeoutMs: 800,
      command: echo,
    }).run();
    expect(result.error).toEqual({
      code: 'PROBE_FAILED',
      message: 'ping exited with 2: LC_ALL=C args: -n -c 1 -W 0.8 -4 -I 10.0.0.5 192.0.2.1',
    });
    const v6 = await createIcmpProbe({
      host: '2001:db8::1',
      family: 6,
      timeoutMs: 1250,
      command: echo,
    }).run();
    expect(v6.error?.message).toContain('args: -n -c 1 -W 1.25 -6 2001:db8::1');
  });

  it('kills a ping that outlives the timeout and reports PROBE_TIMEOUT', async () => {
    const pidFile = `/tmp/nh-icmp-${process.pid}-${Date.now()}.pid`;
    const result = await createIcmpProbe({
      host: '192.0.2.1',
      timeoutMs: 300,
      command: ['sh', '-c', `echo $$ > ${pidFile}; exec sleep 30`, 'sh'],
    }).run();
    expect(result).toMatchObject({ ok: false, error: { code: 'PROBE_TIMEOUT' } });
    const { readFileSync, rmSync } = await import('node:fs');
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    rmSync(pidFile);
    // The child was SIGKILLed: give the kernel a moment to reap it, then it must be gone.
    await new Promise((r) => setTimeout(r, 200));
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('reports a missing ping binary as PROBE_PING_UNAVAILABLE (a set-up error, not retryable)', async () => {
    const result = await createIcmpProbe({ host: '127.0.0.1', command: ['/nonexistent/ping'] }).run();
    expect(result).toMatchObject({ ok: false, error: { code: 'PROBE_PING_UNAVAILABLE' } });
  });

  it('rejects with ABORTED when the signal aborts, killing the child', async () => {
    const ac = new AbortController();
    const run = createIcmpProbe({
      host: '192.0.2.1',
      timeoutMs: 10_000,
      command: ['sh', '-c', 'exec sleep 30', 'sh'],
    }).run({
      signal: ac.signal,
    });
    setTimeout(() => ac.abort(), 50);
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

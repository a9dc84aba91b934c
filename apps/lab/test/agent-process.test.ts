import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkAgentCrashes } from '../src/invariants/agent-crashes';
import { createAgentProcess } from '../src/process/agent-process';

const FAKE = fileURLToPath(new URL('./support/fake-agent.mjs', import.meta.url));

function fake(args: string[] = []) {
  return createAgentProcess({
    instanceId: 'i-test',
    name: 'nat-t',
    command: { file: process.execPath, args: [FAKE, ...args], env: { PATH: process.env['PATH'] ?? '' } },
  });
}

describe('agent process supervision (real child processes)', () => {
  it('parses JSON log lines as they arrive, learns the HTTP URL and keeps other output as text', async () => {
    const a = fake();
    a.start();
    await a.waitForEvent('tick', { timeoutMs: 10_000 });
    expect(a.state).toBe('running');
    expect(a.httpUrl).toBe('http://127.0.0.1:1');
    expect(a.logs.map((l) => l.event)).toContain('agent_starting');
    expect(a.logs.every((l) => l.instanceId === 'i-test' && l.generation === 1)).toBe(true);
    expect(a.text.map((t) => t.text)).toContain('not json at all');
    await a.stop();
  });

  it('SIGTERM drains and exits 0; the exit records the lab as its cause', async () => {
    const a = fake();
    a.start();
    await a.waitForEvent('tick', { timeoutMs: 10_000 });
    const exited = a.whenExited();
    a.signal('SIGTERM');
    const exit = await exited;
    expect(exit).toMatchObject({
      code: 0,
      signal: null,
      generation: 1,
      expected: { cause: 'SIGTERM', signal: 'SIGTERM' },
    });
    expect(a.state).toBe('exited');
    expect(a.httpUrl).toBeUndefined();
    expect(checkAgentCrashes({ agents: [a], window: { from: 0, to: Date.now() + 1 } }).ok).toBe(true);
  });

  it('SIGSTOP pauses, SIGCONT resumes, SIGKILL kills; a restart is a new generation', async () => {
    const a = fake();
    a.start();
    await a.waitForEvent('tick', { timeoutMs: 10_000 });
    a.signal('SIGSTOP');
    expect(a.state).toBe('paused');
    a.signal('SIGCONT');
    expect(a.state).toBe('running');
    const exited = a.whenExited();
    a.signal('SIGKILL', 'crash');
    expect(await exited).toMatchObject({
      signal: 'SIGKILL',
      expected: { cause: 'crash', signal: 'SIGKILL' },
    });
    a.start();
    expect(a.generation).toBe(2);
    await a.waitForEvent('tick', { timeoutMs: 10_000 });
    expect(a.logs.some((l) => l.generation === 2)).toBe(true);
    await a.stop();
  });

  it('an uncaught exception is a crash for invariant 4, and waitForEvent fails with the tail', async () => {
    const a = fake(['--crash']);
    a.start();
    await expect(a.waitForEvent('never', { timeoutMs: 10_000 })).rejects.toThrow(/exited \(code 1/);
    const r = checkAgentCrashes({ agents: [a], window: { from: 0, to: Date.now() + 1 } });
    expect(r.ok).toBe(false);
    expect(r.violations.map((v) => v.message).join('\n')).toMatch(/exited unexpectedly \(code 1/);
    expect(r.violations.map((v) => v.message).join('\n')).toMatch(/TypeError: boom/);
  });

  it('an unhandled rejection is a crash for invariant 4', async () => {
    const a = fake(['--reject']);
    a.start();
    await a.whenExited();
    const r = checkAgentCrashes({ agents: [a], window: { from: 0, to: Date.now() + 1 } });
    expect(r.ok).toBe(false);
    expect(r.violations.some((v) => /nobody catches this|Unhandled/i.test(v.message))).toBe(true);
  });

  it('stop() ends a paused process too', async () => {
    const a = fake();
    a.start();
    await a.waitForEvent('tick', { timeoutMs: 10_000 });
    a.signal('SIGSTOP');
    await a.stop(2_000);
    expect(a.state).toBe('exited');
  });
});

/**
 * `nat-agent run` end to end over a fake wiring: real HTTP server, real clock, real signals (as
 * events on an injected emitter), fake Consul/EC2/IMDS.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../src/commands/run';
import type { CommandArgs } from '../src/commands/command-context';
import type { ConnectedWiring, Wiring, WiringFactory } from '../src/commands/wiring';
import { createNodeClock } from '../src/core/node-clock';
import type { InstanceIdentity } from '../src/ports';
import {
  createFakeCandidates,
  createFakeDataplane,
  createFakeElection,
  createFakeHealth,
  createFakePreflight,
  createFakePresence,
  createFakeRoutes,
  createMemoryLogger,
  type FakeElection,
} from './fakes';

const identity: InstanceIdentity = {
  instanceId: 'i-run',
  region: 'us-east-1',
  az: 'us-east-1a',
  vpcId: 'vpc-1',
  subnetId: 'subnet-1',
  privateIp: '10.0.0.9',
  networkInterfaceId: 'eni-run',
  mac: '0e:00:00:00:00:09',
  vpcCidrs: ['10.0.0.0/16'],
};

const GROUPS = '[{name: az-a, routeTables: {ids: [rtb-0123456789abcdef0]}}]';

function harness() {
  const clock = createNodeClock();
  const calls: string[] = [];
  const elections: FakeElection[] = [];
  const presence = createFakePresence();
  const candidates = createFakeCandidates();
  candidates.set([]);
  let closed = 0;
  const factory: WiringFactory = (): Wiring => ({
    identity: async () => {
      calls.push('identity');
      return identity;
    },
    cluster: () => {
      throw new Error('not used');
    },
    routesFor: () => () => createFakeRoutes(clock, { self: 'eni-run' }),
    connect: async (input) => {
      calls.push(`connect ${input.httpUrl.replace(/:\d+$/, ':PORT')}`);
      const wired: ConnectedWiring = {
        health: createFakeHealth(clock, 'healthy'),
        candidates,
        presence,
        preflight: createFakePreflight(),
        election: () => {
          const e = createFakeElection();
          elections.push(e);
          return e;
        },
        routes: () => createFakeRoutes(clock, { self: 'eni-run', writeMs: 5 }),
        close: async () => {
          closed++;
        },
      };
      return wired;
    },
  });
  const proc = new EventEmitter();
  const logger = createMemoryLogger();
  const out = { stdout: '', stderr: '' };
  const args: CommandArgs = { kind: 'command', command: 'run', flags: { 'http-port': '0' }, json: false };
  const start = (env: Record<string, string> = { NAT_HA_GROUPS: GROUPS }) =>
    runCommand(
      args,
      {
        env,
        readFile: () => undefined,
        io: { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t) },
      },
      {
        wiring: factory,
        process: proc as unknown as Pick<NodeJS.Process, 'on' | 'off'>,
        dataplane: createFakeDataplane(clock, true),
        logger,
      },
    );
  return { start, calls, proc, logger, out, elections, presence, candidates, closed: () => closed };
}

const until = async (predicate: () => boolean, what: string, timeoutMs = 5_000) => {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('nat-agent run (fake wiring)', () => {
  it('an invalid configuration exits 2 before touching IMDS, Consul or EC2', async () => {
    const h = harness();
    const code = await h.start({
      NAT_HA_GROUPS: '[{name: "Bad Name", routeTables: {}}]',
      NAT_HA_HTTP_PORT: 'x',
    });
    expect(code).toBe(2);
    expect(h.calls).toEqual([]);
    expect(h.out.stderr).toContain('groups[0].name');
    expect(h.out.stderr).toContain('groups[0].routeTables');
  });

  it('starts, leads, drains on SIGTERM and exits 0 after handing over', async () => {
    const h = harness();
    const running = h.start();
    await until(() => h.elections.length === 1 && h.elections[0]!.contending, 'contention');
    expect(h.calls).toEqual(['identity', 'connect http://127.0.0.1:PORT']);
    h.elections[0]!.grant();
    await until(() => h.logger.names().includes('routes_claimed'), 'routes_claimed');
    h.proc.emit('SIGTERM', 'SIGTERM');
    const code = await running;
    expect(code).toBe(0);
    expect(h.elections[0]!.resignCount).toBe(1);
    expect(h.presence.stopped).toBeGreaterThanOrEqual(1);
    expect(h.closed()).toBe(1);
    const names = h.logger.names();
    expect(names.indexOf('drain_started')).toBeLessThan(names.indexOf('drain_completed'));
    expect(h.proc.listenerCount('SIGTERM')).toBe(0);
  });

  it('a second signal during the drain exits at once with 128+n', async () => {
    const h = harness();
    h.candidates.set([{ instanceId: 'i-other', node: 'n', az: 'us-east-1a', groups: { 'az-a': 'primary' } }]);
    const running = h.start();
    await until(() => h.elections.length === 1, 'election');
    h.elections[0]!.grant();
    await until(() => h.logger.names().includes('routes_claimed'), 'routes_claimed');
    h.proc.emit('SIGTERM', 'SIGTERM'); // waits for a successor that never comes
    await until(() => h.logger.names().includes('drain_started'), 'drain_started');
    h.proc.emit('SIGINT', 'SIGINT');
    expect(await running).toBe(130);
    expect(h.logger.names()).toContain('drain_aborted');
  });
});

/**
 * The Consul contract suite runs one set of rule tests against any backend that speaks the Consul
 * HTTP API (house style 16, unstorage's `testDriver`). A driver hands each test a {@link ConsulTarget}:
 * a base URL, the agent's node name, a way to let time pass, and — on the emulator only — the fault
 * controls. Rules that need what a backend cannot give are skipped there, the reason in their name.
 */
import { createVirtualClock, type VirtualClock } from '../../../src/clock';
import { startConsul, type ConsulEmulator } from '../../../src/consul/emulator';
import type { ConsulAclOptions } from '../../../src/consul/options';

export interface EmulatorControls {
  readonly emulator: ConsulEmulator;
  readonly clock: VirtualClock;
}

export interface ConsulTarget {
  /** Agent base URL, without a trailing slash. */
  readonly url: string;
  /** The agent's node name (`node1` on the emulator). */
  readonly node: string;
  /** A token to send with every request (CONSUL_HTTP_TOKEN on a real agent). */
  readonly token: string | undefined;
  /** True when the backend starts empty for every test. */
  readonly fresh: boolean;
  /** Lets `ms` of backend time pass: advances the virtual clock, or sleeps on a real agent. */
  elapse(ms: number): Promise<void>;
  /** Backend time in ms (the virtual clock, or the wall clock for a real agent). */
  now(): number;
  /** Lets backend time pass until `t` (from {@link now}); returns at once if it already has. */
  elapseUntil(t: number): Promise<void>;
  /** Resolves once `n` requests are parked in blocking waits (a short sleep on a real agent). */
  parked(n: number): Promise<void>;
  /** Present on the emulator only. */
  readonly controls: EmulatorControls | undefined;
  close(): Promise<void>;
}

export interface DriverCapabilities {
  /** Fault controls: leader loss, node kill/leave, writing check statuses, stats. */
  readonly controls: boolean;
  /** Time passes instantly (`elapse` advances a virtual clock). */
  readonly virtualTime: boolean;
  /** An ACL-enabled target can be created ({@link ConsulContractDriver.aclTarget}). */
  readonly acl: boolean;
}

export interface ConsulContractDriver {
  readonly name: string;
  readonly capabilities: DriverCapabilities;
  target(): Promise<ConsulTarget>;
  /** An agent with ACLs on, default deny, and the tokens of {@link CONTRACT_ACL}. */
  aclTarget(): Promise<ConsulTarget>;
}

/** Tokens of the ACL target: a management token and a read-only one. */
export const CONTRACT_ACL = {
  management: 'contract-root-secret',
  readOnly: 'contract-read-secret',
  readOnlyAccessor: '6a1f0c1e-0000-4000-8000-000000000001',
} as const;

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await realSleep(2);
  }
}

/** The emulator, fresh for every test, on a virtual clock. */
export function createEmulatorDriver(): ConsulContractDriver {
  const make = async (acl?: ConsulAclOptions): Promise<ConsulTarget> => {
    const clock = createVirtualClock(Date.UTC(2024, 0, 1));
    const emulator = await startConsul({ clock, ...(acl == null ? {} : { acl }) });
    return {
      url: emulator.agentUrl('node1'),
      node: 'node1',
      token: undefined,
      fresh: true,
      elapse: (ms) => clock.advance(ms),
      now: () => clock.now(),
      elapseUntil: (t) => clock.advanceTo(t),
      parked: (n) => until(() => emulator.parkedRequests() >= n, `${n} parked request(s)`),
      controls: { emulator, clock },
      close: () => emulator.close(),
    };
  };
  return {
    name: 'emulator',
    capabilities: { controls: true, virtualTime: true, acl: true },
    target: () => make(),
    aclTarget: () =>
      make({
        defaultPolicy: 'deny',
        tokens: {
          [CONTRACT_ACL.management]: { management: true },
          [CONTRACT_ACL.readOnly]: {
            accessorId: CONTRACT_ACL.readOnlyAccessor,
            rules: { keyPrefix: { '': 'read' } },
          },
        },
      }),
  };
}

/**
 * A real agent at `CONSUL_HTTP_ADDR` (`host:port` or a URL), with `CONSUL_HTTP_TOKEN` if set. Time
 * is real; tests use unique keys and clean up after themselves.
 */
export function createRealAgentDriver(address: string, token: string | undefined): ConsulContractDriver {
  const url = (/^https?:\/\//.test(address) ? address : `http://${address}`).replace(/\/+$/, '');
  let nodeName: string | undefined;
  return {
    name: `real agent at ${url}`,
    capabilities: { controls: false, virtualTime: false, acl: false },
    async target() {
      if (nodeName == null) {
        const res = await fetch(`${url}/v1/agent/self`, {
          headers: token == null ? {} : { 'X-Consul-Token': token },
        });
        const self = (await res.json()) as { Config: { NodeName: string } };
        nodeName = self.Config.NodeName;
      }
      return {
        url,
        node: nodeName,
        token,
        fresh: false,
        elapse: realSleep,
        now: () => Date.now(),
        elapseUntil: (t) => realSleep(Math.max(0, t - Date.now())),
        parked: () => realSleep(300),
        controls: undefined,
        close: async () => {},
      };
    },
    aclTarget() {
      return Promise.reject(new Error('ACL rules need an ACL-enabled emulator target'));
    },
  };
}

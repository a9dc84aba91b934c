/**
 * `startAws()`: the EC2 Query API and Auto Scaling on one loopback port, one IMDS endpoint per
 * instance, all derived from one world state, plus the control plane (TypeScript and HTTP).
 */
import { createSystemClock, type TestClock } from '../clock';
import { TestkitError } from '../errors';
import { validatePortBase } from '../port-base';
import { defaultWorld } from '../world/default-world';
import { parseWorld } from '../world/parse-world';
import type { InstanceStateName, WorldSpec } from '../world/world-spec';
import { handleApiRequest, type ApiRuntime, type ApiSettings } from './api-server';
import { createAwsControl, type AwsControl } from './control/aws-control';
import { CONTROL_PREFIX, handleControlRequest, type ControlObject } from './control/control-http';
import { FaultQueue } from './faults/fault-queue';
import { resolveLatency, type LatencySetting } from './faults/latency';
import { TokenBuckets, resolveThrottling, type ThrottlingSetting } from './faults/token-buckets';
import { listenLoopback, type LoopbackServer } from './http/loopback-server';
import { startImdsEndpoint, type ImdsEndpoint } from './imds/imds-server';
import { ApiJournal, type ApiCallRecord, type Ec2JournalEntry } from './journal';
import { WorldState } from './state/world-state';

export interface AwsEmulatorOptions {
  /** The world to serve; validated with `parseWorld`. Default `defaultWorld()`. */
  world?: WorldSpec;
  /** Clock for latency, token buckets, IMDS token TTLs, transitions and journal times. Default: system clock. */
  clock?: TestClock;
  /** Address every server binds. Default `127.0.0.1`. */
  host?: string;
  /** `none` (default), `realistic` (describe 80 ms, mutate 150 ms, IMDS 1 ms) or a profile. */
  latency?: LatencySetting;
  /** `true` = EC2's published token buckets (rule 11). Default false. */
  throttling?: ThrottlingSetting;
  /**
   * Fixed ports: EC2/Auto Scaling at `portBase`, instance k's IMDS (world order) at
   * `portBase + 1 + k`. Default: port 0 (ephemeral) everywhere.
   */
  portBase?: number;
  /** Rule 35: Describe calls see the state as of this many ms ago. Default 0 (read-your-writes). */
  visibilityDelayMs?: number;
  /** Where DryRun answers DryRunOperation: `syntax` or `resources` (default: after resource checks). */
  dryRunCheck?: 'syntax' | 'resources';
  /** Default duration of instance transitions (stopping, pending, shutting-down), ms. Default 0. */
  transitionMs?: number;
  /** Route state while a target instance is in a transitional state (rule 22). Default `blackhole`. */
  routeStateDuringTransitions?: 'active' | 'blackhole';
  /** Capacity of the all-calls log (`calls()`); the mutation journal is never truncated. Default 100000. */
  callLogLimit?: number;
  /**
   * Called after every instance state change (control plane, API, spot enforcement, lifecycle
   * completion, scheduled transitions) with the new state. startSim uses it to stop an
   * instance's Consul agent with the instance.
   */
  onInstanceStateChange?: (instanceId: string, state: InstanceStateName) => void;
  /**
   * More control objects served by the same HTTP control plane at `${controlUrl}<name>/<method>`
   * (startSim mounts the Consul emulator's controls as `consul`). Their own function-valued
   * properties are the methods. The name `aws` is reserved.
   */
  controls?: Record<string, object>;
  /** Aborts start-up (servers already listening are closed). */
  signal?: AbortSignal;
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface AwsEmulator {
  readonly region: string;
  readonly accountId: string;
  /** EC2 and Auto Scaling endpoint (same server), e.g. `http://127.0.0.1:4599/`. */
  readonly endpoint: string;
  /** The HTTP control plane: `${controlUrl}aws/<method>`. */
  readonly controlUrl: string;
  /** Instance ids in world order (each has an IMDS endpoint). */
  readonly instanceIds: readonly string[];
  /** That instance's IMDS base URL (no trailing slash), for `AWS_EC2_METADATA_SERVICE_ENDPOINT`. */
  imdsUrl(instanceId: string): string;
  /**
   * Credentials of an instance's IAM role (what its IMDS serves; calls signed with them are
   * attributed to the instance), or of a declared principal by name (default world: `operator`).
   */
  credentials(instanceIdOrPrincipal: string): AwsCredentials;
  readonly control: AwsControl;
  /** Every mutating call: time, callerInstanceId, action, params, outcome, requestId. */
  journal(sinceSeq?: number): readonly Ec2JournalEntry[];
  /** Every call (describes too), bounded by `callLogLimit`. */
  calls(sinceSeq?: number): readonly ApiCallRecord[];
  close(): Promise<void>;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new TestkitError(
      'INVALID_OPTION',
      `startAws: option '${name}' must be a number >= 0, got ${String(value)}`,
    );
  }
  return v;
}

export async function startAws(options: AwsEmulatorOptions = {}): Promise<AwsEmulator> {
  const world = parseWorld(options.world ?? defaultWorld());
  const clock = options.clock ?? createSystemClock();
  const host = options.host ?? '127.0.0.1';
  const portBase = validatePortBase(
    'startAws',
    options.portBase,
    world.instances.length,
    `${world.instances.length} IMDS ports`,
  );
  const dryRunCheck = options.dryRunCheck ?? 'resources';
  if (dryRunCheck !== 'syntax' && dryRunCheck !== 'resources') {
    throw new TestkitError(
      'INVALID_OPTION',
      `startAws: option 'dryRunCheck' must be 'syntax' or 'resources'`,
    );
  }
  const routeState = options.routeStateDuringTransitions ?? 'blackhole';
  if (routeState !== 'active' && routeState !== 'blackhole') {
    throw new TestkitError(
      'INVALID_OPTION',
      `startAws: option 'routeStateDuringTransitions' must be 'active' or 'blackhole'`,
    );
  }
  const callLogLimit = nonNegative('callLogLimit', options.callLogLimit, 100_000);
  const settings: ApiSettings = {
    latency: resolveLatency(options.latency),
    throttling: resolveThrottling(options.throttling),
    dryRunCheck,
    transitionMs: nonNegative('transitionMs', options.transitionMs, 0),
  };
  const visibilityDelayMs = nonNegative('visibilityDelayMs', options.visibilityDelayMs, 0);
  const signal = options.signal;
  const throwIfAborted = (): void => {
    if (signal?.aborted === true)
      throw new TestkitError('ABORTED', 'startAws aborted', { cause: signal.reason });
  };
  throwIfAborted();

  const state = new WorldState(world, clock);
  state.routeOptions.transitionalState = routeState;
  state.setVisibilityDelay(visibilityDelayMs);
  const onState = options.onInstanceStateChange;
  if (onState != null) {
    if (typeof onState !== 'function')
      throw new TestkitError('INVALID_OPTION', `startAws: option 'onInstanceStateChange' must be a function`);
    state.onInstanceState(onState);
  }
  const journal = new ApiJournal(callLogLimit);
  const faults = new FaultQueue(() => clock.now());
  const buckets = new TokenBuckets(() => clock.now());
  const runtime: ApiRuntime = { state, clock, journal, faults, buckets, settings };
  const imds = new Map<string, ImdsEndpoint>();
  const control = createAwsControl({ state, clock, settings, faults, buckets, journal, imds });
  const controlServices = new Map<string, ControlObject>([['aws', control]]);
  for (const [name, target] of Object.entries(options.controls ?? {})) {
    if (name === 'aws' || !/^[a-z][a-z0-9-]*$/.test(name)) {
      throw new TestkitError(
        'INVALID_OPTION',
        `startAws: option 'controls' has a bad or reserved name '${name}'`,
      );
    }
    controlServices.set(name, target);
  }

  const servers: { close(): Promise<void> }[] = [];
  const closeAll = async (): Promise<void> => {
    state.dispose();
    await Promise.all(servers.map((s) => s.close()));
  };
  let api: LoopbackServer;
  try {
    api = await listenLoopback(host, portBase ?? 0, (req, res, signal) => {
      if (handleControlRequest(controlServices, req, res)) return;
      void handleApiRequest(runtime, req, res, signal);
    });
    servers.push(api);
    for (const [k, inst] of world.instances.entries()) {
      throwIfAborted();
      const endpoint = await startImdsEndpoint({
        state,
        clock,
        instanceId: inst.instanceId,
        host,
        port: portBase == null ? 0 : portBase + 1 + k,
        latencyMs: () => settings.latency.imdsMs,
      });
      servers.push(endpoint);
      imds.set(inst.instanceId, endpoint);
    }
  } catch (err) {
    await closeAll();
    throw err;
  }

  const principals = new Map((world.principals ?? []).map((p) => [p.name, p]));
  let closed: Promise<void> | undefined;
  return {
    region: world.region,
    accountId: world.accountId,
    endpoint: api.url,
    controlUrl: `${api.url.replace(/\/$/, '')}${CONTROL_PREFIX}`,
    instanceIds: world.instances.map((i) => i.instanceId),
    imdsUrl(instanceId) {
      const e = imds.get(instanceId);
      if (e == null) throw new TestkitError('INVALID_OPTION', `imdsUrl: unknown instance '${instanceId}'`);
      return e.url;
    },
    credentials(who) {
      const inst = state.data.instances.get(who);
      if (inst != null) {
        if (inst.role == null)
          throw new TestkitError('INVALID_OPTION', `credentials: instance ${who} has no IAM role`);
        return {
          accessKeyId: inst.role.accessKeyId,
          secretAccessKey: inst.role.secretAccessKey,
          sessionToken: inst.role.sessionToken,
        };
      }
      const p = principals.get(who);
      if (p == null)
        throw new TestkitError(
          'INVALID_OPTION',
          `credentials: '${who}' is neither an instance id nor a principal name`,
        );
      return { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey };
    },
    control,
    journal: (sinceSeq) => journal.journal(sinceSeq ?? 0),
    calls: (sinceSeq) => journal.calls(sinceSeq ?? 0),
    close() {
      closed ??= closeAll();
      return closed;
    },
  };
}

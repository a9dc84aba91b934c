/**
 * The AWS emulator's control plane as a TypeScript API. Every method is synchronous and takes
 * JSON-serialisable arguments, so the HTTP control plane (`control-http.ts`) exposes exactly the
 * same calls: `POST <control>/aws/<method>` with the argument list as a JSON array.
 */
import type { TestClock } from '../../clock';
import { TestkitError } from '../../errors';
import type { InstanceStateName, WorldSpec } from '../../world/world-spec';
import type { ApiSettings } from '../api-server';
import type { FaultQueue, FaultSpec } from '../faults/fault-queue';
import { resolveLatency, type LatencySetting } from '../faults/latency';
import { resolveThrottling, type ThrottlingSetting, type TokenBuckets } from '../faults/token-buckets';
import type { ImdsEndpoint, ImdsOutageMode, ImdsRequestRecord } from '../imds/imds-server';
import type { ApiCallRecord, ApiJournal, Ec2JournalEntry } from '../journal';
import { enisOf, publicIpOf, routeView, type RouteView } from '../state/derive';
import type { LifecycleState, NatGatewayRec } from '../state/records';
import type { MaintenanceEvent, WorldState } from '../state/world-state';

export interface TransitionOptions {
  /**
   * Time in the transitional state (`stopping`, `pending`, `shutting-down`) before the final one,
   * on the emulator clock. Default: the emulator's `transitionMs` option (0 = immediate).
   */
  transitionMs?: number;
}

export interface RouteTableSnapshot {
  routeTableId: string;
  vpcId: string;
  main: boolean;
  subnetIds: string[];
  tags: Record<string, string>;
  /** Routes as DescribeRouteTables would show them now, with computed `state` (no visibility delay). */
  routes: RouteView[];
}

export interface InstanceSnapshot {
  instanceId: string;
  state: InstanceStateName;
  availabilityZone: string;
  subnetId: string;
  vpcId: string;
  privateIpAddress: string | undefined;
  publicIp: string | undefined;
  sourceDestCheck: boolean | undefined;
  networkInterfaces: {
    networkInterfaceId: string;
    macAddress: string;
    privateIpAddress: string;
    sourceDestCheck: boolean;
    deviceIndex: number;
  }[];
  tags: Record<string, string>;
  autoScalingGroupName: string | undefined;
  lifecycleState: LifecycleState | undefined;
}

export interface AddressSnapshot {
  allocationId: string;
  publicIp: string;
  associationId: string | undefined;
  networkInterfaceId: string | undefined;
  privateIpAddress: string | undefined;
  instanceId: string | undefined;
}

export interface ImdsOptionsPatch {
  /** `optional` (v1 + v2) or `required` (v2 only). */
  httpTokens?: 'optional' | 'required';
  /** `disabled` answers 403 to everything. */
  httpEndpoint?: 'enabled' | 'disabled';
  /** Serve `meta-data/tags/instance/`. */
  instanceMetadataTags?: boolean;
  /** IMDSv1-only service: token PUTs answer 404 (the SDK then falls back to v1 unless told not to). */
  v1Only?: boolean;
  /** Hop-limit symptom: token PUTs are accepted and never answered. */
  hopLimitDrop?: boolean;
}

export interface ImdsOutageSpec {
  mode: ImdsOutageMode;
  /** For `error`: HTTP status (default 500). */
  status?: number;
  /** Ends by itself after this long (clock ms); default until cleared with `null`. */
  durationMs?: number;
}

export interface SpotInterruptionOptions {
  /** Default `terminate`. */
  action?: 'terminate' | 'stop' | 'hibernate';
  /** Warning before the action; AWS gives two minutes. Default 120000. */
  noticeMs?: number;
  /** Carry the action out at the deadline (terminate, or stop for stop/hibernate). Default true. */
  enforce?: boolean;
}

export interface MaintenanceEventSpec {
  code: MaintenanceEvent['code'];
  description?: string;
  /** Start of the window, ms from now. Default 0. */
  notBeforeMs?: number;
  /** Window length in ms. Default 7 days (AEMM's default). */
  durationMs?: number;
  /** Latest start the owner may reschedule to, ms from now (optional). */
  notBeforeDeadlineMs?: number;
  /** Default `active` (listed in `scheduled`); `completed`/`canceled` go to `history`. */
  state?: MaintenanceEvent['state'];
}

export interface AwsControl {
  // Instances and network
  stopInstance(instanceId: string, options?: TransitionOptions): void;
  startInstance(instanceId: string, options?: TransitionOptions): void;
  terminateInstance(instanceId: string, options?: TransitionOptions): void;
  /** Puts an instance in any state at once (transitional states included), without side effects other than termination's. */
  setInstanceState(instanceId: string, state: InstanceStateName): void;
  /** Detaches an ENI, the primary one included (AWS refuses that; the emulator allows it to model a lost ENI). */
  detachNetworkInterface(networkInterfaceId: string): void;
  attachNetworkInterface(networkInterfaceId: string, instanceId: string, deviceIndex: number): void;
  setNatGatewayState(natGatewayId: string, state: NatGatewayRec['state']): void;
  /** Route state while a target instance is pending/stopping/shutting-down (rule 22). Default `blackhole`. */
  setRouteStateDuringTransitions(state: 'active' | 'blackhole'): void;
  /** Replaces the deny list of an instance's role (by instance id) or of a principal (by access key id). */
  setPolicy(instanceIdOrAccessKeyId: string, deny: string[]): void;
  /** Rule 36: the next `calls` API calls that name `id` answer its `*.NotFound`. */
  hideResource(id: string, calls: number): void;

  // Faults and consistency
  /** Returns the fault id (for `removeFault`). */
  injectFault(fault: FaultSpec): number;
  removeFault(id: number): boolean;
  clearFaults(): void;
  pendingFaults(): { id: number; spec: FaultSpec; remaining: number | null }[];
  setLatency(latency: LatencySetting): void;
  setThrottling(throttling: ThrottlingSetting): void;
  /** Rule 35: Describe calls see the state as of `ms` ago; 0 = read-your-writes. */
  setVisibilityDelay(ms: number): void;
  /** Where DryRun answers DryRunOperation: after syntax checks only, or after resource checks too. */
  setDryRunCheck(stage: 'syntax' | 'resources'): void;

  // IMDS
  setImdsOptions(instanceId: string, options: ImdsOptionsPatch): void;
  /** `null` ends the outage. */
  setImdsOutage(instanceId: string, outage: ImdsOutageSpec | null): void;
  imdsRequests(instanceId: string): ImdsRequestRecord[];
  /** Forgets every IMDS token of the instance (as after an IMDS restart). */
  revokeImdsTokens(instanceId: string): void;

  // Interruption notices (IMDS) and Auto Scaling
  sendSpotInterruption(
    instanceId: string,
    options?: SpotInterruptionOptions,
  ): { action: string; time: string };
  sendRebalanceRecommendation(instanceId: string): { noticeTime: string };
  /** Overrides `autoscaling/target-lifecycle-state` (e.g. `Warmed:Stopped`); `null` returns to the group's value. */
  setTargetLifecycleState(instanceId: string, state: string | null): void;
  /** Returns the event id. */
  scheduleMaintenance(instanceId: string, event: MaintenanceEventSpec): string;
  /** Clears spot, rebalance, lifecycle override and maintenance notices. */
  clearNotices(instanceId: string): void;
  /**
   * The instance's group starts terminating it: with a terminating lifecycle hook it waits in
   * `Terminating:Wait` (IMDS target-lifecycle-state `Terminated`) for CompleteLifecycleAction or
   * the heartbeat timeout; without one it terminates at once.
   */
  terminateInAutoScalingGroup(
    instanceId: string,
    options?: TransitionOptions,
  ): { lifecycleActionToken: string | null };
  setAutoScalingLifecycleState(instanceId: string, state: LifecycleState): void;

  // Snapshots and records
  routeTables(): RouteTableSnapshot[];
  routeTable(routeTableId: string): RouteTableSnapshot;
  instances(): InstanceSnapshot[];
  instance(instanceId: string): InstanceSnapshot;
  addresses(): AddressSnapshot[];
  /** The current state as a WorldSpec. */
  world(): WorldSpec;
  /** Mutating calls (EC2 and Auto Scaling) with seq > `sinceSeq`. */
  journal(sinceSeq?: number): Ec2JournalEntry[];
  /** Every API call still in the bounded call log with seq > `sinceSeq`. */
  calls(sinceSeq?: number): ApiCallRecord[];
  clearJournal(): void;
  /** The emulator clock's `now()` (the time base of every journal entry). */
  now(): number;
}

export interface AwsControlDeps {
  state: WorldState;
  clock: TestClock;
  settings: ApiSettings;
  faults: FaultQueue;
  buckets: TokenBuckets;
  journal: ApiJournal;
  imds: ReadonlyMap<string, ImdsEndpoint>;
}

function bad(message: string): never {
  throw new TestkitError('INVALID_OPTION', message);
}

function transitionOf(options: TransitionOptions | undefined, fallback: number): number {
  const ms = options?.transitionMs ?? fallback;
  if (!Number.isFinite(ms) || ms < 0) bad(`transitionMs must be >= 0, got ${String(ms)}`);
  return ms;
}

export function createAwsControl(deps: AwsControlDeps): AwsControl {
  const { state, clock, settings } = deps;
  const imdsOf = (instanceId: string): ImdsEndpoint => {
    const e = deps.imds.get(instanceId);
    if (e == null) bad(`unknown instance '${instanceId}'`);
    return e;
  };
  const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

  const snapshotInstance = (instanceId: string): InstanceSnapshot => {
    const inst = state.instance(instanceId);
    const enis = enisOf(state.data, instanceId);
    const group = state.groupOf(instanceId);
    return {
      instanceId,
      state: inst.state,
      availabilityZone: inst.availabilityZone,
      subnetId: inst.subnetId,
      vpcId: inst.vpcId,
      privateIpAddress: enis[0]?.privateIpAddress,
      publicIp: publicIpOf(state.data, instanceId),
      sourceDestCheck: enis[0]?.sourceDestCheck,
      networkInterfaces: enis.map((e) => ({
        networkInterfaceId: e.networkInterfaceId,
        macAddress: e.macAddress,
        privateIpAddress: e.privateIpAddress,
        sourceDestCheck: e.sourceDestCheck,
        deviceIndex: e.attachment?.deviceIndex ?? 0,
      })),
      tags: { ...inst.tags },
      autoScalingGroupName: group?.group.autoScalingGroupName,
      lifecycleState: group?.member.lifecycleState,
    };
  };

  const snapshotTable = (routeTableId: string): RouteTableSnapshot => {
    const t = state.data.routeTables.get(routeTableId);
    if (t == null) bad(`unknown route table '${routeTableId}'`);
    return {
      routeTableId: t.routeTableId,
      vpcId: t.vpcId,
      main: t.associations.some((a) => a.main),
      subnetIds: t.associations.filter((a) => a.subnetId != null).map((a) => a.subnetId as string),
      tags: { ...t.tags },
      routes: t.routes.map((r) => routeView(state.data, r, state.routeOptions)),
    };
  };

  return {
    stopInstance(instanceId, options) {
      state.stopInstance(instanceId, transitionOf(options, settings.transitionMs));
    },
    startInstance(instanceId, options) {
      state.startInstance(instanceId, transitionOf(options, settings.transitionMs));
    },
    terminateInstance(instanceId, options) {
      state.terminateInstance(instanceId, transitionOf(options, settings.transitionMs));
    },
    setInstanceState(instanceId, next) {
      const states: InstanceStateName[] = [
        'pending',
        'running',
        'shutting-down',
        'terminated',
        'stopping',
        'stopped',
      ];
      if (!states.includes(next)) bad(`setInstanceState: state must be one of ${states.join(', ')}`);
      state.setInstanceState(instanceId, next);
    },
    detachNetworkInterface(networkInterfaceId) {
      state.detachNetworkInterface(networkInterfaceId);
    },
    attachNetworkInterface(networkInterfaceId, instanceId, deviceIndex) {
      if (!Number.isInteger(deviceIndex) || deviceIndex < 0)
        bad('attachNetworkInterface: deviceIndex must be an integer >= 0');
      state.attachNetworkInterface(networkInterfaceId, instanceId, deviceIndex);
    },
    setNatGatewayState(natGatewayId, next) {
      const gw = state.data.natGateways.get(natGatewayId);
      if (gw == null) bad(`unknown NAT gateway '${natGatewayId}'`);
      if (!['pending', 'failed', 'available', 'deleting', 'deleted'].includes(next))
        bad(`setNatGatewayState: bad state '${String(next)}'`);
      gw.state = next;
      state.commit();
    },
    setRouteStateDuringTransitions(next) {
      if (next !== 'active' && next !== 'blackhole')
        bad(`setRouteStateDuringTransitions: 'active' or 'blackhole'`);
      state.routeOptions.transitionalState = next;
    },
    setPolicy(who, deny) {
      if (!Array.isArray(deny) || deny.some((d) => typeof d !== 'string'))
        bad('setPolicy: deny must be an array of action names');
      const key = state.data.instances.has(who) ? state.accessKeyOf(who) : who;
      state.setDeny(key, deny);
    },
    hideResource(id, calls) {
      if (!Number.isInteger(calls) || calls < 0) bad('hideResource: calls must be an integer >= 0');
      if (calls === 0) state.hidden.delete(id);
      else state.hidden.set(id, calls);
    },

    injectFault: (fault) => deps.faults.add(fault),
    removeFault: (id) => deps.faults.remove(id),
    clearFaults: () => deps.faults.clear(),
    pendingFaults: () => deps.faults.pending(),
    setLatency(latency) {
      settings.latency = resolveLatency(latency);
    },
    setThrottling(throttling) {
      const next = resolveThrottling(throttling);
      if (next.enabled && !settings.throttling.enabled) deps.buckets.reset();
      settings.throttling = next;
    },
    setVisibilityDelay(ms) {
      state.setVisibilityDelay(ms);
    },
    setDryRunCheck(stage) {
      if (stage !== 'syntax' && stage !== 'resources') bad(`setDryRunCheck: 'syntax' or 'resources'`);
      settings.dryRunCheck = stage;
    },

    setImdsOptions(instanceId, patch) {
      const endpoint = imdsOf(instanceId);
      const inst = state.instance(instanceId);
      if (patch.httpTokens != null) {
        if (patch.httpTokens !== 'optional' && patch.httpTokens !== 'required')
          bad(`httpTokens: 'optional' or 'required'`);
        inst.imds.httpTokens = patch.httpTokens;
      }
      if (patch.httpEndpoint != null) {
        if (patch.httpEndpoint !== 'enabled' && patch.httpEndpoint !== 'disabled')
          bad(`httpEndpoint: 'enabled' or 'disabled'`);
        inst.imds.httpEndpoint = patch.httpEndpoint;
      }
      if (patch.instanceMetadataTags != null)
        inst.imds.instanceMetadataTags = patch.instanceMetadataTags === true;
      if (patch.v1Only != null) endpoint.options.v1Only = patch.v1Only === true;
      if (patch.hopLimitDrop != null) endpoint.options.hopLimitDrop = patch.hopLimitDrop === true;
      state.commit();
    },
    setImdsOutage(instanceId, outage) {
      const endpoint = imdsOf(instanceId);
      if (outage == null) {
        endpoint.options.outage = null;
        return;
      }
      if (!['hang', 'reset', 'error'].includes(outage.mode))
        bad(`setImdsOutage: mode must be hang, reset or error`);
      if (
        outage.status != null &&
        (!Number.isInteger(outage.status) || outage.status < 400 || outage.status > 599)
      ) {
        bad('setImdsOutage: status must be 400–599');
      }
      endpoint.options.outage = {
        mode: outage.mode,
        ...(outage.status != null ? { status: outage.status } : {}),
        ...(outage.durationMs != null ? { until: clock.now() + outage.durationMs } : {}),
      };
    },
    imdsRequests: (instanceId) => imdsOf(instanceId).requests(),
    revokeImdsTokens(instanceId) {
      imdsOf(instanceId).tokens.clear();
    },

    sendSpotInterruption(instanceId, options = {}) {
      const inst = state.instance(instanceId);
      const action = options.action ?? 'terminate';
      if (!['terminate', 'stop', 'hibernate'].includes(action))
        bad(`sendSpotInterruption: action must be terminate, stop or hibernate`);
      const noticeMs = options.noticeMs ?? 120_000;
      if (!Number.isFinite(noticeMs) || noticeMs < 0) bad('sendSpotInterruption: noticeMs must be >= 0');
      // IMDS prints whole seconds; round the deadline up so it is never earlier than promised.
      const time = Math.ceil((clock.now() + noticeMs) / 1000) * 1000;
      state.noticesOf(instanceId).spot = { action, time };
      if (options.enforce ?? true) {
        state.schedule(() => {
          if (state.noticesOf(instanceId).spot?.time !== time) return;
          if (action === 'terminate') state.terminateInstance(instanceId, settings.transitionMs);
          else if (inst.state === 'running') state.stopInstance(instanceId, settings.transitionMs);
        }, time - clock.now());
      }
      state.commit();
      return { action, time: iso(time) };
    },
    sendRebalanceRecommendation(instanceId) {
      const at = Math.floor(clock.now() / 1000) * 1000;
      state.noticesOf(instanceId).rebalanceAt = at;
      state.commit();
      return { noticeTime: iso(at) };
    },
    setTargetLifecycleState(instanceId, next) {
      const n = state.noticesOf(instanceId);
      if (next == null) delete n.targetLifecycleState;
      else if (typeof next !== 'string' || next === '')
        bad('setTargetLifecycleState: a lifecycle name or null');
      else n.targetLifecycleState = next;
      state.commit();
    },
    scheduleMaintenance(instanceId, event) {
      const codes = [
        'instance-reboot',
        'system-reboot',
        'system-maintenance',
        'instance-retirement',
        'instance-stop',
      ];
      if (!codes.includes(event.code)) bad(`scheduleMaintenance: code must be one of ${codes.join(', ')}`);
      const n = state.noticesOf(instanceId);
      const now = clock.now();
      const eventId = `instance-event-${state.ids.next('x').slice(2)}`;
      const notBefore = now + (event.notBeforeMs ?? 0);
      n.maintenance.push({
        code: event.code,
        description: event.description ?? `scheduled ${event.code.replace(/-/g, ' ')}`,
        eventId,
        notBefore,
        notAfter: notBefore + (event.durationMs ?? 7 * 24 * 3_600_000),
        ...(event.notBeforeDeadlineMs != null ? { notBeforeDeadline: now + event.notBeforeDeadlineMs } : {}),
        state: event.state ?? 'active',
      });
      state.commit();
      return eventId;
    },
    clearNotices(instanceId) {
      const n = state.noticesOf(instanceId);
      delete n.spot;
      delete n.rebalanceAt;
      delete n.targetLifecycleState;
      n.maintenance = [];
      state.commit();
    },
    terminateInAutoScalingGroup(instanceId, options) {
      const action = state.beginTermination(instanceId, transitionOf(options, settings.transitionMs));
      return { lifecycleActionToken: action?.token ?? null };
    },
    setAutoScalingLifecycleState(instanceId, next) {
      state.setLifecycleState(instanceId, next);
    },

    routeTables: () => [...state.data.routeTables.keys()].map(snapshotTable),
    routeTable: snapshotTable,
    instances: () => [...state.data.instances.keys()].map(snapshotInstance),
    instance: snapshotInstance,
    addresses: () =>
      [...state.data.addresses.values()].map((a) => ({
        allocationId: a.allocationId,
        publicIp: a.publicIp,
        associationId: a.association?.associationId,
        networkInterfaceId: a.association?.networkInterfaceId,
        privateIpAddress: a.association?.privateIpAddress,
        instanceId:
          a.association == null
            ? undefined
            : state.data.networkInterfaces.get(a.association.networkInterfaceId)?.attachment?.instanceId,
      })),
    world: () => state.exportWorld(),
    journal: (sinceSeq) => deps.journal.journal(sinceSeq ?? 0),
    calls: (sinceSeq) => deps.journal.calls(sinceSeq ?? 0),
    clearJournal: () => deps.journal.clear(),
    now: () => clock.now(),
  };
}

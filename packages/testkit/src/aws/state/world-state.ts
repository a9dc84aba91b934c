/**
 * The one state behind EC2, Auto Scaling and every instance's IMDS: records, the visibility-delay
 * view, credentials → caller mapping, instance lifecycle transitions, Auto Scaling lifecycle
 * actions and the per-instance IMDS notices.
 */
import { randomUUID } from 'node:crypto';
import type { TestClock, TimerHandle } from '../../clock';
import { TestkitError } from '../../errors';
import { awsId } from '../../world/ids';
import type { InstanceStateName, WorldSpec } from '../../world/world-spec';
import type { IdAllocator } from '../ec2/action';
import { buildState, exportWorld } from './build-state';
import type { RouteStateOptions } from './derive';
import type { AsgRec, Ec2Data, InstanceRec, LifecycleState, PendingLifecycleAction } from './records';

export interface CallerIdentity {
  name: string | null;
  instanceId: string | null;
  deny: string[];
}

export interface SpotNotice {
  action: 'terminate' | 'stop' | 'hibernate';
  /** When the action happens (ms). */
  time: number;
}

export interface MaintenanceEvent {
  code: 'instance-reboot' | 'system-reboot' | 'system-maintenance' | 'instance-retirement' | 'instance-stop';
  description: string;
  eventId: string;
  notBefore: number;
  notAfter: number;
  notBeforeDeadline?: number;
  state: 'active' | 'completed' | 'canceled';
}

export interface InstanceNotices {
  spot?: SpotNotice;
  rebalanceAt?: number;
  /** Overrides the lifecycle state derived from the Auto Scaling group (e.g. `Warmed:Stopped`). */
  targetLifecycleState?: string;
  maintenance: MaintenanceEvent[];
}

/** Snapshot history for the visibility delay (rule 35). */
interface VisibilityLog {
  delayMs: number;
  base: Ec2Data;
  entries: { at: number; data: Ec2Data }[];
}

export class WorldState {
  readonly region: string;
  readonly accountId: string;
  readonly data: Ec2Data;
  readonly groups: Map<string, AsgRec>;
  readonly lifecycleActions = new Map<string, PendingLifecycleAction>();
  readonly notices = new Map<string, InstanceNotices>();
  readonly routeOptions: RouteStateOptions = { transitionalState: 'blackhole' };
  private readonly principals = new Map<string, CallerIdentity>();
  private readonly world: WorldSpec;
  private visibility: VisibilityLog | undefined;
  private readonly timers = new Set<TimerHandle>();
  private readonly counters = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private readonly stateListeners = new Set<(instanceId: string, state: InstanceStateName) => void>();
  /** Resource ids that answer NotFound for their next N references (rule 36). */
  readonly hidden = new Map<string, number>();

  constructor(
    world: WorldSpec,
    private readonly clock: TestClock,
  ) {
    this.world = world;
    this.region = world.region;
    this.accountId = world.accountId;
    const built = buildState(world);
    this.data = built.data;
    this.groups = built.groups;
    for (const inst of world.instances) {
      if (inst.iamRole != null) {
        this.principals.set(inst.iamRole.accessKeyId, {
          name: inst.iamRole.roleName,
          instanceId: inst.instanceId,
          deny: inst.iamRole.deny ?? [],
        });
      }
      this.notices.set(inst.instanceId, { maintenance: [] });
    }
    for (const p of world.principals ?? []) {
      this.principals.set(p.accessKeyId, { name: p.name, instanceId: null, deny: p.deny ?? [] });
    }
  }

  readonly ids: IdAllocator = {
    next: (prefix: string): string => {
      // Generated ids start high so they never collide with a world's hand-written ones.
      const n = (this.counters.get(prefix) ?? 0xa0000) + 1;
      this.counters.set(prefix, n);
      return awsId(prefix, n);
    },
  };

  identify(accessKeyId: string): CallerIdentity | undefined {
    return this.principals.get(accessKeyId);
  }

  /** Replaces the deny list of an instance role or principal. */
  setDeny(accessKeyId: string, deny: readonly string[]): void {
    const identity = this.principals.get(accessKeyId);
    if (identity == null)
      throw new TestkitError('INVALID_OPTION', `setPolicy: unknown access key '${accessKeyId}'`);
    identity.deny = [...deny];
    if (identity.instanceId != null) {
      const role = this.data.instances.get(identity.instanceId)?.role;
      if (role != null) role.deny = [...deny];
    }
  }

  accessKeyOf(instanceId: string): string {
    const role = this.instance(instanceId).role;
    if (role == null) throw new TestkitError('INVALID_OPTION', `instance ${instanceId} has no IAM role`);
    return role.accessKeyId;
  }

  instance(instanceId: string): InstanceRec {
    const inst = this.data.instances.get(instanceId);
    if (inst == null) throw new TestkitError('INVALID_OPTION', `unknown instance '${instanceId}'`);
    return inst;
  }

  noticesOf(instanceId: string): InstanceNotices {
    let n = this.notices.get(instanceId);
    if (n == null) {
      this.instance(instanceId);
      n = { maintenance: [] };
      this.notices.set(instanceId, n);
    }
    return n;
  }

  /** Called after every change; takes the visibility snapshot and tells listeners. */
  commit(): void {
    const v = this.visibility;
    if (v != null) {
      v.entries.push({ at: this.clock.now(), data: structuredClone(this.data) });
    }
    for (const l of this.listeners) l();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called after an instance's state changes (API, control plane or a scheduled transition). */
  onInstanceState(listener: (instanceId: string, state: InstanceStateName) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private emitState(inst: InstanceRec): void {
    for (const l of this.stateListeners) l(inst.instanceId, inst.state);
  }

  setVisibilityDelay(delayMs: number): void {
    if (!Number.isFinite(delayMs) || delayMs < 0) {
      throw new TestkitError(
        'INVALID_OPTION',
        `setVisibilityDelay: expects milliseconds >= 0, got ${String(delayMs)}`,
      );
    }
    this.visibility = delayMs === 0 ? undefined : { delayMs, base: structuredClone(this.data), entries: [] };
  }

  visibilityDelayMs(): number {
    return this.visibility?.delayMs ?? 0;
  }

  /** What Describe calls see now: the state as of `delay` ms ago (rule 35). */
  visibleData(): Ec2Data {
    const v = this.visibility;
    if (v == null) return this.data;
    const cutoff = this.clock.now() - v.delayMs;
    while (v.entries.length > 0 && (v.entries[0] as { at: number }).at <= cutoff) {
      v.base = (v.entries.shift() as { data: Ec2Data }).data;
    }
    return v.base;
  }

  exportWorld(): WorldSpec {
    return exportWorld({ data: this.data, groups: this.groups }, this.world.principals);
  }

  schedule(callback: () => void, ms: number): void {
    const handle = this.clock.setTimer(() => {
      this.timers.delete(handle);
      callback();
    }, ms);
    this.timers.add(handle);
  }

  dispose(): void {
    for (const t of this.timers) this.clock.clearTimer(t);
    this.timers.clear();
    this.listeners.clear();
    this.stateListeners.clear();
  }

  // ── Instance lifecycle ────────────────────────────────────────────────────────────────────

  private reasonNow(text: string): string {
    const d = new Date(this.clock.now()).toISOString().replace('T', ' ').slice(0, 19);
    return `${text} (${d} GMT)`;
  }

  setInstanceState(instanceId: string, state: InstanceStateName): void {
    const inst = this.instance(instanceId);
    const changed = inst.state !== state;
    inst.state = state;
    if (state === 'terminated') this.finishTermination(inst);
    this.commit();
    if (changed) this.emitState(inst);
  }

  stopInstance(instanceId: string, transitionMs: number): void {
    const inst = this.instance(instanceId);
    if (inst.state !== 'running' && inst.state !== 'pending') {
      throw new TestkitError('INVALID_OPTION', `stopInstance: ${instanceId} is ${inst.state}, not running`);
    }
    inst.stateTransitionReason = this.reasonNow('User initiated');
    this.transition(inst, 'stopping', 'stopped', transitionMs);
  }

  startInstance(instanceId: string, transitionMs: number): void {
    const inst = this.instance(instanceId);
    if (inst.state !== 'stopped') {
      throw new TestkitError('INVALID_OPTION', `startInstance: ${instanceId} is ${inst.state}, not stopped`);
    }
    inst.stateTransitionReason = '';
    this.transition(inst, 'pending', 'running', transitionMs);
  }

  terminateInstance(instanceId: string, transitionMs: number): void {
    const inst = this.instance(instanceId);
    if (inst.state === 'terminated' || inst.state === 'shutting-down') return;
    inst.stateTransitionReason = this.reasonNow('User initiated');
    this.transition(inst, 'shutting-down', 'terminated', transitionMs);
  }

  private transition(inst: InstanceRec, via: InstanceStateName, to: InstanceStateName, ms: number): void {
    if (ms <= 0) {
      this.setInstanceState(inst.instanceId, to);
      return;
    }
    inst.state = via;
    this.commit();
    this.emitState(inst);
    this.schedule(() => {
      if (inst.state === via) this.setInstanceState(inst.instanceId, to);
    }, ms);
  }

  /** Termination side effects: ENIs deleted or detached, EIPs released from them, ASG membership ends. */
  private finishTermination(inst: InstanceRec): void {
    for (const eni of [...this.data.networkInterfaces.values()]) {
      if (eni.attachment?.instanceId !== inst.instanceId) continue;
      if (eni.attachment.deleteOnTermination) {
        this.data.networkInterfaces.delete(eni.networkInterfaceId);
        for (const a of this.data.addresses.values()) {
          if (a.association?.networkInterfaceId === eni.networkInterfaceId) a.association = undefined;
        }
      } else eni.attachment = undefined;
    }
    for (const g of this.groups.values()) {
      const i = g.instances.findIndex((m) => m.instanceId === inst.instanceId);
      if (i >= 0) {
        g.instances.splice(i, 1);
        g.desiredCapacity = Math.max(g.minSize, g.desiredCapacity - 1);
      }
    }
    for (const [token, action] of this.lifecycleActions) {
      if (action.instanceId === inst.instanceId) this.lifecycleActions.delete(token);
    }
  }

  detachNetworkInterface(eniId: string): void {
    const eni = this.data.networkInterfaces.get(eniId);
    if (eni == null)
      throw new TestkitError('INVALID_OPTION', `detachNetworkInterface: unknown ENI '${eniId}'`);
    if (eni.attachment == null)
      throw new TestkitError('INVALID_OPTION', `detachNetworkInterface: ${eniId} is not attached`);
    eni.attachment = undefined;
    this.commit();
  }

  attachNetworkInterface(eniId: string, instanceId: string, deviceIndex: number): void {
    const eni = this.data.networkInterfaces.get(eniId);
    if (eni == null)
      throw new TestkitError('INVALID_OPTION', `attachNetworkInterface: unknown ENI '${eniId}'`);
    const inst = this.instance(instanceId);
    if (eni.attachment != null)
      throw new TestkitError('INVALID_OPTION', `attachNetworkInterface: ${eniId} is already attached`);
    if (inst.state === 'terminated')
      throw new TestkitError('INVALID_OPTION', `attachNetworkInterface: ${instanceId} is terminated`);
    if (eni.availabilityZone !== inst.availabilityZone) {
      throw new TestkitError(
        'INVALID_OPTION',
        `attachNetworkInterface: ${eniId} is in ${eni.availabilityZone}, ${instanceId} in ${inst.availabilityZone}`,
      );
    }
    for (const e of this.data.networkInterfaces.values()) {
      if (e.attachment?.instanceId === instanceId && e.attachment.deviceIndex === deviceIndex) {
        throw new TestkitError(
          'INVALID_OPTION',
          `attachNetworkInterface: device index ${deviceIndex} of ${instanceId} is taken by ${e.networkInterfaceId}`,
        );
      }
    }
    eni.attachment = {
      attachmentId: this.ids.next('eni-attach'),
      instanceId,
      deviceIndex,
      attachTime: new Date(this.clock.now()).toISOString(),
      deleteOnTermination: false,
    };
    this.commit();
  }

  // ── Auto Scaling lifecycle ────────────────────────────────────────────────────────────────

  groupOf(instanceId: string): { group: AsgRec; member: AsgRec['instances'][number] } | undefined {
    for (const group of this.groups.values()) {
      const member = group.instances.find((m) => m.instanceId === instanceId);
      if (member != null) return { group, member };
    }
    return undefined;
  }

  /**
   * Starts the group's termination of `instanceId`: with a terminating hook the instance waits in
   * `Terminating:Wait` (IMDS target-lifecycle-state `Terminated`) until CompleteLifecycleAction
   * or the heartbeat timeout; without one it terminates at once.
   */
  beginTermination(instanceId: string, transitionMs: number): PendingLifecycleAction | undefined {
    const found = this.groupOf(instanceId);
    if (found == null)
      throw new TestkitError('INVALID_OPTION', `${instanceId} is not in an Auto Scaling group`);
    const { group, member } = found;
    if (member.lifecycleState !== 'InService' && member.lifecycleState !== 'Standby') {
      throw new TestkitError(
        'INVALID_OPTION',
        `${instanceId} is ${member.lifecycleState} in ${group.autoScalingGroupName}`,
      );
    }
    const hook = group.lifecycleHooks.find(
      (h) => h.lifecycleTransition === 'autoscaling:EC2_INSTANCE_TERMINATING',
    );
    group.desiredCapacity = Math.max(group.minSize, group.desiredCapacity - 1);
    if (hook == null) {
      member.lifecycleState = 'Terminating';
      this.terminateInstance(instanceId, transitionMs);
      return undefined;
    }
    member.lifecycleState = 'Terminating:Wait';
    const action: PendingLifecycleAction = {
      token: randomUUID(),
      autoScalingGroupName: group.autoScalingGroupName,
      lifecycleHookName: hook.lifecycleHookName,
      instanceId,
      transition: hook.lifecycleTransition,
      defaultResult: hook.defaultResult,
      heartbeatTimeoutMs: hook.heartbeatTimeout * 1000,
      deadline: this.clock.now() + hook.heartbeatTimeout * 1000,
    };
    this.lifecycleActions.set(action.token, action);
    this.armLifecycleTimeout(action, transitionMs);
    this.commit();
    return { ...action };
  }

  private armLifecycleTimeout(action: PendingLifecycleAction, transitionMs: number): void {
    const deadline = action.deadline;
    this.schedule(
      () => {
        const current = this.lifecycleActions.get(action.token);
        // A heartbeat moved the deadline: a newer timer is armed for it.
        if (current == null || current.deadline !== deadline) return;
        this.completeLifecycleAction(action.token, action.defaultResult, transitionMs);
      },
      Math.max(0, deadline - this.clock.now()),
    );
  }

  recordHeartbeat(token: string, transitionMs: number): void {
    const action = this.lifecycleActions.get(token);
    if (action == null) return;
    action.deadline = this.clock.now() + action.heartbeatTimeoutMs;
    this.armLifecycleTimeout(action, transitionMs);
  }

  completeLifecycleAction(token: string, result: 'CONTINUE' | 'ABANDON', transitionMs: number): void {
    const action = this.lifecycleActions.get(token);
    if (action == null) return;
    this.lifecycleActions.delete(token);
    const found = this.groupOf(action.instanceId);
    if (action.transition === 'autoscaling:EC2_INSTANCE_TERMINATING') {
      // Both results terminate; ABANDON only skips the remaining hooks.
      if (found != null) found.member.lifecycleState = 'Terminating:Proceed';
      this.terminateInstance(action.instanceId, transitionMs);
    } else if (found != null) {
      if (result === 'CONTINUE') found.member.lifecycleState = 'InService';
      else this.terminateInstance(action.instanceId, transitionMs);
    }
    this.commit();
  }

  setLifecycleState(instanceId: string, state: LifecycleState): void {
    const found = this.groupOf(instanceId);
    if (found == null)
      throw new TestkitError('INVALID_OPTION', `${instanceId} is not in an Auto Scaling group`);
    found.member.lifecycleState = state;
    this.commit();
  }

  /** The IMDS `autoscaling/target-lifecycle-state` value (rule 44), or undefined (404). */
  targetLifecycleState(instanceId: string): string | undefined {
    const override = this.notices.get(instanceId)?.targetLifecycleState;
    if (override != null) return override;
    const found = this.groupOf(instanceId);
    if (found == null) {
      const inst = this.data.instances.get(instanceId);
      // A terminated member left its group; it reports Terminated until it disappears.
      return inst?.tags['aws:autoscaling:groupName'] != null && inst.state === 'terminated'
        ? 'Terminated'
        : undefined;
    }
    const s = found.member.lifecycleState;
    if (s.startsWith('Terminat')) return 'Terminated';
    if (s === 'Detaching' || s === 'Detached') return 'Detached';
    if (s === 'Standby' || s === 'EnteringStandby') return 'Standby';
    return 'InService';
  }
}

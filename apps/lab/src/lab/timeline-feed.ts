/**
 * Connects a running lab to a timeline: agent log lines and lab events as they happen, the Consul
 * and EC2 journals by polling (both are append-only, so a cursor suffices).
 */
import type { Lab } from './lab';
import {
  createTimeline,
  fromAgentLine,
  fromConsulEntry,
  fromEc2Entry,
  fromLabEvent,
  type Timeline,
  type TimelineContext,
} from './timeline';

export interface TimelineFeed {
  readonly timeline: Timeline;
  /** Pulls new journal entries now. */
  poll(): void;
  stop(): void;
}

export function timelineContext(lab: Lab): TimelineContext {
  const keyGroup = new Map(lab.topology.groups.map((g) => [g.key, g.name]));
  const tableNames = new Map(
    lab.sim.aws.control.routeTables().map((t) => [t.routeTableId, t.tags['Name'] ?? t.routeTableId]),
  );
  return {
    name: (id) => lab.name(id),
    groupOfKey: (key) => keyGroup.get(key),
    tableName: (id) => tableNames.get(id) ?? id,
    instanceOfEni: (eni) => lab.topology.eniInstance.get(eni),
  };
}

export function feedTimeline(lab: Lab, options: { pollMs?: number; timeline?: Timeline } = {}): TimelineFeed {
  const timeline = options.timeline ?? createTimeline();
  const ctx = timelineContext(lab);
  let consulSeen = 0;
  let ec2Seq = 0;
  const emitted = new Set<number>();
  const offs: Array<() => void> = [];
  for (const a of lab.agents.values()) {
    offs.push(
      a.onLine((l) => {
        const e = fromAgentLine(l, ctx);
        if (e != null) timeline.add(e);
      }),
    );
  }
  for (const e of lab.events.events) timeline.add(fromLabEvent(e));
  offs.push(lab.events.onEvent((e) => timeline.add(fromLabEvent(e))));
  const poll = (): void => {
    const consul = lab.sim.consul.journal();
    for (let i = consulSeen; i < consul.length; i++) {
      const e = fromConsulEntry(consul[i] as (typeof consul)[number], ctx);
      if (e != null) timeline.add(e);
    }
    consulSeen = consul.length;
    // A pending call is picked up once it has an effect time; the cursor stays before it.
    let contiguous = true;
    for (const entry of lab.sim.aws.control.journal(ec2Seq)) {
      const settled = entry.time != null || entry.outcome !== 'pending';
      if (settled && !emitted.has(entry.seq)) {
        emitted.add(entry.seq);
        const e = fromEc2Entry(entry, ctx);
        if (e != null) timeline.add(e);
      }
      if (!settled) contiguous = false;
      if (contiguous) {
        ec2Seq = entry.seq;
        emitted.delete(entry.seq);
      }
    }
  };
  const timer = setInterval(poll, options.pollMs ?? 100);
  timer.unref();
  return {
    timeline,
    poll,
    stop() {
      clearInterval(timer);
      for (const off of offs) off();
      poll();
    },
  };
}

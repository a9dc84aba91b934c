/** What the lab itself did (faults, heals, measurements), stamped on the same clock as the journals. */
export type LabEventKind = 'fault' | 'heal' | 'info' | 'result' | 'warn';

export interface LabEvent {
  at: number;
  kind: LabEventKind;
  /** Fault kind, for faults and heals (`crash`, `partition`…). */
  fault?: string;
  instanceId?: string;
  text: string;
}

export interface LabEventLog {
  readonly events: readonly LabEvent[];
  record(event: Omit<LabEvent, 'at'> & { at?: number }): LabEvent;
  onEvent(listener: (event: LabEvent) => void): () => void;
}

export function createLabEventLog(): LabEventLog {
  const events: LabEvent[] = [];
  const listeners = new Set<(event: LabEvent) => void>();
  return {
    events,
    record(e) {
      const event: LabEvent = { ...e, at: e.at ?? Date.now() };
      events.push(event);
      for (const l of [...listeners]) l(event);
      return event;
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

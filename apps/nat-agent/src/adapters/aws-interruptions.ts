import { watchInterruptions, type ImdsClient, type InterruptionEvent } from '@nat-ha/aws-discovery';
import type { Clock, Interruption, InterruptionSource, Logger } from '../ports';
import { toMessageFirstLogger } from './library-logger';

/** aws-discovery's notice → the agent's. Completed or canceled maintenance is not a notice. */
export function toInterruption(event: InterruptionEvent): Interruption | undefined {
  switch (event.type) {
    case 'spot-interruption':
      return { kind: 'spot', action: event.action, deadline: event.deadline.getTime() };
    case 'rebalance-recommendation':
      return { kind: 'rebalance', noticeTime: event.noticeTime.getTime() };
    case 'lifecycle-state':
      return { kind: 'lifecycle', targetState: event.targetState };
    case 'scheduled-maintenance':
      if (event.state !== 'active') return undefined;
      return {
        kind: 'maintenance',
        code: event.code,
        ...(event.notBefore === undefined ? {} : { notBefore: event.notBefore.getTime() }),
      };
    default:
      return undefined;
  }
}

/** Notices kept for late subscribers: one per kind and instance-action is the realistic count. */
const MAX_KEPT = 16;

/** IMDS polling (every `intervalMs`, AWS recommends 5 s for spot and rebalance, §3.5). */
export function createImdsInterruptions(options: {
  imds: ImdsClient;
  intervalMs: number;
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
}): InterruptionSource & { close(): Promise<void> } {
  const listeners = new Set<(n: Interruption) => void>();
  // The watcher polls from the moment it is created; the agent subscribes once its start-up is done
  // (readiness checks, Consul registration), which EC2 throttling can stretch past a poll. A notice is
  // reported once, so one seen before a subscriber came would be lost and the instance would never
  // drain (chaos seed 2040). Keep them, and hand them to each new subscriber.
  const seen: Interruption[] = [];
  const watcher = watchInterruptions({
    imds: options.imds,
    intervalMs: options.intervalMs,
    signal: options.signal,
    clock: options.clock,
    logger: toMessageFirstLogger(options.logger, 'interruptions'),
  });
  watcher.on('interruption', (event) => {
    const notice = toInterruption(event);
    if (notice === undefined) return;
    seen.push(notice);
    if (seen.length > MAX_KEPT) seen.shift();
    for (const l of [...listeners]) l(notice);
  });
  return {
    subscribe(listener) {
      listeners.add(listener);
      const backlog = [...seen];
      // After subscribe() returns, as a poll would deliver it: the subscriber may still be starting.
      if (backlog.length > 0)
        queueMicrotask(() => {
          for (const n of backlog) if (listeners.has(listener)) listener(n);
        });
      return () => listeners.delete(listener);
    },
    close: () => watcher.close(),
  };
}

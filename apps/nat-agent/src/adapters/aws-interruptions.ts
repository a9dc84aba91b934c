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

/** IMDS polling (every `intervalMs`, AWS recommends 5 s for spot and rebalance, §3.5). */
export function createImdsInterruptions(options: {
  imds: ImdsClient;
  intervalMs: number;
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
}): InterruptionSource & { close(): Promise<void> } {
  const listeners = new Set<(n: Interruption) => void>();
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
    for (const l of [...listeners]) l(notice);
  });
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => watcher.close(),
  };
}

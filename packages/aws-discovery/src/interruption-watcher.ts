import { EventEmitter } from 'node:events';
import { systemClock, type Clock } from './clock';
import { DiscoveryError, invalidOption } from './errors';
import type { ImdsClient } from './imds-client';
import {
  INTERRUPTION_PATHS,
  parseRebalanceRecommendation,
  parseScheduledMaintenance,
  parseSpotInstanceAction,
  parseTargetLifecycleState,
  type InterruptionEvent,
  type InterruptionSource,
} from './interruption-notices';
import type { DiscoveryLogger } from './logger';
import { integerInRange } from './validate';

export interface WatchInterruptionsOptions {
  /** The IMDS client to poll (its timeouts bound every poll). */
  imds: ImdsClient;
  /** Poll period. AWS recommends every 5 s for Spot and rebalance notices (§3.5). */
  intervalMs?: number;
  /** Stops polling; iterators end, `close` is emitted. */
  signal?: AbortSignal;
  clock?: Clock;
  /** Which notices to poll; all four by default. */
  sources?: readonly InterruptionSource[];
  logger?: DiscoveryLogger;
}

/** A failed read of one source. Polling continues; the next success resets the count. */
export interface PollErrorEvent {
  source: InterruptionSource;
  path: string;
  error: DiscoveryError;
  /** Failures of this source in a row, counting this one. */
  consecutiveFailures: number;
  at: Date;
}

/** One finished poll round (every source read or failed). */
export interface PollCompletedEvent {
  at: Date;
  /** True when every source was read. */
  ok: boolean;
  /** New notices this round emitted. */
  emitted: number;
}

export interface InterruptionWatcherEvents {
  interruption: [event: InterruptionEvent];
  'poll-error': [event: PollErrorEvent];
  poll: [event: PollCompletedEvent];
  close: [];
}

/**
 * Emits each new notice once as `interruption` and yields it to every active async iterator.
 * Iterators see notices from the moment they are created; breaking out of `for await` ends that
 * iterator only. Polling stops on `signal` or `close()`.
 */
export interface InterruptionWatcher
  extends EventEmitter<InterruptionWatcherEvents>, AsyncIterable<InterruptionEvent> {
  /** Stops polling (aborting an in-flight poll); resolves once the loop has ended. */
  close(): Promise<void>;
  readonly closed: boolean;
}

export const WATCH_INTERRUPTIONS_DEFAULTS = {
  intervalMs: 5_000,
  sources: ['spot', 'rebalance', 'lifecycle', 'maintenance'] as readonly InterruptionSource[],
} as const;

const ALL_SOURCES = new Set<string>(WATCH_INTERRUPTIONS_DEFAULTS.sources);

interface Subscriber {
  push(event: InterruptionEvent): void;
  end(): void;
}

type SourceResult =
  | { source: InterruptionSource; ok: true; body: string | undefined }
  | { source: InterruptionSource; ok: false; error: DiscoveryError };

class Watcher extends EventEmitter<InterruptionWatcherEvents> implements InterruptionWatcher {
  #closed = false;
  readonly #stop = new AbortController();
  readonly #subscribers = new Set<Subscriber>();
  readonly #done: Promise<void>;
  /** Keys of every notice already emitted: the same notice is never emitted twice. */
  readonly #seen = new Set<string>();
  #lifecycleState: string | undefined;
  readonly #failures = new Map<InterruptionSource, number>();

  constructor(
    private readonly imds: ImdsClient,
    private readonly intervalMs: number,
    private readonly clock: Clock,
    private readonly sources: readonly InterruptionSource[],
    private readonly logger: DiscoveryLogger | undefined,
    private readonly signal: AbortSignal | undefined,
  ) {
    super();
    this.#done = this.#run();
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): Promise<void> {
    this.#stop.abort();
    return this.#done;
  }

  [Symbol.asyncIterator](): AsyncIterator<InterruptionEvent> {
    const queue: InterruptionEvent[] = [];
    let ended = this.#closed;
    let waiting: ((result: IteratorResult<InterruptionEvent>) => void) | undefined;
    const finish = (): void => {
      ended = true;
      this.#subscribers.delete(subscriber);
      const w = waiting;
      waiting = undefined;
      w?.({ value: undefined, done: true });
    };
    const subscriber: Subscriber = {
      push(event) {
        const w = waiting;
        if (w != null) {
          waiting = undefined;
          w({ value: event, done: false });
        } else {
          queue.push(event);
        }
      },
      end: finish,
    };
    if (!ended) this.#subscribers.add(subscriber);
    return {
      next: () => {
        const event = queue.shift();
        if (event != null) return Promise.resolve({ value: event, done: false });
        if (ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          waiting = resolve;
        });
      },
      return: () => {
        finish();
        queue.length = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  async #run(): Promise<void> {
    const stop = this.#stop.signal;
    const onAbort = (): void => this.#stop.abort();
    this.signal?.addEventListener('abort', onAbort, { once: true });
    if (this.signal?.aborted === true) this.#stop.abort();
    try {
      let next = this.clock.now();
      while (!stop.aborted) {
        await this.#pollOnce(stop);
        if (stop.aborted) break;
        // Fixed rate: a slow poll does not push every later poll back; missed ticks are skipped.
        const now = this.clock.now();
        next += this.intervalMs;
        while (next <= now) next += this.intervalMs;
        try {
          await this.clock.sleep(next - now, stop);
        } catch {
          break;
        }
      }
    } catch (err) {
      // #pollOnce handles every IMDS failure itself; reaching here is a bug, so make it loud.
      this.logger?.warn?.('interruption watcher stopped by an unexpected error', { error: String(err) });
    } finally {
      this.signal?.removeEventListener('abort', onAbort);
      this.#closed = true;
      for (const s of [...this.#subscribers]) s.end();
      this.#safeEmit('close');
    }
  }

  async #pollOnce(stop: AbortSignal): Promise<void> {
    const results = await Promise.all(
      this.sources.map(async (source): Promise<SourceResult> => {
        try {
          return {
            source,
            ok: true,
            body: await this.imds.getOptional(INTERRUPTION_PATHS[source], { signal: stop }),
          };
        } catch (err) {
          return { source, ok: false, error: toDiscoveryError(err) };
        }
      }),
    );
    if (stop.aborted) return;
    const at = new Date(this.clock.now());
    let emitted = 0;
    let ok = true;
    // Results are handled in the fixed source order, so the event order does not depend on which
    // response arrived first.
    for (const result of results) {
      let events: InterruptionEvent[];
      try {
        if (!result.ok) throw result.error;
        events = this.#interpret(result.source, result.body, at);
        this.#failures.set(result.source, 0);
      } catch (err) {
        ok = false;
        const error = toDiscoveryError(err);
        const consecutiveFailures = (this.#failures.get(result.source) ?? 0) + 1;
        this.#failures.set(result.source, consecutiveFailures);
        this.#safeEmit('poll-error', {
          source: result.source,
          path: INTERRUPTION_PATHS[result.source],
          error,
          consecutiveFailures,
          at,
        });
        continue;
      }
      for (const event of events) {
        emitted++;
        for (const s of this.#subscribers) s.push(event);
        this.#safeEmit('interruption', event);
      }
    }
    this.#safeEmit('poll', { at, ok, emitted });
  }

  /** Turns one source's body into the notices not emitted before (404 → `undefined` → none). */
  #interpret(source: InterruptionSource, body: string | undefined, observedAt: Date): InterruptionEvent[] {
    if (body === undefined) return [];
    switch (source) {
      case 'spot': {
        const { action, deadline } = parseSpotInstanceAction(body);
        // Keyed by action and time: a changed action or deadline is a new notice.
        return this.#once(`spot|${action}|${deadline.toISOString()}`, () => ({
          type: 'spot-interruption',
          action,
          deadline,
          observedAt,
        }));
      }
      case 'rebalance': {
        const { noticeTime } = parseRebalanceRecommendation(body);
        return this.#once(`rebalance|${noticeTime.toISOString()}`, () => ({
          type: 'rebalance-recommendation',
          noticeTime,
          observedAt,
        }));
      }
      case 'lifecycle': {
        const state = parseTargetLifecycleState(body);
        if (state == null || state === this.#lifecycleState) return [];
        const previousState = this.#lifecycleState;
        this.#lifecycleState = state;
        // A lifecycle notice is a transition. Being InService when the watch starts is the normal
        // state, not a notice; starting in any other state (e.g. Warmed:Running) is one.
        if (previousState == null && state === 'InService') return [];
        return [
          {
            type: 'lifecycle-state',
            targetState: state,
            ...(previousState != null ? { previousState } : {}),
            observedAt,
          },
        ];
      }
      case 'maintenance': {
        return parseScheduledMaintenance(body).flatMap((entry) =>
          // Keyed by every field: a rescheduled, re-described or state-changed event is a new notice.
          this.#once(
            `maintenance|${JSON.stringify([entry.eventId, entry.code, entry.state, entry.description, entry.raw])}`,
            () => ({ type: 'scheduled-maintenance', ...entry, observedAt }),
          ),
        );
      }
    }
  }

  #once(key: string, make: () => InterruptionEvent): InterruptionEvent[] {
    if (this.#seen.has(key)) return [];
    this.#seen.add(key);
    return [make()];
  }

  #safeEmit<K extends keyof InterruptionWatcherEvents>(name: K, ...args: InterruptionWatcherEvents[K]): void {
    try {
      // The cast only widens the generic tuple back to what EventEmitter#emit accepts.
      (this.emit as (event: K, ...rest: InterruptionWatcherEvents[K]) => boolean)(name, ...args);
    } catch (err) {
      // A throwing listener must not stop the watch that protects the instance's routes.
      this.logger?.warn?.(`an interruption watcher '${name}' listener threw`, { error: String(err) });
    }
  }
}

function toDiscoveryError(err: unknown): DiscoveryError {
  if (DiscoveryError.isInstance(err)) return err;
  return new DiscoveryError('IMDS_BAD_RESPONSE', err instanceof Error ? err.message : String(err), {
    cause: err,
  });
}

/**
 * Polls Spot instance-action, rebalance recommendation, ASG target lifecycle state and scheduled
 * maintenance every `intervalMs` (§3.5) and emits one typed event per new notice. Transient IMDS
 * failures are reported as `poll-error` and polling goes on.
 *
 * ```ts
 * const watcher = watchInterruptions({ imds, signal });
 * for await (const notice of watcher) if (shouldHandOff(notice)) await drain();
 * ```
 */
export function watchInterruptions(options: WatchInterruptionsOptions): InterruptionWatcher {
  if (options == null || typeof options.imds?.getOptional !== 'function') {
    invalidOption('imds', 'must be an ImdsClient (createImdsClient())');
  }
  const intervalMs = integerInRange(
    'intervalMs',
    options.intervalMs ?? WATCH_INTERRUPTIONS_DEFAULTS.intervalMs,
    100,
    3_600_000,
  );
  const sources = options.sources ?? WATCH_INTERRUPTIONS_DEFAULTS.sources;
  if (
    !Array.isArray(sources) ||
    sources.length === 0 ||
    sources.some((s: unknown) => typeof s !== 'string' || !ALL_SOURCES.has(s))
  ) {
    invalidOption('sources', `must be a non-empty list of ${[...ALL_SOURCES].join(', ')}`);
  }
  return new Watcher(
    options.imds,
    intervalMs,
    options.clock ?? systemClock,
    [...new Set(sources)],
    options.logger,
    options.signal,
  );
}

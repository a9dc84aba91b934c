import { setTimeout as delay } from 'node:timers/promises';

/** The time source nat-bootstrap needs; the testkit's virtual clock satisfies it. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    await delay(ms, undefined, signal == null ? undefined : { signal });
  },
};

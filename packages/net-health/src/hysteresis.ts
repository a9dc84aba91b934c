import { integerOption, invalid } from './validate';

export type HealthState = 'healthy' | 'unhealthy';

export interface HysteresisOptions {
  /** Consecutive passing rounds that turn `unhealthy` into `healthy`. */
  rise: number;
  /** Consecutive failing rounds that turn `healthy` into `unhealthy`. */
  fall: number;
  initialState: HealthState;
}

export interface Hysteresis {
  readonly state: HealthState;
  /** Consecutive rounds so far that disagree with `state` (0 when the last round agreed). */
  readonly streak: number;
  /** Feeds one round's verdict; returns the transition when this round completes a rise or fall. */
  observe(roundOk: boolean): { from: HealthState; to: HealthState } | undefined;
}

/**
 * The rise/fall counter (as in HAProxy and keepalived's `vrrp_script`): the state flips only after
 * `fall` failing rounds in a row (or `rise` passing rounds in a row); any round that agrees with the
 * current state resets the count. An alternating pass/fail pattern therefore never flips a state
 * when `fall` and `rise` are at least 2, which is the flapping single-round checkers suffer from.
 */
export function createHysteresis(options: HysteresisOptions): Hysteresis {
  const rise = integerOption('rise', options.rise, Number.NaN, 1, 1000);
  const fall = integerOption('fall', options.fall, Number.NaN, 1, 1000);
  if (options.initialState !== 'healthy' && options.initialState !== 'unhealthy') {
    throw invalid('initialState', "'healthy' or 'unhealthy'", options.initialState);
  }
  let state: HealthState = options.initialState;
  let streak = 0;
  return {
    get state() {
      return state;
    },
    get streak() {
      return streak;
    },
    observe(roundOk) {
      const agrees = roundOk === (state === 'healthy');
      if (agrees) {
        streak = 0;
        return undefined;
      }
      streak += 1;
      if (streak < (state === 'healthy' ? fall : rise)) return undefined;
      const from = state;
      state = state === 'healthy' ? 'unhealthy' : 'healthy';
      streak = 0;
      return { from, to: state };
    },
  };
}

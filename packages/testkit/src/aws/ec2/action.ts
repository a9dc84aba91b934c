/**
 * The shape of one emulated EC2 action and the context it runs in.
 */
import { ApiError } from '../query/api-error';
import type { QueryParams } from '../query/params';
import type { RouteStateOptions } from '../state/derive';
import type { Ec2Data } from '../state/records';

export interface Caller {
  /** Access key from the SigV4 credential scope; null when the request was unsigned. */
  accessKeyId: string | null;
  /** The instance whose IAM role credentials signed the call, or null. */
  instanceId: string | null;
  /** Name of a declared principal (`WorldSpec.principals`), or null. */
  principal: string | null;
}

/** Allocates ids for resources and associations a mutation creates. */
export interface IdAllocator {
  next(prefix: string): string;
}

export interface Ec2ActionContext {
  readonly params: QueryParams;
  /** The authoritative state: mutations validate against and change this. */
  readonly data: Ec2Data;
  /** What Describe calls see (equals `data` unless a visibility delay is set, rule 35). */
  readonly view: Ec2Data;
  readonly now: number;
  readonly caller: Caller;
  readonly routeOptions: RouteStateOptions;
  readonly ids: IdAllocator;
  /**
   * DryRun checkpoint (rule 10). Call it after syntax validation with `'syntax'` and again after
   * resource checks with `'resources'`; it throws 412 DryRunOperation at the configured stage.
   */
  dryRunCheckpoint(stage: 'syntax' | 'resources'): void;
}

export interface Ec2Action {
  readonly name: string;
  /** Mutating actions are journaled and draw from the mutating token bucket. */
  readonly mutating: boolean;
  /**
   * Top-level parameter names the action accepts (list prefixes without `.N`); anything else is
   * 400 UnknownParameter (rule 4). Taken from the SDK model's members and their query names.
   */
  readonly params: readonly string[];
  /** Returns the response's child elements after `<requestId>`. */
  run(ctx: Ec2ActionContext): string;
}

export const DRY_RUN_MESSAGE = 'Request would have succeeded, but DryRun flag is set.';

export function dryRunError(): ApiError {
  return new ApiError('DryRunOperation', DRY_RUN_MESSAGE, 412);
}

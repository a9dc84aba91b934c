/**
 * Injected API faults (rule 12): deterministic and countable. A fault matches calls by action
 * (or `*`) and optionally by calling instance; it applies to the next `count` matching calls, or
 * to every matching call until `durationMs` has passed on the emulator clock. The oldest
 * matching fault is consumed first.
 */
import { TestkitError } from '../../errors';

export interface FaultSpec {
  /** EC2 or Auto Scaling action name, or `*` for any. */
  action: string;
  /** Number of matching calls to fail. Default 1 (unless `durationMs` is given). */
  count?: number;
  /** Fail every matching call for this long instead of a count. */
  durationMs?: number;
  /** Error code to answer (e.g. `RequestLimitExceeded`, `InternalError`). Required unless `hang` or `delayMs`. */
  code?: string;
  /** HTTP status; default from the service's table (e.g. 503 for RequestLimitExceeded). */
  status?: number;
  /** Error message; default a generic one per code. */
  message?: string;
  /** Never answer (and never apply) the call; the connection stays open until the client gives up. */
  hang?: boolean;
  /** Answer normally, but this many ms later than the latency profile says. */
  delayMs?: number;
  /** Only calls signed by this instance's credentials. */
  callerInstanceId?: string;
}

export interface ActiveFault {
  readonly id: number;
  readonly spec: Readonly<FaultSpec>;
  /** Calls still to fail (Infinity for duration faults). */
  remaining: number;
  /** Clock time after which the fault no longer applies (duration faults). */
  until: number;
}

export class FaultQueue {
  private readonly faults: ActiveFault[] = [];
  private nextId = 1;

  constructor(private readonly now: () => number) {}

  add(spec: FaultSpec): number {
    validateFault(spec);
    const id = this.nextId++;
    const duration = spec.durationMs;
    this.faults.push({
      id,
      spec: { ...spec },
      remaining: duration != null ? Infinity : (spec.count ?? 1),
      until: duration != null ? this.now() + duration : Infinity,
    });
    return id;
  }

  /** Consumes and returns the fault for this call, if any. */
  take(action: string, callerInstanceId: string | null): Readonly<FaultSpec> | undefined {
    const t = this.now();
    for (let i = 0; i < this.faults.length; i++) {
      const f = this.faults[i] as ActiveFault;
      if (f.until <= t || f.remaining <= 0) {
        this.faults.splice(i--, 1);
        continue;
      }
      if (f.spec.action !== '*' && f.spec.action !== action) continue;
      if (f.spec.callerInstanceId != null && f.spec.callerInstanceId !== callerInstanceId) continue;
      f.remaining--;
      if (f.remaining <= 0) this.faults.splice(i, 1);
      return f.spec;
    }
    return undefined;
  }

  pending(): { id: number; spec: FaultSpec; remaining: number | null }[] {
    const t = this.now();
    return this.faults
      .filter((f) => f.until > t && f.remaining > 0)
      .map((f) => ({
        id: f.id,
        spec: { ...f.spec },
        remaining: Number.isFinite(f.remaining) ? f.remaining : null,
      }));
  }

  remove(id: number): boolean {
    const i = this.faults.findIndex((f) => f.id === id);
    if (i >= 0) this.faults.splice(i, 1);
    return i >= 0;
  }

  clear(): void {
    this.faults.length = 0;
  }
}

function validateFault(spec: FaultSpec): void {
  const fail = (msg: string): never => {
    throw new TestkitError('INVALID_OPTION', `injectFault: ${msg}`);
  };
  if (spec == null || typeof spec !== 'object')
    fail('expects an object { action, count?, code?, status?, hang?, delayMs? }');
  if (typeof spec.action !== 'string' || spec.action === '') fail(`'action' must be an action name or '*'`);
  if (spec.count != null && (!Number.isInteger(spec.count) || spec.count < 1))
    fail(`'count' must be a positive integer`);
  if (spec.durationMs != null && (!Number.isFinite(spec.durationMs) || spec.durationMs <= 0)) {
    fail(`'durationMs' must be a positive number`);
  }
  if (spec.count != null && spec.durationMs != null) fail(`give 'count' or 'durationMs', not both`);
  if (spec.delayMs != null && (!Number.isFinite(spec.delayMs) || spec.delayMs < 0))
    fail(`'delayMs' must be >= 0`);
  if (spec.status != null && (!Number.isInteger(spec.status) || spec.status < 400 || spec.status > 599)) {
    fail(`'status' must be an HTTP error status (400–599)`);
  }
  const kinds = [spec.code != null, spec.hang === true, spec.delayMs != null].filter(Boolean).length;
  if (kinds !== 1) fail(`give exactly one of 'code', 'hang: true' or 'delayMs'`);
  if (spec.code != null && !/^[A-Za-z][\w.]*$/.test(spec.code))
    fail(`'code' must look like an AWS error code, got '${spec.code}'`);
}

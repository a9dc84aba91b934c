/**
 * The EC2 + Auto Scaling Query endpoint: one HTTP handler that decodes the form (rules 1–3),
 * dispatches on `Version` (2011-01-01 → Auto Scaling, otherwise EC2), attributes the call to the
 * signer (SigV4 access key → instance), applies policy, injected faults, token buckets and
 * latency, runs the action atomically and answers in the service's envelope (rules 5–9, 37).
 *
 * Order of evaluation for one call (documented in the README):
 *   receive → decode → credential scope → action → parameters → policy → injected fault →
 *   token bucket → latency (clock) → hidden-resource knob → run + apply → journal → answer.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { TestClock } from '../clock';
import { AUTOSCALING_ACTIONS, type AsAction } from './autoscaling/autoscaling-actions';
import { dryRunError, type Caller, type Ec2Action, type Ec2ActionContext } from './ec2/action';
import { EC2_ACTIONS } from './ec2/ec2-actions';
import { kindOfId, notFoundError } from './ec2/lookups';
import type { FaultQueue, FaultSpec } from './faults/fault-queue';
import { latencyFor, type ResolvedLatency } from './faults/latency';
import { ec2BucketKey, ec2LimitFor, type ThrottlingOptions, type TokenBuckets } from './faults/token-buckets';
import { readBody } from './http/loopback-server';
import type { ApiCallRecord, ApiJournal, ApiService } from './journal';
import { ApiError, ec2StatusFor } from './query/api-error';
import { QueryParams } from './query/params';
import { parseCredentialScope } from './query/sigv4';
import { XML_DECLARATION, leaf, node } from './query/xml';
import type { WorldState } from './state/world-state';

const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const AS_NS = 'http://autoscaling.amazonaws.com/doc/2011-01-01/';
export const AUTOSCALING_VERSION = '2011-01-01';

/** Mutable settings the control plane changes at run time. */
export interface ApiSettings {
  latency: ResolvedLatency;
  throttling: ThrottlingOptions;
  /** Where DryRun answers DryRunOperation: after syntax checks, or after resource checks too (default). */
  dryRunCheck: 'syntax' | 'resources';
  /** Duration of instance state transitions started by API calls (lifecycle completions). */
  transitionMs: number;
}

export interface ApiRuntime {
  readonly state: WorldState;
  readonly clock: TestClock;
  readonly journal: ApiJournal;
  readonly faults: FaultQueue;
  readonly buckets: TokenBuckets;
  readonly settings: ApiSettings;
}

function asStatusFor(code: string): number {
  switch (code) {
    case 'AccessDenied':
    case 'MissingAuthenticationToken':
    case 'SignatureDoesNotMatch':
    case 'InvalidClientTokenId':
      return 403;
    case 'InternalFailure':
    case 'InternalError':
      return 500;
    case 'ServiceUnavailable':
    case 'Unavailable':
      return 503;
    default:
      return 400;
  }
}

const DEFAULT_FAULT_MESSAGES: Record<string, string> = {
  RequestLimitExceeded: 'Request limit exceeded.',
  Throttling: 'Rate exceeded',
  InternalError: 'An internal error has occurred',
  InternalFailure: 'An internal error has occurred',
  Unavailable: "The server is overloaded and can't handle the request.",
  ServiceUnavailable: 'Service is unavailable. Please try again later.',
};

function send(
  res: http.ServerResponse,
  status: number,
  requestId: string,
  body: string,
  service: ApiService,
): void {
  if (res.destroyed || res.writableEnded) return;
  const headers: Record<string, string> = {
    'content-type': 'text/xml;charset=UTF-8',
    'x-amzn-RequestId': requestId,
  };
  if (service === 'ec2') headers.server = 'AmazonEC2';
  res.writeHead(status, headers);
  res.end(body);
}

function ec2ErrorBody(err: ApiError, requestId: string): string {
  return (
    XML_DECLARATION +
    `<Response><Errors><Error>${leaf('Code', err.code)}${leaf('Message', err.message)}</Error></Errors>${leaf('RequestID', requestId)}</Response>`
  );
}

function asErrorBody(err: ApiError, requestId: string): string {
  const type = err.status >= 500 ? 'Receiver' : 'Sender';
  return (
    XML_DECLARATION +
    `<ErrorResponse xmlns="${AS_NS}"><Error>${leaf('Type', type)}${leaf('Code', err.code)}${leaf('Message', err.message)}</Error>${leaf('RequestId', requestId)}</ErrorResponse>`
  );
}

function denies(deny: readonly string[], service: ApiService, action: string): boolean {
  return deny.some((d) => d === '*' || d === action || d === `${service}:*` || d === `${service}:${action}`);
}

function principalArn(state: WorldState, caller: Caller): string {
  if (caller.instanceId != null) {
    const role = state.data.instances.get(caller.instanceId)?.role?.roleName ?? 'role';
    return `arn:aws:sts::${state.accountId}:assumed-role/${role}/${caller.instanceId}`;
  }
  return `arn:aws:iam::${state.accountId}:user/${caller.principal ?? caller.accessKeyId ?? 'anonymous'}`;
}

function resourceArn(state: WorldState, params: QueryParams): string {
  const base = `arn:aws:ec2:${state.region}:${state.accountId}`;
  const table = params.get('RouteTableId');
  if (table != null) return `${base}:route-table/${table}`;
  const eni = params.get('NetworkInterfaceId');
  if (eni != null) return `${base}:network-interface/${eni}`;
  const inst = params.get('InstanceId');
  if (inst != null) return `${base}:instance/${inst}`;
  return `${base}:*`;
}

function unauthorized(
  state: WorldState,
  service: ApiService,
  action: string,
  caller: Caller,
  params: QueryParams,
): ApiError {
  const who = principalArn(state, caller);
  if (service === 'autoscaling') {
    return new ApiError(
      'AccessDenied',
      `User: ${who} is not authorized to perform: autoscaling:${action} because no identity-based policy allows the autoscaling:${action} action`,
      403,
    );
  }
  const encoded = Buffer.from(`${who} ec2:${action}`).toString('base64url');
  return new ApiError(
    'UnauthorizedOperation',
    `You are not authorized to perform this operation. User: ${who} is not authorized to perform: ec2:${action} on resource: ${resourceArn(state, params)} because no identity-based policy allows the ec2:${action} action. Encoded authorization failure message: ${encoded}`,
    403,
  );
}

/** Rule 36: the next N references to a hidden id answer that resource's NotFound. */
function checkHidden(state: WorldState, params: QueryParams): void {
  if (state.hidden.size === 0) return;
  for (const name of params.names()) {
    const value = params.get(name) as string;
    const left = state.hidden.get(value);
    if (left == null || left <= 0) continue;
    if (left === 1) state.hidden.delete(value);
    else state.hidden.set(value, left - 1);
    const kind = kindOfId(value);
    if (kind != null) throw notFoundError(kind, [value]);
  }
}

/** Handles one Query API request (the server routes `/__nat-ha/…` elsewhere first). */
export async function handleApiRequest(
  rt: ApiRuntime,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  signal: AbortSignal,
): Promise<void> {
  const { state, clock, journal } = rt;
  const receivedAt = clock.now();
  const requestId = randomUUID();
  const url = new URL(req.url ?? '/', 'http://emulator');
  let body = '';
  try {
    body = req.method === 'POST' ? await readBody(req) : '';
  } catch {
    res.destroy();
    return;
  }
  const params = QueryParams.fromRequest(body, url.searchParams);
  const service: ApiService = params.get('Version') === AUTOSCALING_VERSION ? 'autoscaling' : 'ec2';
  const action = params.get('Action') ?? '';
  const scope = parseCredentialScope(req.headers.authorization, url.searchParams);
  const identity = scope == null ? undefined : state.identify(scope.accessKeyId);
  const caller: Caller = {
    accessKeyId: scope?.accessKeyId ?? null,
    instanceId: identity?.instanceId ?? null,
    principal: identity?.instanceId == null ? (identity?.name ?? null) : null,
  };
  const def: Ec2Action | AsAction | undefined =
    service === 'ec2' ? EC2_ACTIONS.get(action) : AUTOSCALING_ACTIONS.get(action);
  const header = (name: string): string | undefined => {
    const v = req.headers[name];
    return typeof v === 'string' ? v : undefined;
  };
  const sdkRequest = header('amz-sdk-request');
  const invocationId = header('amz-sdk-invocation-id');
  const record: ApiCallRecord = journal.open({
    service,
    action,
    mutating: def?.mutating ?? false,
    receivedAt,
    callerInstanceId: caller.instanceId,
    principal: caller.principal,
    accessKeyId: caller.accessKeyId,
    params: params.toRecord(),
    requestId,
    ...(sdkRequest != null ? { sdkRequest } : {}),
    ...(invocationId != null ? { invocationId } : {}),
  });
  res.on('close', () => {
    if (!res.writableFinished) record.clientGone = true;
  });

  const statusOf = (code: string): number => (service === 'ec2' ? ec2StatusFor(code) : asStatusFor(code));
  const fail = (err: ApiError): void => {
    record.outcome = err.code;
    record.status = err.status;
    record.time = clock.now();
    send(
      res,
      err.status,
      requestId,
      service === 'ec2' ? ec2ErrorBody(err, requestId) : asErrorBody(err, requestId),
      service,
    );
  };
  const wait = async (ms: number): Promise<boolean> => {
    if (ms <= 0) return true;
    try {
      await clock.sleep(ms, signal);
      return true;
    } catch {
      res.destroy();
      return false;
    }
  };

  try {
    // ── Transport-level checks, answered at once ──────────────────────────────────────────
    if (params.get('Version') == null)
      throw new ApiError('MissingParameter', 'The request must contain the parameter Version');
    if (action === '') throw new ApiError('MissingAction', 'The request must contain the parameter Action');
    if (scope == null) {
      throw service === 'ec2'
        ? new ApiError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401)
        : new ApiError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
    }
    if (scope.region !== state.region) {
      throw new ApiError(
        service === 'ec2' ? 'AuthFailure' : 'SignatureDoesNotMatch',
        `Credential should be scoped to a valid region, not '${scope.region}'. `,
        service === 'ec2' ? 401 : 403,
      );
    }
    if (scope.service !== service) {
      throw new ApiError(
        service === 'ec2' ? 'AuthFailure' : 'SignatureDoesNotMatch',
        `Credential should be scoped to correct service: '${service}'. `,
        service === 'ec2' ? 401 : 403,
      );
    }
    if (def == null) {
      throw new ApiError('InvalidAction', `The action ${action} is not valid for this web service.`, 400);
    }
    for (const name of params.names()) {
      const root = name.split('.')[0] as string;
      if (!def.params.includes(root))
        throw new ApiError('UnknownParameter', `The parameter ${root} is not recognized`);
    }
    if (identity != null && denies(identity.deny, service, action))
      throw unauthorized(state, service, action, caller, params);

    // ── Faults and throttling, decided on arrival ─────────────────────────────────────────
    const mutating = def.mutating;
    const latencyMs = latencyFor(rt.settings.latency, action, mutating);
    const fault: Readonly<FaultSpec> | undefined = rt.faults.take(action, caller.instanceId);
    if (fault?.hang === true) {
      record.outcome = 'hung';
      return; // the connection stays open until the client aborts or the emulator closes
    }
    if (fault?.code != null) {
      const err = new ApiError(
        fault.code,
        fault.message ?? DEFAULT_FAULT_MESSAGES[fault.code] ?? `Injected fault: ${fault.code}`,
        fault.status ?? statusOf(fault.code),
      );
      if (!(await wait(latencyMs))) return;
      fail(err);
      return;
    }
    const throttling = rt.settings.throttling;
    if (throttling.enabled) {
      if (service === 'ec2') {
        const filteredOrPaged = params
          .names()
          .some((n) => n.startsWith('Filter.') || n === 'MaxResults' || n === 'NextToken');
        const key = ec2BucketKey(action, filteredOrPaged);
        if (!rt.buckets.take(key, ec2LimitFor(key, mutating, throttling.limits))) {
          if (!(await wait(latencyMs))) return;
          fail(
            new ApiError('RequestLimitExceeded', DEFAULT_FAULT_MESSAGES.RequestLimitExceeded as string, 503),
          );
          return;
        }
      } else {
        const limit = throttling.limits?.[action];
        if (limit != null && !rt.buckets.take(`autoscaling:${action}`, limit)) {
          if (!(await wait(latencyMs))) return;
          fail(new ApiError('Throttling', 'Rate exceeded', 400));
          return;
        }
      }
    }
    if (!(await wait(latencyMs + (fault?.delayMs ?? 0)))) return;

    // ── Run: validation and mutation in one synchronous step (atomic) ─────────────────────
    let inner: string;
    if (service === 'ec2') {
      checkHidden(state, params);
      const dryRun = params.boolean('DryRun') === true;
      const ctx: Ec2ActionContext = {
        params,
        data: state.data,
        view: mutating ? state.data : state.visibleData(),
        now: clock.now(),
        caller,
        routeOptions: state.routeOptions,
        ids: state.ids,
        dryRunCheckpoint(stage) {
          // 'resources' is the last checkpoint of every action: DryRun always ends there.
          if (dryRun && (stage === rt.settings.dryRunCheck || stage === 'resources')) throw dryRunError();
        },
      };
      inner = (def as Ec2Action).run(ctx);
      // A describe without the resources checkpoint (none today) must still honour DryRun.
      if (dryRun) throw dryRunError();
    } else {
      inner = (def as AsAction).run({ params, state, caller, transitionMs: rt.settings.transitionMs });
    }
    if (mutating) state.commit();
    record.outcome = 'ok';
    record.status = 200;
    record.time = clock.now();
    const xml =
      service === 'ec2'
        ? `${XML_DECLARATION}<${action}Response xmlns="${EC2_NS}">${leaf('requestId', requestId)}${inner}</${action}Response>`
        : `${XML_DECLARATION}<${action}Response xmlns="${AS_NS}">${node(`${action}Result`, inner)}${node('ResponseMetadata', leaf('RequestId', requestId))}</${action}Response>`;
    send(res, 200, requestId, xml, service);
  } catch (err) {
    if (err instanceof ApiError) fail(err);
    else {
      // An emulator bug must look like an AWS 500, never a hung request.
      const message = err instanceof Error ? err.message : String(err);
      fail(
        new ApiError(
          service === 'ec2' ? 'InternalError' : 'InternalFailure',
          `An internal error has occurred (emulator: ${message})`,
          500,
        ),
      );
    }
  }
}

/**
 * The record of API calls. Every call is kept in a bounded ring (`calls`, for counting EC2 calls
 * per failover); every mutating call is also kept, unbounded, in the journal — the evidence the
 * lab's split-brain checks read.
 *
 * Timing model: a call is received at `receivedAt`; faults and token buckets are evaluated then;
 * the emulator waits the action's latency on its clock; at `time` it validates and applies the
 * mutation atomically and answers immediately. `time` is therefore the instant the write took
 * effect (for errors, the instant the error was decided). A client that disconnects during the
 * latency does not cancel the mutation, as on AWS; such entries carry `clientGone: true`.
 */

export type ApiService = 'ec2' | 'autoscaling';

export interface ApiCallRecord {
  /** 1, 2, 3, … in arrival order. */
  seq: number;
  service: ApiService;
  action: string;
  mutating: boolean;
  /** Clock ms when the request arrived. */
  receivedAt: number;
  /** Clock ms when the call took effect or failed; null while pending or when hung. */
  time: number | null;
  /** Instance whose role credentials signed the call (SigV4 access key), or null. */
  callerInstanceId: string | null;
  /** Declared principal name for non-instance credentials, or null. */
  principal: string | null;
  accessKeyId: string | null;
  /** Decoded request parameters without Action/Version. */
  params: Record<string, string>;
  /** `ok`, the error code answered, `hung` (never answered) or `pending`. */
  outcome: string;
  /** HTTP status answered, null if none. */
  status: number | null;
  requestId: string;
  /** The SDK's `amz-sdk-request` header (`attempt=2; max=3`), if sent. */
  sdkRequest?: string;
  /** The SDK's `amz-sdk-invocation-id` header (constant across retries), if sent. */
  invocationId?: string;
  /** True when the client closed the connection before the answer. */
  clientGone?: boolean;
}

/** A mutating call, as the journal reports it. */
export type Ec2JournalEntry = Readonly<ApiCallRecord>;

export class ApiJournal {
  private readonly ring: ApiCallRecord[] = [];
  private readonly mutations: ApiCallRecord[] = [];
  private seq = 0;

  constructor(private readonly callLimit: number) {}

  open(record: Omit<ApiCallRecord, 'seq' | 'outcome' | 'status' | 'time'>): ApiCallRecord {
    const rec: ApiCallRecord = { seq: ++this.seq, ...record, outcome: 'pending', status: null, time: null };
    this.ring.push(rec);
    if (this.ring.length > this.callLimit) this.ring.splice(0, this.ring.length - this.callLimit);
    if (rec.mutating) this.mutations.push(rec);
    return rec;
  }

  /** Mutating calls in arrival order (copies). */
  journal(sinceSeq = 0): ApiCallRecord[] {
    return this.mutations.filter((r) => r.seq > sinceSeq).map((r) => ({ ...r, params: { ...r.params } }));
  }

  /** Every call still in the ring (copies). */
  calls(sinceSeq = 0): ApiCallRecord[] {
    return this.ring.filter((r) => r.seq > sinceSeq).map((r) => ({ ...r, params: { ...r.params } }));
  }

  clear(): void {
    this.ring.length = 0;
    this.mutations.length = 0;
  }
}

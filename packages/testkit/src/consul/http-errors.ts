/**
 * The two kinds of failure Consul's HTTP layer turns into responses (spec §1.3):
 *
 * - {@link HttpError}: a handler-level error with its own status and plain-text reason
 *   (`400 Missing key name`, `404 Session id '…' not found`).
 * - {@link RpcError}: an error returned by an RPC to the servers. It becomes a 500 with its text, or
 *   a 403 when the text contains `Permission denied` or `ACL not found` (Consul matches substrings).
 *   A client agent adds `rpc error making call: ` in front (spec §7.2).
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(reason);
  }
}

export class RpcError extends Error {
  override readonly name: string = 'RpcError';
  /** Already carries any `rpc error making call: ` prefix it needs (partition errors do). */
  readonly prefixed: boolean;
  constructor(message: string, options: { prefixed?: boolean } = {}) {
    super(message);
    this.prefixed = options.prefixed ?? false;
  }
}

/** The status Consul's `wrap` gives an RPC error text. */
export function statusForRpcError(message: string): number {
  return message.includes('Permission denied') || message.includes('ACL not found') ? 403 : 500;
}

/**
 * An error raised while applying a raft entry (the FSM). The RPC endpoint that submitted the entry
 * decides the prefix: `raft apply failed: ` for KV, `apply failed: ` for sessions (spec §7.2).
 */
export class FsmError extends Error {
  override readonly name = 'FsmError';
}

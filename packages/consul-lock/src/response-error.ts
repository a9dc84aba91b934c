import { ConsulLockError, type ConsulLockErrorCode } from './errors';

const MAX_BODY = 1024;

interface Classification {
  code: ConsulLockErrorCode;
  retryable: boolean;
}

/**
 * Consul's error bodies change between versions and gain `rpc error making call: ` prefixes (once or
 * twice) when they pass through a client agent or a follower (§0 version caveat, §7.2, §11), so every
 * rule matches a substring, never the whole body. Order matters: the specific 500s come before the
 * generic `rpc error making call`.
 */
const SERVER_ERROR_RULES: readonly (readonly [RegExp, Classification])[] = [
  // §7.2/§7.3: leader loss and leader transitions. Always safe to retry.
  [/No cluster leader/i, { code: 'CONSUL_NO_LEADER', retryable: true }],
  [/leadership lost/i, { code: 'CONSUL_NO_LEADER', retryable: true }],
  [/node is not the leader/i, { code: 'CONSUL_NO_LEADER', retryable: true }],
  [/Not ready to serve consistent reads/i, { code: 'CONSUL_NO_LEADER', retryable: true }],
  [/No known Consul servers/i, { code: 'CONSUL_UNAVAILABLE', retryable: true }],
  // §3.3: the session named in ?acquire= is gone. Retrying the same request cannot succeed.
  // Case-sensitive and with the quote: `Invalid Session TTL` (§2.2 step 5) must not match.
  [/invalid session "/, { code: 'CONSUL_INVALID_SESSION', retryable: false }],
  [/missing session/i, { code: 'CONSUL_BAD_REQUEST', retryable: false }],
  // §2.2: a just-started client agent has not synced its node yet; it will.
  [/Missing node registration/i, { code: 'CONSUL_NODE_NOT_REGISTERED', retryable: true }],
  // §2.2 step 6: a listed check is missing or critical; it may become healthy.
  [/Missing check '.*' registration/i, { code: 'CONSUL_CHECK_UNHEALTHY', retryable: true }],
  [/is in critical state/i, { code: 'CONSUL_CHECK_UNHEALTHY', retryable: true }],
  // §2.2 steps 3-5: invalid input that Consul reports as a plain 500.
  [
    /Invalid Session TTL|Session TTL '.*' invalid|Invalid Behavior setting|Must provide Node/i,
    {
      code: 'CONSUL_BAD_REQUEST',
      retryable: false,
    },
  ],
  [/rpc error making call/i, { code: 'CONSUL_RPC_ERROR', retryable: true }],
];

function classify(status: number, body: string): Classification {
  if (status === 403) {
    // §7.1: the 403 decision itself is a substring match on these texts.
    return /ACL not found/i.test(body)
      ? { code: 'CONSUL_ACL_NOT_FOUND', retryable: false }
      : { code: 'CONSUL_PERMISSION_DENIED', retryable: false };
  }
  if (status === 404) return { code: 'CONSUL_NOT_FOUND', retryable: false };
  if (status === 429) return { code: 'CONSUL_RATE_LIMITED', retryable: true };
  if (status === 502 || status === 503 || status === 504)
    return { code: 'CONSUL_UNAVAILABLE', retryable: true };
  if (status >= 500) {
    for (const [pattern, classification] of SERVER_ERROR_RULES) {
      if (pattern.test(body)) return classification;
    }
    return { code: 'CONSUL_SERVER_ERROR', retryable: true };
  }
  return { code: 'CONSUL_BAD_REQUEST', retryable: false };
}

/** Maps a non-2xx Consul response to a typed error (§1.3, §7). */
export function errorFromResponse(status: number, body: string, what: string): ConsulLockError {
  const trimmed = body.trim().slice(0, MAX_BODY);
  const { code, retryable } = classify(status, trimmed);
  const detail = trimmed === '' ? '' : `: ${trimmed}`;
  const hint =
    code === 'CONSUL_PERMISSION_DENIED' || code === 'CONSUL_ACL_NOT_FOUND'
      ? ' (check the ACL token given as `token`)'
      : '';
  return new ConsulLockError(code, `${what} failed with HTTP ${status}${detail}${hint}`, {
    retryable,
    status,
    body: trimmed,
  });
}

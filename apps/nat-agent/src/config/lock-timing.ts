import type { AgentConfig } from './schema';

/** The session and election settings an agent uses, after `consul.lockProfile` and explicit overrides. */
export interface LockTiming {
  profile: AgentConfig['consul']['lockProfile'];
  lockDelayMs: number;
  sessionTtlMs: number;
  /** `true`: the session also lists the agent's liveness check, so it dies with the process (§2.9). */
  sessionOnLiveness: boolean;
  /** A fixed wait after a lock-delay refusal (api/lock.go's 5 s grid); `undefined`: lock-delay aware. */
  lockRetryMs: number | undefined;
}

const PROFILES = {
  // docs/safety.md: F 500 + W 800 < L 1 500; TTL = Consul's default session_ttl_min.
  'nat-ha': { lockDelayMs: 1_500, sessionTtlMs: 10_000, sessionOnLiveness: true, lockRetryMs: undefined },
  // consul-http-api.md §5.1/§5.7: DefaultLockSessionTTL 15 s, server lock-delay default 15 s, the
  // session created without checks (serfHealth only), DefaultLockRetryTime 5 s.
  'consul-defaults': {
    lockDelayMs: 15_000,
    sessionTtlMs: 15_000,
    sessionOnLiveness: false,
    lockRetryMs: 5_000,
  },
} as const satisfies Record<AgentConfig['consul']['lockProfile'], Omit<LockTiming, 'profile'>>;

export function resolveLockTiming(consul: AgentConfig['consul']): LockTiming {
  const base = PROFILES[consul.lockProfile];
  return {
    profile: consul.lockProfile,
    lockDelayMs: consul.lockDelayMs ?? base.lockDelayMs,
    sessionTtlMs: consul.sessionTtlMs ?? base.sessionTtlMs,
    sessionOnLiveness: base.sessionOnLiveness,
    lockRetryMs: base.lockRetryMs,
  };
}

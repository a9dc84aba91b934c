import { describe, expect, it } from 'vitest';
import { resolveLockTiming } from './lock-timing';
import { configSchema } from './schema';

const parse = (consul: Record<string, unknown>) =>
  configSchema.parse({ consul, groups: [{ name: 'g', routeTables: { ids: ['rtb-0123456789abcdef0'] } }] })
    .consul;

describe('resolveLockTiming', () => {
  it('defaults to the fenced nat-ha timings of docs/safety.md', () => {
    expect(resolveLockTiming(parse({}))).toEqual({
      profile: 'nat-ha',
      lockDelayMs: 1_500,
      sessionTtlMs: 10_000,
      sessionOnLiveness: true,
      lockRetryMs: undefined,
    });
  });

  it('consul-defaults reproduces api/lock.go: TTL 15 s, lock-delay 15 s, serfHealth only, 5 s retry (§5.1, §5.7)', () => {
    expect(resolveLockTiming(parse({ lockProfile: 'consul-defaults' }))).toEqual({
      profile: 'consul-defaults',
      lockDelayMs: 15_000,
      sessionTtlMs: 15_000,
      sessionOnLiveness: false,
      lockRetryMs: 5_000,
    });
  });

  it('explicit lockDelayMs and sessionTtlMs win over the profile', () => {
    const t = resolveLockTiming(
      parse({ lockProfile: 'consul-defaults', lockDelayMs: 3_000, sessionTtlMs: 20_000 }),
    );
    expect([t.lockDelayMs, t.sessionTtlMs]).toEqual([3_000, 20_000]);
  });

  it('rejects a session TTL below Consul’s session_ttl_min and an unknown profile, naming them', () => {
    const r = configSchema.safeParse({
      consul: { sessionTtlMs: 5_000, lockProfile: 'fast' },
      groups: [{ name: 'g', routeTables: { ids: ['rtb-0123456789abcdef0'] } }],
    });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['consul.sessionTtlMs', 'consul.lockProfile']));
  });
});

/** Rules 79–80 (spec §10 "`api/lock.go` compatibility"), driven by a port of the Go client's lock. */
import { expect } from 'vitest';
import { createGoLock, ErrLockConflict, LOCK_FLAG_VALUE } from './go-lock';
import { rawUint } from './harness';
import { rule, type RuleContext } from './rule-context';

export function goLockRules(ctx: RuleContext): void {
  const sleeper = (): ((ms: number, signal: AbortSignal) => Promise<void>) =>
    ctx.driver.capabilities.virtualTime
      ? (ms, signal) => ctx.controls().clock.sleep(ms, signal)
      : (ms, signal) =>
          new Promise<void>((resolve, reject) => {
            const t = setTimeout(resolve, ms);
            signal.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason as Error)), {
              once: true,
            });
          });

  const retryWait = (ms: number): Promise<void> =>
    ctx.driver.capabilities.virtualTime
      ? ctx.controls().clock.advance(ms)
      : new Promise<void>((resolve) => setTimeout(resolve, ms));

  rule(
    ctx,
    79,
    'Flags round-trip as exact uint64, so Lock() on a foreign key reports ErrLockConflict',
    async () => {
      const h = ctx.h();
      for (const flags of [LOCK_FLAG_VALUE, '18446744073709551615', '9007199254740993']) {
        const k = h.key(`flags-${flags}`);
        await h.put(`/v1/kv/${k}?flags=${flags}`, 'v');
        expect(rawUint((await h.get(`/v1/kv/${k}`)).text, 'Flags')).toBe(flags);
      }
      // One above LockFlagValue: equal as float64, different as uint64.
      const foreign = h.key('foreign');
      await h.put(`/v1/kv/${foreign}?flags=3304740253564472345`, 'not a lock');
      const conflicting = createGoLock(h, {
        key: foreign,
        sessionOpts: { NodeChecks: [] },
        sleep: sleeper(),
        retryWait,
      });
      await expect(conflicting.lock(new AbortController().signal)).rejects.toBeInstanceOf(ErrLockConflict);
      // A key already marked with LockFlagValue and no holder can be locked.
      const ours = h.key(`flags-${LOCK_FLAG_VALUE}`);
      const lock = createGoLock(h, {
        key: ours,
        sessionOpts: { NodeChecks: [] },
        sleep: sleeper(),
        retryWait,
      });
      const leader = await lock.lock(new AbortController().signal);
      expect(leader?.aborted).toBe(false);
      await lock.unlock();
    },
  );

  rule(
    ctx,
    80,
    'three Go-client contenders with delete-behavior sessions all acquire, one at a time, within 15 s',
    async () => {
      const h = ctx.h();
      const key = h.key('contend');
      let holding = 0;
      let maxHolding = 0;
      const acquiredAt: number[] = [];
      const started = h.t.now();
      const contender = async (): Promise<void> => {
        const lock = createGoLock(h, {
          key,
          sessionOpts: { Name: 'Consul API Lock', Behavior: 'delete', TTL: '15s', Checks: [] },
          sleep: sleeper(),
          retryWait,
        });
        const leader = await lock.lock(new AbortController().signal);
        expect(leader).not.toBeNull();
        holding++;
        maxHolding = Math.max(maxHolding, holding);
        acquiredAt.push(h.t.now() - started);
        await new Promise((r) => setTimeout(r, 20));
        holding--;
        await lock.unlock();
      };
      await Promise.all([contender(), contender(), contender()]);
      expect(acquiredAt).toHaveLength(3);
      expect(maxHolding).toBe(1);
      expect(Math.max(...acquiredAt)).toBeLessThan(15_000);
    },
  );
}

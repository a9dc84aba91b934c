/**
 * The leader's session TTL timers (Consul's `session_ttl.go`, spec §2.6): each TTL session is
 * destroyed `SessionTTLMultiplier (2) × TTL` after its last create, renew or leader change. Timers
 * live only on the leader: they are all cleared when leadership is lost and recreated at a full
 * 2×TTL when it returns (rule 68).
 */
import type { TestClock, TimerHandle } from '../clock';

export const SESSION_TTL_MULTIPLIER = 2;

export class SessionTimers {
  private readonly timers = new Map<string, TimerHandle>();

  constructor(
    private readonly clock: TestClock,
    private readonly onExpire: (id: string) => void,
  ) {}

  /** `ResetOrCreate(id, ttl*2)`. A zero TTL creates no timer. */
  reset(id: string, ttlMs: number): void {
    this.clear(id);
    if (!(ttlMs > 0)) return;
    this.timers.set(
      id,
      this.clock.setTimer(() => {
        this.timers.delete(id);
        this.onExpire(id);
      }, ttlMs * SESSION_TTL_MULTIPLIER),
    );
  }

  clear(id: string): void {
    const t = this.timers.get(id);
    if (t != null) this.clock.clearTimer(t);
    this.timers.delete(id);
  }

  clearAll(): void {
    for (const t of this.timers.values()) this.clock.clearTimer(t);
    this.timers.clear();
  }

  get size(): number {
    return this.timers.size;
  }
}

/**
 * IMDSv2 session tokens (rules 38, 41): opaque, any number valid at once, each expiring exactly
 * `ttl` seconds after issue on the emulator clock.
 */
import { randomBytes } from 'node:crypto';

export const MAX_TOKEN_TTL_SECONDS = 21_600;

export class ImdsTokens {
  private readonly expiry = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  issue(ttlSeconds: number): string {
    this.prune();
    // Real tokens are long opaque base64; clients must never parse them.
    const token = `AQAEA${randomBytes(48).toString('base64')}`;
    this.expiry.set(token, this.now() + ttlSeconds * 1000);
    return token;
  }

  isValid(token: string): boolean {
    const until = this.expiry.get(token);
    return until != null && this.now() < until;
  }

  /** Forgets every token (IMDS restarted / disabled and re-enabled). */
  clear(): void {
    this.expiry.clear();
  }

  private prune(): void {
    const t = this.now();
    for (const [token, until] of this.expiry) if (until <= t) this.expiry.delete(token);
  }
}

/** Parses the TTL request header; undefined when missing, non-integer or out of 1…21600 (400). */
export function parseTtlHeader(value: string | string[] | undefined): number | undefined {
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value.trim())) return undefined;
  const ttl = Number(value.trim());
  return ttl >= 1 && ttl <= MAX_TOKEN_TTL_SECONDS ? ttl : undefined;
}

import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../clock';
import { ImdsTokens, parseTtlHeader } from './imds-tokens';

describe('IMDS tokens', () => {
  it('rule 41: a token expires exactly TTL seconds after issue; many tokens are valid at once', async () => {
    const clock = createVirtualClock();
    const tokens = new ImdsTokens(() => clock.now());
    const a = tokens.issue(10);
    await clock.advance(4_000);
    const b = tokens.issue(10);
    expect(tokens.isValid(a) && tokens.isValid(b)).toBe(true);
    await clock.advance(5_999);
    expect(tokens.isValid(a)).toBe(true);
    await clock.advance(1);
    expect(tokens.isValid(a)).toBe(false);
    expect(tokens.isValid(b)).toBe(true);
    expect(tokens.isValid('forged')).toBe(false);
  });

  it('rule 38: TTL header must be an integer 1…21600', () => {
    expect(parseTtlHeader('21600')).toBe(21600);
    expect(parseTtlHeader('1')).toBe(1);
    for (const bad of [undefined, '', '0', '21601', '-5', '1.5', 'abc', ['1', '2']])
      expect(parseTtlHeader(bad)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { computeOutage, type ProbeReply } from './outage';

function stream(from: number, count: number, missing: (seq: number) => boolean): ProbeReply[] {
  const out: ProbeReply[] = [];
  for (let seq = 0; seq < count; seq++) {
    if (missing(seq)) continue;
    out.push({ seq, sentAt: from + seq * 10, receivedAt: from + seq * 10 + 1 });
  }
  return out;
}

describe('computeOutage', () => {
  it('is zero without loss', () => {
    expect(
      computeOutage(
        stream(0, 500, () => false),
        { from: 0, to: 4_990 },
        10,
      ),
    ).toEqual({
      outageMs: 0,
      from: null,
      sent: 500,
      lost: 0,
    });
  });

  it('measures the longest gap: 250 lost datagrams at 10 ms = 2.5 s', () => {
    const o = computeOutage(
      stream(0, 1_000, (s) => s >= 300 && s < 550),
      { from: 0, to: 9_990 },
      10,
    );
    expect(o.outageMs).toBe(2_500);
    expect(o.from).toBe(2_990);
    expect(o.lost).toBe(250);
  });

  it('takes the longest of several gaps', () => {
    const o = computeOutage(
      stream(0, 1_000, (s) => (s >= 100 && s < 110) || (s >= 500 && s < 600)),
      { from: 0, to: 9_990 },
      10,
    );
    expect(o.outageMs).toBe(1_000);
    expect(o.lost).toBe(110);
  });

  it('counts silence at the start of the window', () => {
    const o = computeOutage(
      stream(0, 1_000, (s) => s < 200),
      { from: 0, to: 9_990 },
      10,
    );
    expect(o.outageMs).toBe(1_990);
  });

  it('reports the whole window when nothing got through', () => {
    expect(computeOutage([], { from: 1_000, to: 3_000 }, 10)).toEqual({
      outageMs: 2_000,
      from: 1_000,
      sent: 200,
      lost: 200,
    });
  });
});

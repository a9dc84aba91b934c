/**
 * The dataplane outage, from the probe stream: the private host sends one UDP datagram every
 * `intervalMs` through whichever NAT the VPC routes it to; the Internet host echoes it. The outage of
 * a failover is the longest gap between two answered datagrams sent in the window, minus one
 * interval (no loss → 0 ms), so it is the real time during which nothing got through.
 */
export interface ProbeReply {
  seq: number;
  sentAt: number;
  receivedAt: number;
}

export interface Outage {
  /** Longest stretch without an answered datagram. */
  outageMs: number;
  /** When it started (send time of the last answered datagram before it), if there was one. */
  from: number | null;
  sent: number;
  lost: number;
}

export function computeOutage(
  replies: readonly ProbeReply[],
  window: { from: number; to: number },
  intervalMs: number,
): Outage {
  const inWindow = replies
    .filter((r) => r.sentAt >= window.from && r.sentAt <= window.to)
    .sort((a, b) => a.seq - b.seq);
  if (inWindow.length === 0) {
    const sent = Math.max(0, Math.floor((window.to - window.from) / intervalMs));
    return { outageMs: window.to - window.from, from: window.from, sent, lost: sent };
  }
  let outageMs = 0;
  let from: number | null = null;
  // The window's edges count too: silence from its start to the first answer is outage.
  const first = inWindow[0] as ProbeReply;
  const last = inWindow.at(-1) as ProbeReply;
  const lead = first.sentAt - window.from - intervalMs;
  if (lead > outageMs) {
    outageMs = lead;
    from = window.from;
  }
  for (let i = 1; i < inWindow.length; i++) {
    const a = inWindow[i - 1] as ProbeReply;
    const b = inWindow[i] as ProbeReply;
    if (b.seq - a.seq <= 1) continue;
    const gap = b.sentAt - a.sentAt - intervalMs;
    if (gap > outageMs) {
      outageMs = gap;
      from = a.sentAt;
    }
  }
  const sent = last.seq - first.seq + 1;
  return { outageMs: Math.max(0, Math.round(outageMs)), from, sent, lost: sent - inWindow.length };
}

import { describe, expect, it } from 'vitest';
import type { LabSnapshot } from '../lab/snapshot';
import type { TimelineEntry } from '../lab/timeline';
import { clockTime, formatMs, renderLine, renderScreen, sinceFault } from './render';

const T0 = 1_700_000_000_000;

const snapshot: LabSnapshot = {
  at: T0 + 65_000,
  consulLeader: true,
  ec2Faults: 0,
  groups: [
    {
      name: 'vpc',
      key: 'nat-ha/groups/vpc/leader',
      holder: { instanceId: 'i-b', session: 's', since: T0 + 31_204, lockIndex: 2 },
      converged: false,
      tables: [
        {
          routeTableId: 'rtb-1',
          name: 'private-us-east-1a',
          target: 'eni-b',
          targetInstance: 'i-b',
          state: 'active',
        },
        {
          routeTableId: 'rtb-2',
          name: 'private-us-east-1b',
          target: 'eni-a',
          targetInstance: 'i-a',
          state: 'blackhole',
        },
      ],
      eip: { allocationId: 'eipalloc-1', publicIp: '198.51.100.10', instanceId: 'i-b' },
    },
  ],
  agents: [
    {
      instanceId: 'i-a',
      name: 'nat-a',
      az: 'us-east-1a',
      eni: 'eni-a',
      process: 'exited',
      pid: undefined,
      generation: 1,
      lastExit: { generation: 1, pid: 10, at: T0 + 30_000, code: null, signal: 'SIGKILL' },
      internetUp: true,
      instanceState: 'running',
      consul: { process: 'running', member: 'alive', partitioned: false },
      status: null,
      statusError: 'exited',
      sessionLive: false,
    },
    {
      instanceId: 'i-b',
      name: 'nat-b',
      az: 'us-east-1b',
      eni: 'eni-b',
      process: 'running',
      pid: 4242,
      generation: 1,
      internetUp: true,
      instanceState: 'running',
      consul: { process: 'running', member: 'alive', partitioned: false },
      status: {
        health: 'healthy',
        reported: 'healthy',
        ready: true,
        readyReasons: [],
        draining: false,
        session: 's-b',
        groups: [{ name: 'vpc', state: 'leader.serving', leader: true, role: 'primary' }],
      },
      sessionLive: true,
    },
  ],
};

const timeline: TimelineEntry[] = [
  { at: T0 + 30_000, source: 'lab', level: 'fault', instanceId: 'i-a', text: "kill -9 nat-a's agent" },
  {
    at: T0 + 30_702,
    source: 'consul',
    level: 'warn',
    text: "vpc lock freed: nat-a's session invalidated; lock-delay 1500 ms",
  },
  { at: T0 + 31_204, source: 'consul', level: 'info', text: 'nat-b acquires the vpc lock (lock index 2)' },
  { at: T0 + 31_210, source: 'consul', level: 'detail', text: 'nat-b destroys its session' },
  {
    at: T0 + 31_460,
    source: 'ec2',
    level: 'info',
    text: 'nat-b ReplaceRoute private-us-east-1a → nat-b (eni-b) [150 ms]',
  },
];

describe('time formatting', () => {
  it('clockTime is mm:ss.mmm since the origin', () => {
    expect(clockTime(T0 + 61_005, T0)).toBe('01:01.005');
    expect(clockTime(T0 - 5, T0)).toBe('00:00.000');
  });

  it('sinceFault measures from the last fault at or before the entry', () => {
    expect(sinceFault(T0 + 31_460, timeline)).toBe('+1.460s');
    expect(sinceFault(T0 + 1, timeline)).toBe('');
  });

  it('formatMs switches to seconds above ten seconds', () => {
    expect(formatMs(2412)).toBe('2,412 ms');
    expect(formatMs(15_234)).toBe('15.2 s');
    expect(formatMs(null)).toBe('—');
  });
});

describe('renderLine (plain mode)', () => {
  it('shows clock time, time since the fault, the source and the text', () => {
    expect(renderLine(timeline[2]!, T0, timeline)).toBe(
      '00:31.204   +1.204s consul · nat-b acquires the vpc lock (lock index 2)',
    );
  });
});

describe('renderScreen (TTY mode)', () => {
  const model = {
    title: 'nat-ha lab',
    startedAt: T0,
    now: T0 + 65_000,
    snapshot,
    timeline,
    failovers: [
      {
        scenario: 'crash',
        from: 'nat-a',
        to: 'nat-b',
        failoverMs: 2412,
        lockFreedMs: 702,
        acquiredMs: 1204,
        ok: true,
      },
    ],
    status: 'step 1/4: kill -9 the leader',
    keys: 'keys: k kill -9 · q quit',
  };

  it('shows the leader, every route with its target and state, the EIP, each agent, failovers and the timeline', () => {
    const text = renderScreen(model, { width: 120, height: 40, color: false });
    expect(text).toContain('step 1/4: kill -9 the leader');
    expect(text).toMatch(/vpc\s+nat-b\s+00:31\.204\s+private-us-east-1a\s+→ nat-b\s+✓/);
    expect(text).toMatch(/private-us-east-1b\s+→ nat-a\s+blackhole/);
    expect(text).toMatch(/EIP 198\.51\.100\.10\s+→ nat-b/);
    expect(text).toMatch(/nat-a\s+us-east-1a\s+exited SIGKILL/);
    expect(text).toMatch(/nat-b\s+us-east-1b\s+running 4242\s+up\s+healthy\s+alive\s+vpc:leader\.serving ★/);
    expect(text).toMatch(/crash\s+nat-a → nat-b\s+2,412 ms/);
    expect(text).toContain("kill -9 nat-a's agent");
    expect(text).toContain('keys: k kill -9 · q quit');
    // Detail entries are hidden unless verbose.
    expect(text).not.toContain('destroys its session');
    expect(renderScreen({ ...model, verbose: true }, { width: 120, height: 40, color: false })).toContain(
      'destroys its session',
    );
  });

  it('never writes a line wider than the terminal, and fits the height', () => {
    const text = renderScreen(model, { width: 70, height: 30, color: false });
    for (const line of text.split('\n')) expect([...line].length).toBeLessThanOrEqual(70);
    expect(text.split('\n').length).toBeLessThanOrEqual(30);
  });

  it('keeps only the newest timeline entries that fit', () => {
    const many = Array.from({ length: 200 }, (_, i) => ({
      at: T0 + i,
      source: 'agent' as const,
      level: 'info' as const,
      text: `event ${i}`,
    }));
    const text = renderScreen({ ...model, timeline: many }, { width: 100, height: 35, color: false });
    expect(text).toContain('event 199');
    expect(text).not.toContain('event 0\n');
  });

  it('wraps the keys line at its separators instead of cutting it', () => {
    const keys =
      'keys: k kill -9 · t SIGTERM · h path down/up · p partition/heal · z pause/continue · q quit';
    const text = renderScreen({ ...model, keys }, { width: 60, height: 40, color: false });
    expect(text).toContain('keys: k kill -9 · t SIGTERM · h path down/up');
    expect(text).toContain('q quit');
    for (const line of text.split('\n').slice(-2)) expect(line.endsWith('…')).toBe(false);
  });

  it('colours only when asked', () => {
    expect(renderScreen(model, { width: 100, height: 40, color: false })).not.toContain('\x1b[');
    expect(renderScreen(model, { width: 100, height: 40, color: true })).toContain('\x1b[31m');
  });

  it('says starting before the first snapshot', () => {
    expect(renderScreen({ ...model, snapshot: null }, { width: 100, height: 20, color: false })).toContain(
      'starting…',
    );
  });
});

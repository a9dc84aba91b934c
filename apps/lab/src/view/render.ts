/**
 * Pure rendering of the lab: the full-screen TTY view (groups, leaders, route targets, agents,
 * failovers, timeline, keys) and the plain one-line-per-event log for pipes and CI. No I/O here, so
 * both are tested as strings.
 */
import type { LabSnapshot } from '../lab/snapshot';
import type { TimelineEntry, TimelineLevel } from '../lab/timeline';

export interface FailoverSummary {
  scenario: string;
  from: string;
  to: string | null;
  failoverMs: number | null;
  lockFreedMs: number | null;
  acquiredMs: number | null;
  ok: boolean;
}

export interface ViewModel {
  title: string;
  /** Clock time the lab started: timeline times are relative to it. */
  startedAt: number;
  now: number;
  snapshot: LabSnapshot | null;
  timeline: readonly TimelineEntry[];
  failovers: readonly FailoverSummary[];
  /** One line under the title: what the guided demo is doing, or a key's effect. */
  status?: string;
  /** Instance the keys act on (null: the leader of the first group). */
  selected?: string | null;
  keys?: string;
  /** Show `detail` timeline entries. */
  verbose?: boolean;
}

export interface RenderOptions {
  width: number;
  height: number;
  color: boolean;
}

const ANSI = {
  reset: '\x1b[0m',
  bold: '\x1b[1m',
  dim: '\x1b[2m',
  red: '\x1b[31m',
  green: '\x1b[32m',
  yellow: '\x1b[33m',
  cyan: '\x1b[36m',
  magenta: '\x1b[35m',
} as const;

type Paint = (style: keyof typeof ANSI, text: string) => string;

function painter(color: boolean): Paint {
  return color ? (style, text) => `${ANSI[style]}${text}${ANSI.reset}` : (_style, text) => text;
}

/** `mm:ss.mmm` since `origin` (hours roll into minutes). */
export function clockTime(at: number, origin: number): string {
  const t = Math.max(0, at - origin);
  const m = Math.floor(t / 60_000);
  const s = Math.floor((t % 60_000) / 1000);
  const msPart = t % 1000;
  return `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(msPart).padStart(3, '0')}`;
}

/** `+2.345s` since the last fault before `at`, or blank. */
export function sinceFault(at: number, entries: readonly TimelineEntry[]): string {
  let fault: number | undefined;
  for (const e of entries) {
    if (e.at > at) break;
    if (e.level === 'fault') fault = e.at;
  }
  return fault == null ? '' : `+${((at - fault) / 1000).toFixed(3)}s`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms == null) return '—';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms).toLocaleString('en-US')} ms`;
}

const LEVEL_STYLE: Record<TimelineLevel, keyof typeof ANSI | null> = {
  fault: 'red',
  heal: 'cyan',
  result: 'green',
  info: null,
  warn: 'yellow',
  detail: 'dim',
  note: 'bold',
};

const LEVEL_MARK: Record<TimelineLevel, string> = {
  fault: '⚡',
  heal: '↺',
  result: '✓',
  info: '·',
  warn: '!',
  detail: ' ',
  note: ' ',
};

/** One plain line per timeline entry: `mm:ss.mmm  +Δs  source  text`. */
export function renderLine(entry: TimelineEntry, origin: number, entries: readonly TimelineEntry[]): string {
  const delta = sinceFault(entry.at, entries);
  return `${clockTime(entry.at, origin)} ${delta.padStart(9)} ${entry.source.padEnd(6)} ${LEVEL_MARK[entry.level]} ${entry.text}`;
}

function fit(text: string, width: number): string {
  // Width is counted in code points: good enough for the box-free layout used here.
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/** Splits at ' · ' separators (the keys line) so each line fits the width. */
function wrap(text: string, width: number): string[] {
  const parts = text.split(' · ');
  const out: string[] = [];
  let line = '';
  for (const p of parts) {
    const next = line === '' ? p : `${line} · ${p}`;
    if ([...next].length > width && line !== '') {
      out.push(line);
      line = p;
    } else line = next;
  }
  if (line !== '') out.push(line);
  return out.map((l) => fit(l, width));
}

function pad(text: string, width: number): string {
  const n = [...text].length;
  return n >= width ? fit(text, width) : text + ' '.repeat(width - n);
}

export function renderScreen(model: ViewModel, options: RenderOptions): string {
  const paint = painter(options.color);
  const w = Math.max(60, options.width);
  const lines: string[] = [];
  const push = (text = '', style?: keyof typeof ANSI) =>
    lines.push(style == null ? fit(text, w) : paint(style, fit(text, w)));
  const snap = model.snapshot;
  const name = (id: string | null | undefined) =>
    snap?.agents.find((a) => a.instanceId === id)?.name ?? id ?? '—';

  push(`${model.title}   up ${clockTime(model.now, model.startedAt).slice(0, 5)}`, 'bold');
  if (model.status != null) push(model.status, 'cyan');
  push();

  if (snap == null) {
    push('starting…');
  } else {
    push(`${pad('GROUP', 8)}${pad('LEADER', 10)}${pad('LOCK SINCE', 12)}ROUTES (0.0.0.0/0)`, 'bold');
    for (const g of snap.groups) {
      const leader = g.holder == null ? 'none' : name(g.holder.instanceId);
      const since = g.holder == null ? '' : clockTime(g.holder.since, model.startedAt);
      g.tables.forEach((t, i) => {
        const target = t.targetInstance != null ? name(t.targetInstance) : (t.target ?? '∅');
        const ok = t.state === 'active' && g.holder != null && t.targetInstance === g.holder.instanceId;
        const mark = ok ? '✓' : t.state === 'active' ? '… not on the leader' : t.state;
        const head = i === 0 ? `${pad(g.name, 8)}${pad(leader, 10)}${pad(since, 12)}` : ' '.repeat(30);
        push(`${head}${pad(t.name, 22)} → ${pad(target, 8)} ${mark}`, ok ? undefined : 'yellow');
      });
      if (g.eip != null)
        push(`${' '.repeat(30)}${pad(`EIP ${g.eip.publicIp}`, 22)} → ${name(g.eip.instanceId)}`);
    }
    push();
    push(
      `${pad('INSTANCE', 10)}${pad('AZ', 12)}${pad('AGENT', 20)}${pad('PATH', 6)}${pad('HEALTH', 11)}${pad('CONSUL', 13)}GROUP STATE`,
      'bold',
    );
    for (const a of snap.agents) {
      const agent =
        a.process === 'running'
          ? `running ${String(a.pid ?? '')}`
          : a.process === 'exited' && a.lastExit != null
            ? `exited ${a.lastExit.signal ?? `code ${String(a.lastExit.code)}`}`
            : a.process;
      const health =
        a.status == null
          ? (a.statusError ?? '—')
          : a.status.draining
            ? 'draining'
            : a.status.ready
              ? a.status.health
              : `not ready`;
      const consul =
        a.consul == null
          ? '?'
          : a.consul.partitioned
            ? 'partitioned'
            : a.consul.process !== 'running'
              ? 'down'
              : a.consul.member;
      const groups = (a.status?.groups ?? [])
        .map((g) => `${g.name}:${g.state}${g.leader ? ' ★' : ''}`)
        .join(' ');
      const selected = model.selected === a.instanceId ? '▸' : ' ';
      const row =
        `${selected}${pad(a.name, 9)}${pad(a.az, 12)}${pad(agent, 20)}${pad(a.internetUp ? 'up' : 'down', 6)}` +
        `${pad(health, 11)}${pad(consul, 13)}${groups}`;
      const bad = a.process !== 'running' || !a.internetUp || consul !== 'alive';
      push(row, bad ? 'red' : health === 'healthy' ? undefined : 'yellow');
    }
    const flags = [
      snap.consulLeader ? null : 'Consul has no leader',
      snap.ec2Faults > 0 ? `${snap.ec2Faults} EC2 fault(s) active` : null,
    ].filter((x) => x != null);
    if (flags.length > 0) push(flags.join('   '), 'red');
  }

  if (model.failovers.length > 0) {
    push();
    push('MEASURED FAILOVERS (fault → every route on the new leader, from the EC2 journal)', 'bold');
    for (const f of model.failovers.slice(-4)) {
      const text = `${pad(f.scenario, 10)}${pad(`${f.from} → ${f.to ?? '?'}`, 18)}${pad(formatMs(f.failoverMs), 10)}(lock freed ${formatMs(f.lockFreedMs)}, acquired ${formatMs(f.acquiredMs)})`;
      push(text, f.ok ? 'green' : 'red');
    }
  }

  push();
  push(`TIMELINE${' '.repeat(Math.max(1, w - 40))}since last fault`, 'bold');
  const shown = model.timeline.filter((e) => model.verbose === true || e.level !== 'detail');
  const keyLines = model.keys == null ? [] : wrap(model.keys, w);
  const footer = keyLines.length === 0 ? 0 : keyLines.length + 1;
  const room = Math.max(3, options.height - lines.length - footer - 1);
  for (const e of shown.slice(-room)) {
    const style = LEVEL_STYLE[e.level];
    const line = fit(renderLine(e, model.startedAt, model.timeline), w);
    lines.push(style == null ? line : paint(style, line));
  }
  if (keyLines.length > 0) {
    while (lines.length < options.height - footer) lines.push('');
    push();
    for (const k of keyLines) push(k, 'dim');
  }
  return lines.join('\n');
}

/**
 * Puts the lab on a terminal. TTY mode redraws a full screen (alternate buffer, hidden cursor) a few
 * times a second from `lab.observe()` and the timeline; plain mode (pipes, CI, `--plain`) prints one
 * line per timeline entry, in clock order (entries are held back a moment so that the journals,
 * polled every 100 ms, interleave correctly with the agents' own lines), plus status lines.
 */
import type { Lab } from '../lab/lab';
import type { LabSnapshot } from '../lab/snapshot';
import type { TimelineEntry } from '../lab/timeline';
import type { TimelineFeed } from '../lab/timeline-feed';
import { renderLine, renderScreen, type FailoverSummary } from './render';

export interface LiveViewOptions {
  mode: 'tty' | 'plain';
  lab: Lab;
  feed: TimelineFeed;
  title: string;
  write: (text: string) => void;
  /** Terminal size (TTY mode). */
  size?: () => { columns: number; rows: number };
  color?: boolean;
  verbose?: boolean;
  keys?: string;
  /** Redraw period (TTY). Default 250 ms. */
  refreshMs?: number;
}

export interface LiveView {
  setStatus(text: string): void;
  addFailover(summary: FailoverSummary): void;
  setSelected(instanceId: string | null): void;
  setVerbose(verbose: boolean): void;
  /** Plain mode: a line of its own; TTY: the status line. */
  note(text: string): void;
  readonly snapshot: LabSnapshot | null;
  stop(): Promise<void>;
}

const HOLD_BACK_MS = 300;

export function startLiveView(options: LiveViewOptions): LiveView {
  const { lab, feed } = options;
  const failovers: FailoverSummary[] = [];
  let status: string | undefined;
  let selected: string | null = null;
  let snapshot: LabSnapshot | null = null;
  let stopped = false;
  let observing = false;
  let verbose = options.verbose ?? false;

  const refresh = async (): Promise<void> => {
    if (observing || stopped) return;
    observing = true;
    try {
      snapshot = await lab.observe();
    } catch {
      // The lab is closing; keep the last snapshot.
    } finally {
      observing = false;
    }
  };

  if (options.mode === 'tty') {
    const draw = (): void => {
      const size = options.size?.() ?? { columns: 100, rows: 40 };
      const screen = renderScreen(
        {
          title: options.title,
          startedAt: lab.startedAt,
          now: Date.now(),
          snapshot,
          timeline: feed.timeline.entries,
          failovers,
          ...(status == null ? {} : { status }),
          selected,
          ...(options.keys == null ? {} : { keys: options.keys }),
          verbose,
        },
        { width: size.columns, height: size.rows, color: options.color ?? true },
      );
      options.write(`\x1b[H${screen.split('\n').join('\x1b[K\n')}\x1b[K\x1b[J`);
    };
    options.write('\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J');
    const timer = setInterval(() => {
      void refresh().then(() => {
        if (!stopped) draw();
      });
    }, options.refreshMs ?? 250);
    return {
      setStatus: (t) => (status = t),
      addFailover: (f) => failovers.push(f),
      setSelected: (id) => (selected = id),
      setVerbose: (v) => (verbose = v),
      note(t) {
        // Multi-line results go into the timeline, where there is room for them.
        for (const line of t.split('\n'))
          feed.timeline.add({ at: Date.now(), source: 'lab', level: 'note', text: line });
      },
      get snapshot() {
        return snapshot;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        clearInterval(timer);
        options.write('\x1b[?25h\x1b[?1049l');
      },
    };
  }

  // Plain mode.
  const pending: TimelineEntry[] = [];
  const off = feed.timeline.onEntry((e) => {
    if (verbose || e.level !== 'detail') pending.push(e);
  });
  const flush = (all: boolean): void => {
    const cutoff = all ? Number.POSITIVE_INFINITY : Date.now() - HOLD_BACK_MS;
    pending.sort((a, b) => a.at - b.at);
    while (pending.length > 0 && (pending[0] as TimelineEntry).at <= cutoff) {
      const e = pending.shift() as TimelineEntry;
      options.write(`${renderLine(e, lab.startedAt, feed.timeline.entries)}\n`);
    }
  };
  const timer = setInterval(() => flush(false), 100);
  const snapTimer = setInterval(() => void refresh(), 1_000);
  void refresh();
  return {
    setStatus(t) {
      if (t === status) return;
      status = t;
      flush(true);
      options.write(`== ${t}\n`);
    },
    addFailover(f) {
      failovers.push(f);
    },
    setSelected: (id) => (selected = id),
    setVerbose: (v) => (verbose = v),
    note(t) {
      flush(true);
      options.write(`${t}\n`);
    },
    get snapshot() {
      return snapshot;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      clearInterval(snapTimer);
      off();
      flush(true);
    },
  };
}

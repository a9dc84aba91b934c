/**
 * Interactive keys (only when stdin is a TTY): inject faults by hand into the selected instance (the
 * leader of the first group unless a digit picked one) and watch the view. A fault on the leader is
 * measured in the background like a scenario: fault → every route on the new leader's ENI.
 */
import { describeError } from '../errors';
import type { Lab } from '../lab/lab';
import { measureFailover } from '../measure/failover';
import { sleep } from '../util/wait';
import type { LiveView } from '../view/live-view';
import type { LabGroup } from '../world/topology';

export const KEYS_HELP =
  'keys: k kill -9 · t SIGTERM · h path down/up · p partition/heal · z pause/continue · n node down/up · s spot · ' +
  'l Consul leader loss/back · e EC2 throttle 5 s · r repair all · 1-9 pick instance, 0 leader · v verbose · q quit';

export interface KeyAction {
  key: string;
  description: string;
}

export const KEY_ACTIONS: readonly KeyAction[] = [
  { key: 'k', description: "kill -9 the selected instance's agent (the lab restarts nothing: press r)" },
  { key: 't', description: 'SIGTERM the selected agent: it drains and exits 0' },
  { key: 'h', description: "toggle the selected instance's Internet path (its health probes fail)" },
  { key: 'p', description: 'toggle a partition of the selected instance from the Consul servers' },
  { key: 'z', description: 'SIGSTOP / SIGCONT the selected agent (a stall longer than the lease)' },
  { key: 'n', description: 'the selected instance dies (EC2 stop: agent, Consul agent, ENI) / starts again' },
  { key: 's', description: 'send a spot instance-action notice to the selected instance' },
  { key: 'l', description: 'the Consul cluster loses its leader / gets it back' },
  { key: 'e', description: 'EC2 answers RequestLimitExceeded to everything for 5 s' },
  {
    key: 'r',
    description: 'repair everything: continue, heal, paths up, instances started, agents restarted',
  },
  { key: '1-9', description: 'select instance n (in world order); 0 selects the current leader again' },
  { key: 'v', description: 'toggle verbose timeline (check changes, DryRuns, session destroys)' },
  { key: 'q', description: 'quit (Ctrl-C too); the lab cleans up' },
];

export interface InteractiveOptions {
  lab: Lab;
  view: LiveView;
  input: NodeJS.ReadStream;
  onVerbose: () => void;
  signal: AbortSignal;
}

/** Resolves when the user quits (q, Ctrl-C) or the signal aborts. */
export function runInteractive(options: InteractiveOptions): Promise<void> {
  const { lab, view, input } = options;
  const group = lab.topology.groups[0] as LabGroup;
  let selected: string | null = null;
  const target = (): string | null => selected ?? lab.holder(group)?.instanceId ?? null;

  const watch = (faultAt: number, leader: string, label: string): void => {
    void (async () => {
      const deadline = faultAt + 60_000;
      while (Date.now() < deadline && !options.signal.aborted) {
        const currentTargets = new Map<string, string | null>();
        for (const t of lab.sim.aws.control.routeTables()) {
          const r = t.routes.find((x) => x.destinationCidrBlock === '0.0.0.0/0');
          currentTargets.set(t.routeTableId, r?.networkInterfaceId ?? null);
        }
        const m = measureFailover({
          faultAt,
          group,
          leaderBefore: leader,
          eniOf: lab.eniOf,
          consulJournal: lab.sim.consul.journal(),
          ec2Journal: lab.sim.aws.control.journal(),
          currentTargets,
        });
        if (m.failoverMs != null) {
          view.addFailover({
            scenario: label,
            from: lab.name(leader),
            to: lab.name(m.newLeader),
            failoverMs: m.failoverMs,
            lockFreedMs: m.phases.lockFreedMs,
            acquiredMs: m.phases.acquiredMs,
            ok: true,
          });
          return;
        }
        await sleep(100).catch(() => undefined);
      }
    })();
  };

  const act = async (key: string): Promise<boolean> => {
    const id = target();
    const isLeader = id != null && id === lab.holder(group)?.instanceId;
    const at = Date.now();
    const f = lab.faults;
    switch (key) {
      case 'q':
      case '\u0003':
        return false;
      case 'v':
        options.onVerbose();
        return true;
      case 'r':
        view.setStatus('repairing everything…');
        await f.healAll(options.signal);
        view.setStatus('repaired: every agent running, every fault undone');
        return true;
      case 'l':
        if (f.consulLeaderLost) f.consulLeaderRestore();
        else f.consulLeaderLoss();
        return true;
      case 'e':
        f.ec2Throttle(5_000);
        return true;
      case '0':
        selected = null;
        view.setSelected(null);
        view.setStatus('keys act on the leader');
        return true;
    }
    if (/^[1-9]$/.test(key)) {
      const inst = lab.topology.instances[Number(key) - 1];
      if (inst != null) {
        selected = inst.instanceId;
        view.setSelected(selected);
        view.setStatus(`keys act on ${inst.name}`);
      }
      return true;
    }
    if (id == null) {
      view.setStatus('no leader and no instance selected: press 1-9');
      return true;
    }
    const a = lab.agent(id);
    switch (key) {
      case 'k':
        f.crash(id);
        if (isLeader) watch(at, id, 'crash (key)');
        break;
      case 't':
        f.terminate(id);
        if (isLeader) watch(at, id, 'SIGTERM (key)');
        break;
      case 'h':
        if (lab.internet.get(id)?.isUp ?? true) {
          await f.internetDown(id);
          if (isLeader) watch(at, id, 'health (key)');
        } else await f.internetUp(id);
        break;
      case 'p':
        if (f.partitioned.has(id)) f.heal(id);
        else {
          f.partition(id);
          if (isLeader) watch(at, id, 'partition (key)');
        }
        break;
      case 'z':
        if (a.state === 'paused') f.resume(id);
        else if (a.state === 'running') {
          f.pause(id);
          if (isLeader) watch(at, id, 'pause (key)');
        }
        break;
      case 'n':
        if (lab.sim.aws.control.instance(id).state === 'running') {
          await f.nodeDown(id);
          if (isLeader) watch(at, id, 'node (key)');
        } else {
          await f.nodeUp(id);
          f.restart(id);
        }
        break;
      case 's':
        f.spotNotice(id);
        if (isLeader) watch(at, id, 'spot (key)');
        break;
      default:
        break;
    }
    return true;
  };

  return new Promise<void>((resolve) => {
    let busy = Promise.resolve(true);
    const finish = (): void => {
      input.off('data', onData);
      options.signal.removeEventListener('abort', finish);
      if (input.isTTY) input.setRawMode(false);
      input.pause();
      resolve();
    };
    const onData = (chunk: Buffer | string): void => {
      for (const key of String(chunk)) {
        busy = busy.then(async (going) => {
          if (!going) return false;
          try {
            const more = await act(key);
            if (!more) finish();
            return more;
          } catch (error) {
            view.setStatus(`key ${key}: ${describeError(error)}`);
            return true;
          }
        });
      }
    };
    if (input.isTTY) input.setRawMode(true);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
    options.signal.addEventListener('abort', finish, { once: true });
  });
}

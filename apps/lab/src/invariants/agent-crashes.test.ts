import { describe, expect, it } from 'vitest';
import type { AgentExit } from '../process/agent-process';
import { checkAgentCrashes, type AgentRecord } from './agent-crashes';

const window = { from: 0, to: 100_000 };

function agent(over: Partial<AgentRecord>): AgentRecord {
  return { instanceId: 'i-a', name: 'nat-a', exits: [], logs: [], text: [], ...over };
}

function exit(over: Partial<AgentExit>): AgentExit {
  return { generation: 1, pid: 1, at: 1_000, code: 0, signal: null, ...over };
}

describe('invariant 4: no agent crash, no unhandled rejection', () => {
  it('passes exits the lab caused, ending as documented', () => {
    const r = checkAgentCrashes({
      window,
      agents: [
        agent({
          exits: [
            exit({ signal: 'SIGKILL', code: null, expected: { cause: 'crash', signal: 'SIGKILL', at: 900 } }),
            exit({ generation: 2, code: 0, expected: { cause: 'SIGTERM', signal: 'SIGTERM', at: 1_900 } }),
            exit({ generation: 3, code: 0, expected: { cause: 'spot notice', at: 2_900 } }),
          ],
        }),
      ],
    });
    expect(r).toEqual({ name: 'no-agent-crash', ok: true, checked: 3, violations: [] });
  });

  it('flags an exit nobody asked for', () => {
    const r = checkAgentCrashes({ window, agents: [agent({ exits: [exit({ code: 1 })] })] });
    expect(r.violations[0]?.message).toBe('nat-a (generation 1) exited unexpectedly (code 1, signal null)');
  });

  it('flags a drain that does not exit 0', () => {
    const r = checkAgentCrashes({
      window,
      agents: [
        agent({ exits: [exit({ code: 1, expected: { cause: 'SIGTERM', signal: 'SIGTERM', at: 900 } })] }),
      ],
    });
    expect(r.violations[0]?.message).toMatch(/exited with code 1 .* after SIGTERM; a drain exits 0/);
  });

  it('flags a fatal log line and an unhandled rejection on stderr', () => {
    const r = checkAgentCrashes({
      window,
      agents: [
        agent({
          logs: [{ time: 500, level: 'error', event: 'fatal', generation: 1, error: { code: 'X' } }],
          text: [
            { at: 600, generation: 1, text: '[UnhandledPromiseRejection: This error originated either by…]' },
            { at: 601, generation: 1, text: '    at Timeout._onTimeout (file:///x/nat-agent.js:10:5)' },
            { at: 602, generation: 1, text: "TypeError: Cannot read properties of undefined (reading 'x')" },
            {
              at: 603,
              generation: 1,
              text: '(node:1) NOTE: The AWS SDK for JavaScript (v3) will no longer support Node.js',
            },
          ],
        }),
      ],
    });
    expect(r.violations.map((v) => v.at)).toEqual([500, 600, 601, 602]);
  });

  it('ignores evidence outside the window', () => {
    const r = checkAgentCrashes({
      window: { from: 10_000, to: 20_000 },
      agents: [agent({ exits: [exit({ code: 1, at: 500 })] })],
    });
    expect(r.ok).toBe(true);
  });
});

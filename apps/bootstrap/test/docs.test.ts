import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FLAGS, envName } from '../src/render-flags';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const guide = readFileSync(new URL('../docs/bootstrapping.md', import.meta.url), 'utf8');
const known = new Set(FLAGS.map((f) => f.name));

/** Every `nat-bootstrap render …` command in the fenced code blocks, continuation lines joined. */
function renderCommands(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  return blocks
    .flatMap((block) => block.replace(/\\\n/g, ' ').split('\n'))
    .filter((line) => /nat-bootstrap(\.js)? render/.test(line));
}

describe('documentation stays true to the code', () => {
  it('the README options table lists every flag', () => {
    for (const flag of FLAGS) expect(readme, flag.name).toContain(`\`--${flag.name}`);
  });

  it('every flag used in a documented command exists', () => {
    const commands = [...renderCommands(readme), ...renderCommands(guide)];
    expect(commands.length).toBeGreaterThan(5);
    for (const command of commands) {
      for (const [, flag] of command.matchAll(/\s--([a-z0-9-]+)/g)) {
        if (flag === 'help') continue;
        expect(known.has(flag as string), `--${flag} in: ${command.trim()}`).toBe(true);
      }
    }
  });

  it('every NAT_HA_BOOTSTRAP_* variable named in the guide maps to a flag (or is the gossip key)', () => {
    for (const [name] of guide.matchAll(/NAT_HA_BOOTSTRAP_[A-Z_]+/g)) {
      const flags = FLAGS.filter((f) => envName(f.name) === name);
      expect(flags.length === 1 || name === 'NAT_HA_BOOTSTRAP_ENCRYPT', name).toBe(true);
    }
  });
});

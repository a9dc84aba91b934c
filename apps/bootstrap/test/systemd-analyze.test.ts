import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { renderBundle } from '../src/bundle';
import { command, sampleFacts } from './fixtures';

const run = promisify(execFile);
const ANALYZE = '/usr/bin/systemd-analyze';
const missing = !existsSync(ANALYZE);
if (missing) console.warn('skipping unit checks: systemd-analyze is not installed (apt-get install systemd)');

/** Writes the rendered units (binaries pointed at /bin/true: verify requires them to exist). */
function writeUnits(extra: string[]): string {
  const directory = mkdtempSync(join(tmpdir(), 'nat-bootstrap-units-'));
  const bundle = renderBundle(
    sampleFacts(),
    command([
      '--consul-bin',
      '/bin/true',
      '--node-bin',
      '/bin/true',
      '--nat-agent-bin',
      '/bin/true',
      ...extra,
    ]).options,
  );
  for (const file of bundle.files.filter((f) => f.path.startsWith('systemd/'))) {
    writeFileSync(join(directory, file.path.slice('systemd/'.length)), file.content);
  }
  return directory;
}

const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

describe.skipIf(missing)('rendered systemd units', () => {
  for (const [name, extra] of Object.entries({
    'server with secrets': ['--role', 'server', '--encrypt-file', '/run/secrets/gossip'],
    'client, manage-nat': ['--manage-nat'],
  })) {
    it(`pass systemd-analyze verify without a single warning (${name})`, async () => {
      const directory = writeUnits(extra);
      directories.push(directory);
      const { stdout, stderr } = await run(ANALYZE, [
        'verify',
        '--man=no',
        join(directory, 'consul.service'),
        join(directory, 'nat-agent.service'),
      ]);
      expect(`${stdout}${stderr}`).toBe('');
    });
  }

  it('score as well sandboxed by systemd-analyze security (exposure below 3.0 of 10)', async () => {
    const directory = writeUnits(['--role', 'server', '--encrypt-file', '/run/secrets/gossip']);
    directories.push(directory);
    for (const unit of ['consul.service', 'nat-agent.service']) {
      const { stdout } = await run(ANALYZE, [
        'security',
        '--offline=yes',
        '--no-pager',
        join(directory, unit),
      ]);
      const exposure = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(stdout)?.[1]);
      expect(exposure, unit).toBeLessThan(3.0);
    }
  });
});

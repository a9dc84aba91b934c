/**
 * Builds dist/nat-agent.js once before the suite: the bundle tests and the integration tests run the
 * shipped artefact, never the sources (turbo's `test` only builds dependencies first).
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsupDir = dirname(createRequire(import.meta.url).resolve('tsup/package.json'));
  execFileSync(process.execPath, [join(tsupDir, 'dist', 'cli-default.js')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

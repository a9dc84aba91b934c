/**
 * The bench's baseline: the same agents with Consul's own lock defaults (`api/lock.go`, `consul
 * lock`; consul-http-api.md §5.1, §5.7): 15 s TTL, 15 s lock-delay, a session tied to serfHealth
 * only, and a 5 s retry after a refused acquire. nat-agent must offer this as a configuration
 * profile; the bench asks the agent (`check-config`) which settings it accepts and falls back to
 * what it can set (the 15 s lock-delay alone), saying so in the report.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toYaml, type YamlValue } from '../util/yaml';
import type { BaselineProfile } from './bench';

type Overrides = { [key: string]: YamlValue | undefined };

const FULL: { overrides: Overrides; settings: string }[] = [
  {
    overrides: { consul: { lockProfile: 'consul-defaults' } },
    settings:
      'nat-agent `consul.lockProfile: consul-defaults`: session TTL 15 s, lock-delay 15 s, session checks serfHealth only, 5 s retry after a refused acquire.',
  },
];

const PARTIAL: { overrides: Overrides; settings: string } = {
  overrides: { consul: { lockDelayMs: 15_000 } },
  settings:
    'Only `consul.lockDelayMs: 15000` could be set: the session keeps nat-agent’s 10 s TTL, its liveness check and its lock-delay-aware retry, so this baseline is faster than real Consul defaults (37.5–50 s for a crash, docs/safety.md).',
};

/** Exit code of `nat-agent check-config` on a minimal file with these overrides. */
function checkConfig(bundle: string, file: string): Promise<number> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bundle, 'check-config', '--config', file],
      { timeout: 30_000, env: { PATH: process.env['PATH'] ?? '' } },
      (error) => {
        resolve(error == null ? 0 : typeof error.code === 'number' ? error.code : 1);
      },
    );
  });
}

export async function baselineProfile(bundle: string | undefined): Promise<BaselineProfile> {
  if (bundle != null) {
    const dir = await mkdtemp(join(tmpdir(), 'nat-ha-lab-profile-'));
    try {
      for (const candidate of FULL) {
        const file = join(dir, 'agent.yaml');
        await writeFile(
          file,
          toYaml({
            ...candidate.overrides,
            groups: [{ name: 'probe', routeTables: { ids: ['rtb-0123456789abcdef0'] } }],
          }),
        );
        if ((await checkConfig(bundle, file)) === 0) {
          return {
            name: 'Consul defaults',
            complete: true,
            settings: candidate.settings,
            overrides: candidate.overrides,
          };
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return {
    name: 'Consul defaults',
    complete: false,
    settings: PARTIAL.settings,
    overrides: PARTIAL.overrides,
  };
}

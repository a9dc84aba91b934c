/**
 * Finds the built nat-agent bundle (`apps/nat-agent/dist/nat-agent.js`) and copies it (with any chunk
 * files next to it) into the lab's directory, so the lab keeps running the same program even while a
 * rebuild (another terminal, another package's tests) replaces the original.
 *
 * Lookup order: `NAT_HA_LAB_AGENT_BUNDLE` (or `--agent-bundle`); `@nat-ha/nat-agent` resolved as a
 * dependency of this package; the workspace layout relative to this file.
 */
import { copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from '../errors';
import { sleep } from '../util/wait';

export function bundleCandidates(
  explicit: string | undefined,
  here = fileURLToPath(import.meta.url),
): string[] {
  const out: string[] = [];
  if (explicit != null && explicit !== '') out.push(resolve(explicit));
  try {
    const pkg = createRequire(here).resolve('@nat-ha/nat-agent/package.json');
    out.push(join(dirname(pkg), 'dist', 'nat-agent.js'));
  } catch {
    // Not resolvable (a copied lab bundle): fall back to the workspace layout.
  }
  // apps/lab/dist/lab.js or apps/lab/src/world/agent-bundle.ts → apps/nat-agent/dist/nat-agent.js
  for (let dir = dirname(here), depth = 0; depth < 5; depth++, dir = dirname(dir)) {
    out.push(join(dir, 'apps', 'nat-agent', 'dist', 'nat-agent.js'));
    out.push(join(dir, 'nat-agent', 'dist', 'nat-agent.js'));
  }
  return [...new Set(out)];
}

async function usable(path: string): Promise<boolean> {
  try {
    const s = await stat(path);
    // A file written in the last moment may still be growing (a concurrent tsup build).
    if (!s.isFile() || s.size < 1024 || Date.now() - s.mtimeMs < 750) return false;
    const head = (await readFile(path, 'utf8')).slice(0, 64);
    return head.startsWith('#!/usr/bin/env node') || head.startsWith('import') || head.startsWith('"use');
  } catch {
    return false;
  }
}

/** The first usable bundle, without copying it (for one-off `check-config` runs). */
export async function findAgentBundle(explicit?: string): Promise<string | undefined> {
  for (const path of bundleCandidates(explicit)) if (await usable(path)) return path;
  return undefined;
}

export interface PrepareBundleOptions {
  dir: string;
  explicit?: string;
  /** How long to wait for a bundle that is being rebuilt. Default 20 s. */
  waitMs?: number;
  signal?: AbortSignal;
}

/** Returns the path of the copy in `dir`. */
export async function prepareAgentBundle(options: PrepareBundleOptions): Promise<string> {
  const candidates = bundleCandidates(options.explicit);
  const deadline = Date.now() + (options.waitMs ?? 20_000);
  for (;;) {
    for (const path of candidates) {
      if (!(await usable(path))) continue;
      // The bundle may import chunks next to it (code-split dependencies): copy the directory's files.
      const target = join(options.dir, 'nat-agent');
      await mkdir(target, { recursive: true });
      const from = dirname(path);
      for (const entry of await readdir(from, { withFileTypes: true })) {
        if (entry.isFile() && /\.(m?js|map|json)$/.test(entry.name)) {
          await copyFile(join(from, entry.name), join(target, entry.name));
        }
      }
      return join(target, basename(path));
    }
    if (Date.now() > deadline) {
      throw new LabError(
        'AGENT_BUNDLE_MISSING',
        `nat-agent bundle not found (looked at ${candidates.join(', ')}). Build it: pnpm --filter @nat-ha/nat-agent build`,
      );
    }
    await sleep(500, options.signal);
  }
}

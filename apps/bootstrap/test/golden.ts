import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { RenderedFile } from '../src/bundle';

const GOLDEN_ROOT = fileURLToPath(new URL('./__golden__/', import.meta.url));
/** Set to rewrite the golden files from the current output (then review the diff before committing). */
const UPDATE = process.env.NAT_HA_TEST_UPDATE_GOLDEN === '1';

/** Compares every rendered file of `variant` with `test/__golden__/<variant>/<path>`, byte for byte. */
export function expectGolden(variant: string, files: readonly RenderedFile[]): void {
  for (const file of files) {
    const path = join(GOLDEN_ROOT, variant, file.path);
    if (UPDATE) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.content);
      continue;
    }
    expect(
      existsSync(path),
      `missing golden ${variant}/${file.path} (run with NAT_HA_TEST_UPDATE_GOLDEN=1)`,
    ).toBe(true);
    expect(file.content, `${variant}/${file.path}`).toBe(readFileSync(path, 'utf8'));
  }
}

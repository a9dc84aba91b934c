import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig, type ViteUserConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The one vitest configuration every workspace member starts from.
 *
 * - `test/global-setup.ts` scrubs real AWS credentials and disables the real metadata service before
 *   any worker starts (CONTRIBUTING.md, "Test hygiene").
 * - `test/network-guard.ts` runs in every worker and refuses TCP connections to anything but
 *   loopback or the namespace addresses a test allows, so a test cannot reach 169.254.169.254 or AWS.
 * - The JSON report in `reports/vitest.json` is what `.ci/run` counts.
 */
export function natHaTestConfig(overrides: ViteUserConfig = {}): ViteUserConfig {
  return mergeConfig(
    defineConfig({
      test: {
        globalSetup: [here('./test/global-setup.ts')],
        setupFiles: [here('./test/network-guard.ts')],
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        reporters: ['default', 'json'],
        outputFile: { json: 'reports/vitest.json' },
        testTimeout: 30_000,
        hookTimeout: 30_000,
        restoreMocks: true,
      },
    }),
    overrides,
  );
}

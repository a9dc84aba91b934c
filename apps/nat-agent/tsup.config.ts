import { readFileSync, writeFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

// Apps ship as one self-contained file: every dependency is bundled, so `node dist/nat-agent.js`
// runs without node_modules.
export default defineConfig({
  entry: { 'nat-agent': 'src/main.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  // One file: the SDK's ES builds load credential providers with dynamic import(), which would
  // otherwise become separate chunks next to the bundle.
  splitting: false,
  noExternal: [/.*/],
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __natHaCreateRequire } from 'node:module';\nconst require = __natHaCreateRequire(import.meta.url);",
  },
  esbuildOptions(options) {
    // Prefer the packages' ES module builds: they tree-shake (the AWS SDK's CommonJS build is one
    // 2.3 MB file per client), which roughly halves the agent's resident memory (issue 9: RSS ≤ 60 MB).
    options.mainFields = ['module', 'main'];
    // V8 keeps the whole source in the heap, as UTF-16 if a single character is not Latin-1 (a curly
    // quote in a dependency's comment is enough). Dropping comments and whitespace keeps it one-byte
    // and small; identifiers stay unminified so stack traces remain readable.
    options.minifyWhitespace = true;
    options.minifySyntax = true;
    options.minifyIdentifiers = false;
    options.legalComments = 'none';
    options.charset = 'ascii';
  },
  // esbuild cannot escape characters inside regular-expression literals (a dependency's duration
  // parser matches "μs"): escape what is left, so the source stays one byte per character.
  onSuccess: async () => {
    const file = 'dist/nat-agent.js';
    const text = readFileSync(file, 'utf8');
    const ascii = text.replace(
      /[^\x20-\x7e\t\n\r]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    if (ascii !== text) writeFileSync(file, ascii);
  },
});

import { defineConfig } from 'tsup';

// Apps ship as one self-contained file: every dependency is bundled, so `node dist/nat-bootstrap.js`
// runs without node_modules. `splitting: false` keeps the AWS SDK's lazily imported credential
// providers inside that one file instead of sibling chunks that a copy of the binary would lose.
export default defineConfig({
  entry: { 'nat-bootstrap': 'src/main.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  splitting: false,
  noExternal: [/.*/],
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __natHaCreateRequire } from 'node:module';\nconst require = __natHaCreateRequire(import.meta.url);",
  },
});

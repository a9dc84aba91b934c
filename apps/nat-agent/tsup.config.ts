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
  noExternal: [/.*/],
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __natHaCreateRequire } from 'node:module';\nconst require = __natHaCreateRequire(import.meta.url);",
  },
  esbuildOptions(options) {
    // Prefer the packages' ES module builds: they tree-shake (the AWS SDK's CommonJS build is one
    // 2.3 MB file per client), which roughly halves the agent's resident memory (issue 9: RSS ≤ 60 MB).
    options.mainFields = ['module', 'main'];
  },
});

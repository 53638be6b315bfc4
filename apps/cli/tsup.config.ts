import { defineConfig } from 'tsup';

// One executable ESM file; the @wsp packages stay external (tsup keeps `dependencies` external,
// and the optional Ascend backend must stay optional: loaded at run time when installed).
export default defineConfig({
  external: ['@wsp/backend-ascend'],
  entry: { bin: 'src/bin.ts' },
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
});

import { defineConfig } from 'tsup';

// One executable ESM file; the @wsp packages stay external (they are dependencies).
export default defineConfig({
  entry: { bin: 'src/bin.ts' },
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
});

import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

// tsup keeps `dependencies` external but would bundle `optionalDependencies` (the audio codecs):
// keep them external too, so they stay optional and load only when a file needs them.
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  optionalDependencies?: Record<string, string>;
};

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  external: Object.keys(pkg.optionalDependencies ?? {}),
});

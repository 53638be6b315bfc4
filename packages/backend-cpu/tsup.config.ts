import { defineConfig } from 'tsup';

export default defineConfig({
  // `.` registers every CPU backend this package has; `./portable` only the pure-TypeScript one
  // (no Node APIs: what browser bundles import). Each entry is self-contained (no shared chunks),
  // so `sideEffects` can list exactly the registering files.
  entry: { index: 'src/index.ts', portable: 'src/portable-entry.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: false,
  target: 'es2022',
});

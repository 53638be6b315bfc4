import { defineConfig } from 'tsup';

export default defineConfig({
  // `.` registers every CPU backend this package has (native `cpu` and `cpu-portable`);
  // `./portable` only the pure-TypeScript one (no Node APIs: what browser bundles import);
  // `./native` is the native addon's API without registering anything. Each entry is
  // self-contained (no shared chunks), so `sideEffects` can list exactly the registering files.
  entry: { index: 'src/index.ts', portable: 'src/portable-entry.ts', native: 'src/native/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: false,
  // import.meta.url in the CommonJS build (the native loader finds the package root from it).
  shims: true,
  target: 'es2022',
});

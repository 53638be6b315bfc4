import { defineConfig } from 'tsup';

export default defineConfig({
  // Two public entries: the graph/SPI/registry, and the test-only oracle + conformance suite.
  entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});

import { defineConfig } from 'tsup';

export default defineConfig({
  // The report runner and the child process that measures peak RSS on its own.
  entry: { cli: 'src/cli.ts', 'rss-child': 'src/measure/rss-child.ts' },
  format: ['esm'],
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // A bench-only devDependency with a native binding: loaded at run time, never bundled.
  external: ['onnxruntime-node'],
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // CPU-heavy: one file at a time so the native addon's thread pool owns the cores.
    fileParallelism: false,
  },
});

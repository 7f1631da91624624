import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
    // The compose stack and the demo each take the machine's two cores: one file at a time.
    fileParallelism: false,
    testTimeout: 120_000,
  },
});

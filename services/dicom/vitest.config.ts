import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Some tests spawn dcmtk tools or a second process; the CI machine has two busy cores.
    testTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
  },
});

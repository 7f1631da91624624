import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
    // The issuer tests hash passwords and start servers: seconds under a loaded CI machine.
    testTimeout: 30_000,
  },
});

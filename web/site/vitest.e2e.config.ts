import { defineConfig } from 'vitest/config';

// Browser tests: Orthanc + the built app + Debian's Chromium. One file at a time (2 shared cores).
export default defineConfig({
  test: {
    include: ['test/**/*.e2e.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

// Two projects: components and pure code in happy-dom (Svelte's browser build), and the end-to-end
// test in Node against a real cloud and Debian's Chromium. One JSON report for the root `npm test`.
export default defineConfig({
  test: {
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
    projects: [
      {
        plugins: [svelte()],
        resolve: { conditions: ['browser'] },
        test: { name: 'unit', include: ['src/**/*.test.ts'], environment: 'happy-dom' },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

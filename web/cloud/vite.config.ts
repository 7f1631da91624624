import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// Where `npm run dev` sends /api and /realms; the cloud serves both on the dashboard's origin.
const devApi = process.env.ANNEX_DEV_API ?? 'http://127.0.0.1:8090';

export default defineConfig({
  plugins: [svelte()],
  server: { proxy: { '/api': devApi, '/realms': devApi, '/config.json': devApi } },
  build: {
    target: 'es2022',
    rolldownOptions: {
      output: {
        // The chart library is its own long-cacheable chunk, fetched in parallel with the shell.
        codeSplitting: { groups: [{ name: 'charts', test: /node_modules[/](chart\.js|@kurkle)[/]/ }] },
      },
    },
  },
});

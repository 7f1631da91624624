import { mount } from 'svelte';
import App from './app.svelte';
import { loadConfig } from './lib/config.ts';
import { preloadViewer } from './lib/viewer-chunk.ts';
import './styles.css';

// Imaging code (~3.5 MB) is its own chunks; start fetching it now, in parallel with config,
// login and the worklist, so opening a series waits for pixels, not for JavaScript.
preloadViewer();

const target = document.getElementById('app');
if (!target) throw new Error('#app missing from index.html');
loadConfig(document.baseURI).then(
  (config) => mount(App, { target, props: { config } }),
  (err: unknown) => {
    target.textContent = err instanceof Error ? err.message : String(err);
  },
);

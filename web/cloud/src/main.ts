import { mount } from 'svelte';
import App from './app.svelte';
import { loadConfig } from './lib/config.ts';
import './styles.css';

// The chart library is its own chunk: fetch it in parallel with config, login and the first API
// answers, so drawing the overview's charts does not wait for it.
void import('./lib/chart-runtime.ts');

const target = document.getElementById('app');
if (!target) throw new Error('#app missing from index.html');
loadConfig(document.baseURI).then(
  (config) => mount(App, { target, props: { config } }),
  (err: unknown) => {
    target.textContent = err instanceof Error ? err.message : String(err);
  },
);

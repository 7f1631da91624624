import { mount } from 'svelte';
import App from './app.svelte';
import { loadConfig } from './lib/config.ts';
import './styles.css';

const target = document.getElementById('app');
if (!target) throw new Error('#app missing from index.html');
loadConfig(document.baseURI).then(
  (config) => mount(App, { target, props: { config } }),
  (err: unknown) => {
    target.textContent = err instanceof Error ? err.message : String(err);
  },
);

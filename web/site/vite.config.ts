import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';

// The imaging chunks are dynamic imports, so the browser would only learn of them once the shell
// has run; listing them in index.html lets it fetch them in parallel with the shell itself.
function preloadImagingChunks(): Plugin {
  return {
    name: 'annex-preload-imaging-chunks',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        if (!ctx.bundle) return;
        return Object.values(ctx.bundle)
          .filter((c) => c.type === 'chunk' && /^(cs-core|cs-loader|cs-tools|vtk|viewer-page)$/.test(c.name))
          .map((c) => ({
            tag: 'link',
            attrs: { rel: 'modulepreload', crossorigin: '', href: `/${c.fileName}` },
            injectTo: 'head' as const,
          }));
      },
    },
  };
}

// The decode worker imports the codecs' Emscripten glue; the dev server must pre-bundle it or
// setStack hangs silently (PLATFORM.md). The production build needs none of this.
const codecGlue = [
  '@cornerstonejs/codec-openjpeg/decodewasmjs',
  '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs',
  '@cornerstonejs/codec-charls/decodewasmjs',
  '@cornerstonejs/codec-openjph/wasmjs',
  '@cornerstonejs/codec-libjxl/decodewasmjs',
].map((m) => `@cornerstonejs/dicom-image-loader > ${m}`);

// Where `npm run dev` sends /dicomweb and /api; the site serves both on the app's origin.
const devApi = process.env.ANNEX_DEV_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [svelte(), preloadImagingChunks()],
  optimizeDeps: { include: codecGlue },
  worker: { format: 'es' },
  server: {
    proxy: { '/dicomweb': devApi, '/api': devApi, '/realms': devApi },
  },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    rolldownOptions: {
      output: {
        // Separate, long-cacheable chunks that the browser fetches in parallel; the shell stays
        // small so login and the worklist paint before the imaging code has arrived.
        codeSplitting: {
          groups: [
            // Higher priority is captured first; each group then pulls in its own dependencies.
            // Vite's preload helper would otherwise land in a Cornerstone chunk and make the shell wait for it.
            { name: 'shell', test: /vite\/preload-helper/, priority: 50 },
            { name: 'vtk', test: /node_modules[/]@kitware/, priority: 40 },
            {
              name: 'cs-core',
              test: /node_modules[/]@cornerstonejs[/](core|utils|metadata)[/]/,
              priority: 30,
            },
            {
              name: 'cs-loader',
              test: /node_modules[/](@cornerstonejs[/]dicom-image-loader|dicom-parser)[/]/,
              priority: 25,
            },
            { name: 'cs-tools', test: /node_modules[/]@cornerstonejs[/]tools[/]/, priority: 20 },
          ],
        },
      },
    },
  },
});

// The dynamic import that splits Cornerstone from the shell; memoised so preloading and opening
// share one request.
let chunk: Promise<typeof import('../components/viewer-page.svelte')> | undefined;

export function preloadViewer(): Promise<typeof import('../components/viewer-page.svelte')> {
  chunk ??= import('../components/viewer-page.svelte');
  return chunk;
}

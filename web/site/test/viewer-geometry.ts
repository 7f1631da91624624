import { pixelToPatient, type SyntheticSeries } from '@annex/dicom';
import type { Page } from 'playwright-core';
import type { PageGlobals } from './page-globals.ts';

/**
 * Where an image pixel of a synthetic series is on the page, and back: what the browser tests need
 * to draw at known anatomy (the phantom's lesion) and to check what was saved.
 */
export function viewerGeometry(page: () => Page, series: () => SyntheticSeries) {
  /** Canvas position (CSS px, page coordinates) of image pixel (row, col) on `slice`. */
  async function toPage(slice: number, row: number, col: number): Promise<{ x: number; y: number }> {
    const world = pixelToPatient(series().geometry, slice, row, col);
    return page().evaluate((w) => {
      const v = (globalThis as unknown as PageGlobals).__annexViewer;
      const [x, y] = v.viewport.worldToCanvas(w as [number, number, number]);
      const r = (v.element as HTMLElement).getBoundingClientRect();
      return { x: r.left + x, y: r.top + y };
    }, world);
  }

  /** Image pixel [row, col] of a patient-space (x, y) point on the series' axial slices. */
  function pixelOf(point: [number, number]): [number, number] {
    const { positions, pixelSpacing } = series().geometry;
    const [x0, y0] = positions[0] as [number, number, number];
    const [sr, sc] = pixelSpacing;
    return [(point[1] - y0) / sr, (point[0] - x0) / sc];
  }

  /** A mouse drag in small steps, as a hand would. */
  async function drag(from: { x: number; y: number }, to: { x: number; y: number }) {
    const p = page();
    await p.mouse.move(from.x, from.y);
    await p.mouse.down();
    for (let i = 1; i <= 8; i++)
      await p.mouse.move(from.x + ((to.x - from.x) * i) / 8, from.y + ((to.y - from.y) * i) / 8);
    await p.mouse.up();
  }

  return { toPage, pixelOf, drag };
}

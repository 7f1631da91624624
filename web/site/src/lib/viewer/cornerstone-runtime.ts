// Everything that touches Cornerstone's global state lives here, so it is initialised once and in
// the right order: core, then the image loader (which registers wadors/wadouri and their
// metadata providers), then tools.
import * as core from '@cornerstonejs/core';
import * as dicomImageLoader from '@cornerstonejs/dicom-image-loader';
import * as tools from '@cornerstonejs/tools';
import type { TokenGetter } from '../dicomweb/client.ts';
import { MagicWandTool } from './magic-wand-tool.ts';

let initialised = false;

export const ALL_TOOLS = [
  tools.StackScrollTool,
  tools.WindowLevelTool,
  tools.PanTool,
  tools.ZoomTool,
  tools.LengthTool,
  tools.AngleTool,
  tools.RectangleROITool,
  tools.EllipticalROITool,
  tools.ProbeTool,
  tools.PlanarFreehandROITool,
  tools.SplineROITool,
  tools.BrushTool,
  tools.CrosshairsTool,
  MagicWandTool,
] as const;

export function initCornerstone(getToken: TokenGetter): void {
  if (initialised) return;
  core.init();
  dicomImageLoader.init({
    // At least two decode workers even on small machines: one busy worker must not stall scrolling.
    maxWebWorkers: Math.max(2, Math.min(4, (navigator.hardwareConcurrency || 2) - 1)),
    // Awaited per request by the loader, so a refreshed token is picked up without re-init.
    beforeSend: async (): Promise<Record<string, string>> => {
      const token = await getToken();
      return token ? { Authorization: `Bearer ${token}` } : {};
    },
  });
  tools.init();
  for (const Tool of ALL_TOOLS) tools.addTool(Tool);
  initialised = true;
}

export { core, dicomImageLoader, tools };

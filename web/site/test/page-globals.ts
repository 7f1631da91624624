import type { StackViewer } from '../src/lib/viewer/stack-viewer.ts';
import type { VolumeViewer } from '../src/lib/viewer/volume-viewer.ts';

/** What the app exposes on the page for tests and benchmarks (no PHI). */
export interface PageGlobals {
  __annexViewer: StackViewer;
  __annexMpr?: VolumeViewer;
}

import { core, tools } from './cornerstone-runtime.ts';
import type { WindowPreset } from './presets.ts';
import { toVoiRange } from './window-level.ts';

const { Enums: csEnums, RenderingEngine, volumeLoader, setVolumesForViewports } = core;
const { MouseBindings } = tools.Enums;

export type Orientation = 'axial' | 'sagittal' | 'coronal';
const ORIENTATIONS: Orientation[] = ['axial', 'sagittal', 'coronal'];
const AXES = {
  axial: csEnums.OrientationAxis.AXIAL,
  sagittal: csEnums.OrientationAxis.SAGITTAL,
  coronal: csEnums.OrientationAxis.CORONAL,
} as const;

let nextId = 0;

/** Three orthographic reformats of one series' volume, sharing tools and window. */
export class VolumeViewer {
  readonly engine: InstanceType<typeof RenderingEngine>;
  readonly volumeId: string;
  private readonly toolGroupId: string;
  private readonly viewportIds: string[];

  constructor(elements: Record<Orientation, HTMLDivElement>, seriesUid: string) {
    const n = nextId++;
    this.engine = new RenderingEngine(`annex-mpr-${n}`);
    // The streaming loader fetches slices through the same wadors image ids (and cache) as the stack.
    this.volumeId = `cornerstoneStreamingImageVolume:annex-${seriesUid}`;
    this.viewportIds = ORIENTATIONS.map((o) => `mpr-${n}-${o}`);
    this.engine.setViewports(
      ORIENTATIONS.map((o, i) => ({
        viewportId: this.viewportIds[i] as string,
        type: csEnums.ViewportType.ORTHOGRAPHIC,
        element: elements[o],
        defaultOptions: { orientation: AXES[o], background: [0, 0, 0] as [number, number, number] },
      })),
    );
    this.toolGroupId = `annex-mpr-tools-${n}`;
    const g = tools.ToolGroupManager.createToolGroup(this.toolGroupId);
    if (!g) throw new Error('tool group could not be created');
    for (const t of [
      tools.StackScrollTool,
      tools.WindowLevelTool,
      tools.PanTool,
      tools.ZoomTool,
      tools.LengthTool,
    ]) {
      g.addTool(t.toolName);
    }
    for (const id of this.viewportIds) g.addViewport(id, this.engine.id);
    g.setToolActive(tools.StackScrollTool.toolName, { bindings: [{ mouseButton: MouseBindings.Wheel }] });
    g.setToolActive(tools.WindowLevelTool.toolName, { bindings: [{ mouseButton: MouseBindings.Primary }] });
    g.setToolActive(tools.PanTool.toolName, { bindings: [{ mouseButton: MouseBindings.Auxiliary }] });
    g.setToolActive(tools.ZoomTool.toolName, { bindings: [{ mouseButton: MouseBindings.Secondary }] });
  }

  async open(imageIds: string[]): Promise<void> {
    const volume = await volumeLoader.createAndCacheVolume(this.volumeId, { imageIds });
    (volume as { load?: () => void }).load?.();
    await setVolumesForViewports(this.engine, [{ volumeId: this.volumeId }], this.viewportIds);
    this.engine.render();
  }

  viewport(o: Orientation): core.VolumeViewport {
    return this.engine.getViewport(
      this.viewportIds[ORIENTATIONS.indexOf(o)] as string,
    ) as core.VolumeViewport;
  }

  /** True once every slice of the volume has been loaded into it. */
  get loaded(): boolean {
    const v = core.cache.getVolume(this.volumeId) as { loadStatus?: { loaded?: boolean } } | undefined;
    return Boolean(v?.loadStatus?.loaded);
  }

  applyPreset(p: WindowPreset): void {
    for (const id of this.viewportIds) {
      const vp = this.engine.getViewport(id) as core.VolumeViewport;
      vp.setProperties({ voiRange: toVoiRange(p) }, this.volumeId);
    }
    this.engine.render();
  }

  resize(): void {
    this.engine.resize(true, true);
  }

  destroy(): void {
    tools.ToolGroupManager.destroyToolGroup(this.toolGroupId);
    this.engine.destroy();
  }
}

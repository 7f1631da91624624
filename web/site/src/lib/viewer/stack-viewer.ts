import type { SeriesImage } from '../dicomweb/series-image-ids.ts';
import { core, dicomImageLoader, tools } from './cornerstone-runtime.ts';
import { type EdgeMarkers, edgeMarkers, type Vec3 } from './orientation.ts';
import type { WindowPreset } from './presets.ts';
import { fromVoiRange, toVoiRange, type WindowLevel } from './window-level.ts';

const { Enums: csEnums, RenderingEngine, cache, eventTarget } = core;
const { MouseBindings, KeyboardBindings } = tools.Enums;

/** The primary-button interaction a user picks from the toolbar or a shortcut. */
export type PrimaryTool =
  | 'WindowLevel'
  | 'Pan'
  | 'Zoom'
  | 'StackScroll'
  | 'Length'
  | 'Angle'
  | 'EllipticalROI'
  | 'RectangleROI'
  | 'Probe'
  | 'PlanarFreehandROI'
  | 'SplineROI'
  | 'PaintBrush'
  | 'EraseBrush'
  | 'ThresholdBrush'
  | 'MagicWand'
  | 'LabelLength'
  | 'LabelAngle'
  | 'LabelPolyline';

export interface ViewState {
  index: number;
  count: number;
  loaded: number;
  windowLevel?: WindowLevel;
  invert: boolean;
  markers?: EdgeMarkers;
  /** Slice location along the normal in mm, as PACS show it. */
  slicePosition?: number;
  sliceThickness?: number;
  zoom: number;
  imageId?: string;
}

let nextId = 0;

/**
 * One stack viewport with its tool group: the viewer's view model. The Svelte components only
 * call these methods and render `ViewState`.
 */
export class StackViewer {
  readonly engine: InstanceType<typeof RenderingEngine>;
  readonly viewportId: string;
  readonly toolGroupId: string;
  private toolGroup: NonNullable<ReturnType<typeof tools.ToolGroupManager.createToolGroup>>;
  private images: SeriesImage[] = [];
  private loadedIds = new Set<string>();
  private primary: PrimaryTool = 'WindowLevel';
  private cineFps = 0;
  private listeners = new Set<(s: ViewState) => void>();
  private readonly offs: Array<() => void> = [];

  constructor(readonly element: HTMLDivElement) {
    const n = nextId++;
    this.viewportId = `stack-${n}`;
    this.toolGroupId = `annex-stack-${n}`;
    this.engine = new RenderingEngine(`annex-engine-${n}`);
    this.engine.enableElement({
      viewportId: this.viewportId,
      type: csEnums.ViewportType.STACK,
      element,
      defaultOptions: { background: [0, 0, 0] as Vec3 as [number, number, number] },
    });
    const group = tools.ToolGroupManager.createToolGroup(this.toolGroupId);
    if (!group) throw new Error('tool group could not be created');
    this.toolGroup = group;
    for (const Tool of [
      tools.StackScrollTool,
      tools.WindowLevelTool,
      tools.PanTool,
      tools.ZoomTool,
      tools.LengthTool,
      tools.AngleTool,
      tools.EllipticalROITool,
      tools.RectangleROITool,
      tools.ProbeTool,
      tools.PlanarFreehandROITool,
    ]) {
      group.addTool(Tool.toolName);
    }
    // Three brushes over one labelmap: paint, erase, and paint only where HU is in a range.
    group.addToolInstance('PaintBrush', tools.BrushTool.toolName, { activeStrategy: 'FILL_INSIDE_CIRCLE' });
    group.addToolInstance('EraseBrush', tools.BrushTool.toolName, { activeStrategy: 'ERASE_INSIDE_CIRCLE' });
    group.addToolInstance('ThresholdBrush', tools.BrushTool.toolName, {
      activeStrategy: 'THRESHOLD_INSIDE_CIRCLE',
      threshold: { range: [-100, 300], isDynamic: false, dynamicRadius: 0 },
    });
    // Length, angle and polyline *labels* are their own tool instances, so a measurement drawn with
    // the plain Length/Angle tools is never mistaken for a label (and the reverse).
    group.addToolInstance('LabelLength', tools.LengthTool.toolName);
    group.addToolInstance('LabelAngle', tools.AngleTool.toolName);
    group.addToolInstance('LabelPolyline', tools.PlanarFreehandROITool.toolName, { allowOpenContours: true });
    group.addTool('MagicWand');
    group.addTool(tools.SplineROITool.toolName, {
      // Straight edges between clicks: a polygon.
      spline: { type: tools.SplineROITool.SplineTypes.Linear },
    });
    group.addViewport(this.viewportId, this.engine.id);
    group.setToolActive(tools.StackScrollTool.toolName, { bindings: [{ mouseButton: MouseBindings.Wheel }] });
    group.setToolActive(tools.PanTool.toolName, { bindings: [{ mouseButton: MouseBindings.Auxiliary }] });
    group.setToolActive(tools.ZoomTool.toolName, { bindings: [{ mouseButton: MouseBindings.Secondary }] });
    for (const t of [
      'Length',
      'Angle',
      'EllipticalROI',
      'RectangleROI',
      'Probe',
      'PlanarFreehandROI',
      'SplineROI',
      'LabelLength',
      'LabelAngle',
      'LabelPolyline',
    ]) {
      group.setToolPassive(t);
    }
    this.setPrimaryTool('WindowLevel');

    const onChange = () => this.emit();
    for (const ev of [
      csEnums.Events.STACK_NEW_IMAGE,
      csEnums.Events.CAMERA_MODIFIED,
      csEnums.Events.VOI_MODIFIED,
      csEnums.Events.IMAGE_RENDERED,
    ]) {
      element.addEventListener(ev, onChange);
      this.offs.push(() => element.removeEventListener(ev, onChange));
    }
    const onLoaded = (e: Event) => {
      const id = (e as CustomEvent<{ image?: { imageId?: string } }>).detail?.image?.imageId;
      if (id && this.imageIndex.has(id) && !this.loadedIds.has(id)) {
        this.loadedIds.add(id);
        this.emit();
      }
    };
    eventTarget.addEventListener(csEnums.Events.IMAGE_LOADED, onLoaded);
    this.offs.push(() => eventTarget.removeEventListener(csEnums.Events.IMAGE_LOADED, onLoaded));
  }

  private imageIndex = new Map<string, number>();

  get group(): NonNullable<ReturnType<typeof tools.ToolGroupManager.createToolGroup>> {
    return this.toolGroup;
  }

  get viewport(): core.StackViewport {
    return this.engine.getViewport(this.viewportId) as core.StackViewport;
  }

  get imageIds(): string[] {
    return this.images.map((i) => i.imageId);
  }

  get series(): readonly SeriesImage[] {
    return this.images;
  }

  /** Shows the series at `index`, then fetches the rest in the background (nearest first). */
  async open(images: SeriesImage[], index = 0): Promise<void> {
    this.stopCine();
    this.images = images;
    this.imageIndex = new Map(images.map((im, i) => [im.imageId, i]));
    this.loadedIds = new Set(
      images.filter((im) => cache.getImageLoadObject(im.imageId)).map((im) => im.imageId),
    );
    for (const im of images) dicomImageLoader.wadors.metaDataManager.add(im.imageId, im.metadata as never);
    await this.viewport.setStack(this.imageIds, Math.min(Math.max(0, index), images.length - 1));
    this.viewport.render();
    tools.utilities.stackPrefetch.enable(this.element);
    this.emit();
  }

  onChange(fn: (s: ViewState) => void): () => void {
    this.listeners.add(fn);
    fn(this.state());
    return () => this.listeners.delete(fn);
  }

  private emit(): void {
    if (this.listeners.size === 0) return;
    const s = this.state();
    for (const fn of this.listeners) fn(s);
  }

  state(): ViewState {
    const vp = this.viewport;
    const count = this.images.length;
    if (count === 0) return { index: 0, count: 0, loaded: 0, invert: false, zoom: 1 };
    const index = vp.getCurrentImageIdIndex();
    const props = vp.getProperties();
    const imageId = this.images[index]?.imageId;
    const cam = vp.getCamera();
    const plane = imageId
      ? (core.metaData.get('imagePlaneModule', imageId) as
          | { imagePositionPatient?: number[]; sliceThickness?: number }
          | undefined)
      : undefined;
    let slicePosition: number | undefined;
    if (plane?.imagePositionPatient && cam.viewPlaneNormal) {
      const [x, y, z] = plane.imagePositionPatient as [number, number, number];
      const [nx, ny, nz] = cam.viewPlaneNormal;
      // viewPlaneNormal points at the viewer (feet for axial); negate so "up the body" is positive.
      slicePosition = -(x * nx + y * ny + z * nz);
    }
    return {
      index,
      count,
      loaded: this.loadedIds.size,
      windowLevel: props.voiRange ? fromVoiRange(props.voiRange) : undefined,
      invert: Boolean(props.invert),
      markers:
        cam.viewUp && cam.viewPlaneNormal
          ? edgeMarkers(cam.viewUp as Vec3, cam.viewPlaneNormal as Vec3)
          : undefined,
      slicePosition,
      sliceThickness: plane?.sliceThickness,
      zoom: vp.getZoom(),
      imageId,
    };
  }

  setPrimaryTool(tool: PrimaryTool): void {
    const g = this.toolGroup;
    const prev = this.primary;
    // A tool left with any binding stays active: the wand's Shift binding must go with it.
    if (prev !== tool) g.setToolPassive(prev, prev === 'MagicWand' ? { removeAllBindings: true } : undefined);
    g.setToolActive(tool, {
      bindings: [
        { mouseButton: MouseBindings.Primary },
        // The wand erases with Shift held; Cornerstone matches bindings by modifier exactly.
        ...(tool === 'MagicWand'
          ? [{ mouseButton: MouseBindings.Primary, modifierKey: KeyboardBindings.Shift }]
          : []),
      ],
    });
    this.primary = tool;
  }

  get primaryTool(): PrimaryTool {
    return this.primary;
  }

  scroll(delta: number): void {
    const vp = this.viewport;
    const n = this.images.length;
    if (n === 0) return;
    const next = Math.min(n - 1, Math.max(0, vp.getCurrentImageIdIndex() + delta));
    void vp.setImageIdIndex(next);
  }

  goTo(index: number): Promise<string> {
    const n = this.images.length;
    return this.viewport.setImageIdIndex(Math.min(n - 1, Math.max(0, index)));
  }

  applyPreset(p: WindowPreset): void {
    this.setWindowLevel({ width: p.width, center: p.center });
  }

  setWindowLevel(wl: WindowLevel): void {
    this.viewport.setProperties({ voiRange: toVoiRange(wl) });
    this.viewport.render();
  }

  /** Undo/redo of measurement and annotation edits (Cornerstone's shared history). */
  undo(): void {
    core.utilities.HistoryMemo.DefaultHistoryMemo.undo();
    this.viewport.render();
  }

  redo(): void {
    core.utilities.HistoryMemo.DefaultHistoryMemo.redo();
    this.viewport.render();
  }

  toggleInvert(): void {
    const vp = this.viewport;
    vp.setProperties({ invert: !vp.getProperties().invert });
    vp.render();
  }

  reset(): void {
    const vp = this.viewport;
    vp.resetCamera();
    vp.resetProperties();
    vp.render();
  }

  zoomBy(factor: number): void {
    const vp = this.viewport;
    vp.setZoom(vp.getZoom() * factor);
    vp.render();
  }

  get cinePlaying(): boolean {
    return this.cineFps > 0;
  }

  playCine(fps = 20): void {
    tools.utilities.cine.playClip(this.element, { framesPerSecond: fps, loop: true });
    this.cineFps = fps;
  }

  stopCine(): void {
    if (this.cineFps > 0) tools.utilities.cine.stopClip(this.element);
    this.cineFps = 0;
  }

  /** Background fetching of the whole stack; benchmarks turn it off to time uncached slices. */
  setPrefetch(enabled: boolean): void {
    if (enabled) tools.utilities.stackPrefetch.enable(this.element);
    else tools.utilities.stackPrefetch.disable(this.element);
  }

  /** Drops decoded images so the next slice change goes to the network (benchmarks only). */
  purgeCache(): void {
    cache.purgeCache();
    this.loadedIds.clear();
  }

  resize(): void {
    this.engine.resize(true, true);
  }

  destroy(): void {
    this.stopCine();
    tools.utilities.stackPrefetch.disable(this.element);
    for (const off of this.offs) off();
    tools.ToolGroupManager.destroyToolGroup(this.toolGroupId);
    this.engine.destroy();
  }
}

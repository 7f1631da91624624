import type { AnnotationDoc, AttributeValue, Instructions, LabelDef, Mask, Shape } from '../api/tasks.ts';
import type { SeriesImage } from '../dicomweb/series-image-ids.ts';
import { core, tools } from '../viewer/cornerstone-runtime.ts';
import { WAND_EVENT, type WandClick } from '../viewer/magic-wand-tool.ts';
import type { PrimaryTool, StackViewer } from '../viewer/stack-viewer.ts';
import { gapsBetween, interpolateMasks } from './mask-interpolation.ts';
import { decodeRuns, encodeRuns, isEmpty } from './mask-rle.ts';
import { type GrowSlice, regionGrow, valueAt } from './region-grow.ts';

// The Cornerstone tool that draws each kind of label. Length, angle and polyline labels use their
// own tool instances (see StackViewer) so plain measurements stay out of the document.
const TOOL_FOR: Partial<
  Record<Exclude<LabelDef['tool'], 'mask'>, { tool: PrimaryTool; kind: Shape['kind'] }>
> = {
  bbox: { tool: 'RectangleROI', kind: 'bbox' },
  polygon: { tool: 'SplineROI', kind: 'polygon' },
  freehand: { tool: 'PlanarFreehandROI', kind: 'freehand' },
  point: { tool: 'Probe', kind: 'point' },
  polyline: { tool: 'LabelPolyline', kind: 'polyline' },
  length: { tool: 'LabelLength', kind: 'length' },
  angle: { tool: 'LabelAngle', kind: 'angle' },
};
const KIND_FOR_TOOL = new Map(Object.values(TOOL_FOR).map((v) => [v!.tool as string, v!.kind]));

/** Whether the viewer has a drawing tool for a label. */
export const canDraw = (label: LabelDef) => label.tool === 'mask' || TOOL_FOR[label.tool] !== undefined;

export type BrushMode = 'paint' | 'erase' | 'threshold' | 'wand';

/** Magic wand settings: tolerance in HU (CT; stored units otherwise) around the seed's value. */
export interface WandSettings {
  tolerance: number;
  threeD: boolean;
  /** The largest region accepted, in pixels (voxels in 3D). */
  maxSize: number;
}

export const DEFAULT_WAND: Readonly<WandSettings> = { tolerance: 50, threeD: false, maxSize: 2_000_000 };

/** What a mask tool did, for the panel to say. */
export type MaskNotice =
  | { kind: 'wand'; pixels: number; slices: number; erase: boolean }
  | { kind: 'wand-too-large'; maxSize: number }
  | { kind: 'interpolated'; slices: number }
  | { kind: 'nothing'; message: string };

/** The pixels one edit changed on one labelmap slice: positions and their values before and after. */
interface SliceEdit {
  index: number;
  at: Uint32Array;
  before: Uint8Array;
  after: Uint8Array;
}

type CsAnnotation = {
  annotationUID?: string;
  metadata: { toolName: string; referencedImageId?: string };
  data: {
    label?: string;
    handles?: { points?: number[][] };
    contour?: { polyline?: number[][] };
    polyline?: number[][];
  };
};

/**
 * A deep copy of a Cornerstone annotation for the undo history. Not structuredClone: freehand and
 * polyline annotations carry a callback (a function cannot be cloned, so deleting one threw);
 * functions are kept by reference, typed arrays copied, cycles followed.
 */
function copyAnnotation<T>(value: T, seen = new Map<object, unknown>()): T {
  if (typeof value !== 'object' || value === null) return value;
  const known = seen.get(value);
  if (known !== undefined) return known as T;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const copy = (value as unknown as { slice(): T }).slice();
    seen.set(value, copy);
    return copy;
  }
  const out: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
  seen.set(value, out);
  for (const [k, v] of Object.entries(value)) (out as Record<string, unknown>)[k] = copyAnnotation(v, seen);
  return out as T;
}

type Pixels = { length: number; [i: number]: number };

function pixelsOf(image: core.Types.IImage): Pixels {
  return (image.voxelManager?.getScalarData() ?? image.getPixelData()) as unknown as Pixels;
}

function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * The annotation state of one task on one stack: which label each Cornerstone annotation belongs
 * to, its attribute answers, the labelmap for mask labels, and the classifications. Produces the
 * API's AnnotationDoc; Cornerstone remains the source of truth for geometry.
 */
export class AnnotationSession {
  private labelOf = new Map<string, string>();
  private attributes = new Map<string, Record<string, AttributeValue>>();
  private classifications: AnnotationDoc['classifications'] = {};
  private active: LabelDef | undefined;
  private brushMode: BrushMode = 'paint';
  private hidden = new Set<string>();
  private opacity = new Map<string, number>();
  private segmentationId: string | undefined;
  private readonly segmentIndex = new Map<string, number>();
  private readonly offs: Array<() => void> = [];
  private listeners = new Set<(doc: AnnotationDoc) => void>();
  /** Run lengths per labelmap slice and segment, recomputed only for slices that changed. */
  private runsCache = new Map<number, Map<number, number[]>>();
  private dirtySlices = new Set<number>();
  private allSlicesDirty = true;
  private maskTimer: ReturnType<typeof setTimeout> | undefined;
  /** While a saved revision is being drawn back, Cornerstone's events are not edits. */
  private restoring = false;
  private selectListeners = new Set<(shapeId: string | undefined) => void>();
  private noticeListeners = new Set<(n: MaskNotice) => void>();
  private byImageId: Map<string, SeriesImage>;
  wand: WandSettings = { ...DEFAULT_WAND };

  constructor(
    private readonly viewer: StackViewer,
    readonly instructions: Instructions,
    private readonly seriesUid: string,
  ) {
    this.byImageId = new Map(viewer.series.map((s) => [s.imageId, s]));
    for (const [i, l] of instructions.labels.filter((x) => x.tool === 'mask').entries()) {
      this.segmentIndex.set(l.id, i + 1);
    }
    const E = tools.Enums.Events;
    const onCompleted = (e: Event) => {
      const a = (e as CustomEvent<{ annotation: CsAnnotation }>).detail.annotation;
      if (!a.annotationUID || !KIND_FOR_TOOL.has(a.metadata.toolName)) return;
      const activeTool =
        this.active && this.active.tool !== 'mask' ? TOOL_FOR[this.active.tool]?.tool : undefined;
      if (!this.labelOf.has(a.annotationUID) && this.active && activeTool === a.metadata.toolName) {
        this.labelOf.set(a.annotationUID, this.active.id);
        a.data.label = this.active.name;
        this.styleAnnotation(a.annotationUID, this.active);
      }
      this.changed();
      for (const fn of this.selectListeners) fn(a.annotationUID);
    };
    const onSelection = (e: Event) => {
      const sel = (e as CustomEvent<{ selection?: string[] }>).detail?.selection ?? [];
      const uid = sel.find((u) => this.labelOf.has(u));
      if (uid) for (const fn of this.selectListeners) fn(uid);
    };
    const onChanged = () => this.changed();
    // A brush stroke fires this for every pointer move: remember which slice changed and build
    // the document at most a few times a second, not per move.
    const onMaskChanged = () => {
      this.dirtySlices.add(this.viewer.viewport.getCurrentImageIdIndex());
      if (this.maskTimer) return;
      this.maskTimer = setTimeout(() => {
        this.maskTimer = undefined;
        this.changed();
      }, 250);
    };
    for (const [ev, fn] of [
      [E.ANNOTATION_COMPLETED, onCompleted],
      [E.ANNOTATION_MODIFIED, onChanged],
      [E.ANNOTATION_REMOVED, onChanged],
      [E.SEGMENTATION_DATA_MODIFIED, onMaskChanged],
      [E.ANNOTATION_SELECTION_CHANGE, onSelection],
    ] as const) {
      core.eventTarget.addEventListener(ev, fn);
      this.offs.push(() => core.eventTarget.removeEventListener(ev, fn));
    }
    const onWand = (e: Event) => void this.wandAt((e as CustomEvent<WandClick>).detail);
    viewer.element.addEventListener(WAND_EVENT, onWand);
    this.offs.push(() => viewer.element.removeEventListener(WAND_EVENT, onWand));
  }

  onNotice(fn: (n: MaskNotice) => void): () => void {
    this.noticeListeners.add(fn);
    return () => this.noticeListeners.delete(fn);
  }

  private notice(n: MaskNotice): void {
    for (const fn of this.noticeListeners) fn(n);
  }

  onChange(fn: (doc: AnnotationDoc) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    if (this.listeners.size === 0 || this.restoring) return;
    const d = this.doc();
    for (const fn of this.listeners) fn(d);
  }

  onSelect(fn: (shapeId: string | undefined) => void): () => void {
    this.selectListeners.add(fn);
    return () => this.selectListeners.delete(fn);
  }

  get activeLabel(): LabelDef | undefined {
    return this.active;
  }

  /** Picks a label: its tool becomes the left-button tool. */
  async selectLabel(labelId: string): Promise<void> {
    const label = this.instructions.labels.find((l) => l.id === labelId);
    if (!label) return;
    this.active = label;
    if (label.tool === 'mask') {
      await this.ensureSegmentation();
      const idx = this.segmentIndex.get(label.id) as number;
      tools.segmentation.segmentIndex.setActiveSegmentIndex(this.segmentationId as string, idx);
      if (label.threshold) this.setThreshold(label.threshold);
      this.setBrushMode(this.brushMode);
    } else {
      const tool = TOOL_FOR[label.tool];
      if (!tool) throw new Error(`labels drawn with ${label.tool} are not supported by this viewer yet`);
      this.viewer.setPrimaryTool(tool.tool);
    }
  }

  setBrushMode(mode: BrushMode): void {
    this.brushMode = mode;
    const tool: Record<BrushMode, PrimaryTool> = {
      paint: 'PaintBrush',
      erase: 'EraseBrush',
      threshold: 'ThresholdBrush',
      wand: 'MagicWand',
    };
    this.viewer.setPrimaryTool(tool[mode]);
  }

  setWand(settings: Partial<WandSettings>): void {
    this.wand = { ...this.wand, ...settings };
  }

  /** The active mask label's segment index, when one is picked and its labelmap exists. */
  private activeSegment(): number | undefined {
    if (this.active?.tool !== 'mask' || !this.segmentationId) return undefined;
    return this.segmentIndex.get(this.active.id);
  }

  /** Stored pixels of series image `i` with its rescale, or undefined when it is not loaded. */
  private growSlice(i: number, width: number, height: number): GrowSlice | undefined {
    const id = this.viewer.imageIds[i];
    const image = id ? core.cache.getImage(id) : undefined;
    if (!image || image.columns !== width || image.rows !== height) return undefined;
    // The loader usually applies the modality LUT already (preScale); then the pixels are HU.
    const scaled = Boolean((image as { preScale?: { scaled?: boolean } }).preScale?.scaled);
    return {
      pixels: pixelsOf(image),
      slope: scaled ? 1 : (image.slope ?? 1),
      intercept: scaled ? 0 : (image.intercept ?? 0),
    };
  }

  /**
   * Magic wand at a click: the connected region within ±tolerance of the seed's value, on this
   * slice or through the loaded volume, added to the active mask label (or taken out of it).
   */
  wandAt(click: WandClick): MaskNotice | undefined {
    const seg = this.activeSegment();
    if (seg === undefined) return undefined;
    const z = this.viewer.viewport.getCurrentImageIdIndex();
    const imageId = this.viewer.imageIds[z];
    const seedImage = imageId ? core.cache.getImage(imageId) : undefined;
    if (!imageId || !seedImage) return undefined;
    const { columns: width, rows: height } = seedImage;
    const [col, row] = core.utilities.worldToImageCoords(imageId, click.world as core.Types.Point3) ?? [];
    const x = Math.round(col ?? Number.NaN);
    const y = Math.round(row ?? Number.NaN);
    const slices = this.wand.threeD
      ? this.viewer.imageIds.map((_, i) => this.growSlice(i, width, height))
      : this.viewer.imageIds.map((_, i) => (i === z ? this.growSlice(i, width, height) : undefined));
    const seedValue = valueAt(slices[z], width, height, x, y);
    if (seedValue === undefined) {
      const n: MaskNotice = { kind: 'nothing', message: 'Click inside the image' };
      this.notice(n);
      return n;
    }
    const tol = Math.abs(this.wand.tolerance);
    const grown = regionGrow({
      width,
      height,
      slices,
      seed: { x, y, z },
      low: seedValue - tol,
      high: seedValue + tol,
      threeD: this.wand.threeD,
      maxSize: this.wand.maxSize,
    });
    if (grown.exceeded) {
      const n: MaskNotice = { kind: 'wand-too-large', maxSize: this.wand.maxSize };
      this.notice(n);
      return n;
    }
    const edits: SliceEdit[] = [];
    for (const [i, region] of grown.masks) {
      const edit = this.editSlice(i, (px) => {
        for (let p = 0; p < region.length; p++) {
          if (region[p] === 0) continue;
          if (!click.erase) px[p] = seg;
          else if (px[p] === seg) px[p] = 0;
        }
      });
      if (edit) edits.push(edit);
    }
    this.commitEdits(edits);
    const n: MaskNotice = { kind: 'wand', pixels: grown.size, slices: grown.masks.size, erase: click.erase };
    this.notice(n);
    return n;
  }

  /**
   * Fills the slices between drawn slices of the active mask label by shape-based interpolation;
   * only empty pixels are written, so other labels on those slices stay. One undoable edit.
   */
  interpolate(): MaskNotice {
    const seg = this.activeSegment();
    if (seg === undefined) {
      const n: MaskNotice = { kind: 'nothing', message: 'Pick a mask label first' };
      this.notice(n);
      return n;
    }
    const segIds = this.labelmapImageIds();
    const binary = (i: number): Uint8Array | undefined => {
      const image = core.cache.getImage(segIds[i] as string);
      if (!image) return undefined;
      const px = pixelsOf(image);
      const m = new Uint8Array(px.length);
      let any = false;
      for (let p = 0; p < px.length; p++) {
        if (px[p] === seg) {
          m[p] = 1;
          any = true;
        }
      }
      return any ? m : undefined;
    };
    const drawn = new Map<number, Uint8Array>();
    segIds.forEach((_, i) => {
      const m = binary(i);
      if (m) drawn.set(i, m);
    });
    const edits: SliceEdit[] = [];
    for (const [from, to] of gapsBetween(drawn.keys())) {
      const image = core.cache.getImage(segIds[from] as string);
      if (!image) continue;
      const filled = interpolateMasks(
        drawn.get(from) as Uint8Array,
        drawn.get(to) as Uint8Array,
        image.columns,
        image.rows,
        to - from - 1,
      );
      filled.forEach((m, k) => {
        const edit = this.editSlice(from + 1 + k, (px) => {
          for (let p = 0; p < m.length; p++) if (m[p] === 1 && px[p] === 0) px[p] = seg;
        });
        if (edit) edits.push(edit);
      });
    }
    if (edits.length === 0) {
      const n: MaskNotice = {
        kind: 'nothing',
        message: 'Draw the label on two slices with empty slices between them first',
      };
      this.notice(n);
      return n;
    }
    this.commitEdits(edits);
    const n: MaskNotice = { kind: 'interpolated', slices: edits.length };
    this.notice(n);
    return n;
  }

  /** Applies `fn` to labelmap slice `i`; what changed (kept small for the undo history), if anything. */
  private editSlice(i: number, fn: (px: Pixels) => void): SliceEdit | undefined {
    const id = this.labelmapImageIds()[i];
    const image = id ? core.cache.getImage(id) : undefined;
    if (!image) return undefined;
    const px = pixelsOf(image);
    const copy = Uint8Array.from(px as ArrayLike<number>);
    fn(px);
    let n = 0;
    for (let p = 0; p < copy.length; p++) if (px[p] !== copy[p]) n++;
    if (n === 0) return undefined;
    const edit: SliceEdit = {
      index: i,
      at: new Uint32Array(n),
      before: new Uint8Array(n),
      after: new Uint8Array(n),
    };
    let k = 0;
    for (let p = 0; p < copy.length; p++) {
      if (px[p] === copy[p]) continue;
      edit.at[k] = p;
      edit.before[k] = copy[p] as number;
      edit.after[k] = px[p] as number;
      k++;
    }
    return edit;
  }

  /** Redraws and saves slice edits, and records them as one step of the shared undo history. */
  private commitEdits(edits: SliceEdit[]): void {
    if (edits.length === 0) return;
    const apply = (which: 'before' | 'after') => {
      const ids = this.labelmapImageIds();
      for (const e of edits) {
        const image = core.cache.getImage(ids[e.index] as string);
        if (!image) continue;
        const px = pixelsOf(image);
        const src = e[which];
        for (let k = 0; k < e.at.length; k++) px[e.at[k] as number] = src[k] as number;
        this.dirtySlices.add(e.index);
      }
      tools.segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(
        this.segmentationId as string,
        edits.map((e) => e.index),
      );
    };
    core.utilities.HistoryMemo.DefaultHistoryMemo.push({
      id: `annex-mask-${edits.map((e) => e.index).join('-')}`,
      operationType: 'labelmap',
      restoreMemo: (undo?: boolean) => apply(undo ? 'before' : 'after'),
    });
    for (const e of edits) this.dirtySlices.add(e.index);
    tools.segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(
      this.segmentationId as string,
      edits.map((e) => e.index),
    );
    this.viewer.viewport.render();
    this.changed();
  }

  setBrushSize(size: number): void {
    for (const name of ['PaintBrush', 'EraseBrush', 'ThresholdBrush']) {
      tools.utilities.segmentation.setBrushSizeForToolGroup(this.viewer.toolGroupId, size, name);
    }
  }

  setThreshold(range: [number, number]): void {
    tools.utilities.segmentation.setBrushThresholdForToolGroup(this.viewer.toolGroupId, {
      range,
      isDynamic: false,
      dynamicRadius: 0,
    });
  }

  private async ensureSegmentation(): Promise<void> {
    if (this.segmentationId) return;
    const id = `annex-seg-${this.seriesUid}`;
    const images = core.imageLoader.createAndCacheDerivedLabelmapImages(this.viewer.imageIds);
    tools.segmentation.addSegmentations([
      {
        segmentationId: id,
        representation: {
          type: tools.Enums.SegmentationRepresentations.Labelmap,
          data: { imageIds: images.map((i) => i.imageId) },
        },
      },
    ]);
    await tools.segmentation.addLabelmapRepresentationToViewport(this.viewer.viewportId, [
      { segmentationId: id },
    ]);
    this.segmentationId = id;
    for (const label of this.instructions.labels) {
      const idx = this.segmentIndex.get(label.id);
      if (idx === undefined) continue;
      const [r, g, b] = hexToRgb(label.color);
      tools.segmentation.config.color.setSegmentIndexColor(this.viewer.viewportId, id, idx, [r, g, b, 255]);
    }
  }

  private styleAnnotation(uid: string, label: LabelDef): void {
    const [r, g, b] = hexToRgb(label.color);
    const a = this.opacity.get(label.id) ?? 1;
    const color = `rgba(${r}, ${g}, ${b}, ${a})`;
    tools.annotation.config.style.setAnnotationStyles(uid, {
      color,
      colorHighlighted: color,
      colorSelected: color,
    });
  }

  setLabelVisible(labelId: string, visible: boolean): void {
    if (visible) this.hidden.delete(labelId);
    else this.hidden.add(labelId);
    for (const [uid, l] of this.labelOf) {
      if (l === labelId) tools.annotation.visibility.setAnnotationVisibility(uid, visible);
    }
    const idx = this.segmentIndex.get(labelId);
    if (idx !== undefined && this.segmentationId) {
      tools.segmentation.config.visibility.setSegmentIndexVisibility(
        this.viewer.viewportId,
        { segmentationId: this.segmentationId, type: tools.Enums.SegmentationRepresentations.Labelmap },
        idx,
        visible,
      );
    }
    this.viewer.viewport.render();
  }

  isVisible(labelId: string): boolean {
    return !this.hidden.has(labelId);
  }

  setLabelOpacity(labelId: string, opacity: number): void {
    const label = this.instructions.labels.find((l) => l.id === labelId);
    if (!label) return;
    this.opacity.set(labelId, opacity);
    for (const [uid, l] of this.labelOf) if (l === labelId) this.styleAnnotation(uid, label);
    const idx = this.segmentIndex.get(labelId);
    if (idx !== undefined && this.segmentationId) {
      const [r, g, b] = hexToRgb(label.color);
      tools.segmentation.config.color.setSegmentIndexColor(this.viewer.viewportId, this.segmentationId, idx, [
        r,
        g,
        b,
        Math.round(opacity * 255),
      ]);
    }
    tools.utilities.triggerAnnotationRenderForViewportIds([this.viewer.viewportId]);
    this.viewer.viewport.render();
  }

  /** Deletes a drawn label (any kind); undoable. */
  deleteShape(shapeId: string): boolean {
    const labelId = this.labelOf.get(shapeId);
    const annotation = tools.annotation.state.getAnnotation(shapeId);
    if (!labelId || !annotation) return false;
    const saved = copyAnnotation(annotation);
    const attrs = this.attributes.get(shapeId);
    const remove = () => {
      tools.annotation.state.removeAnnotation(shapeId);
      this.labelOf.delete(shapeId);
    };
    const add = () => {
      tools.annotation.state.addAnnotation(copyAnnotation(saved), this.viewer.element);
      this.labelOf.set(shapeId, labelId);
      if (attrs) this.attributes.set(shapeId, attrs);
      const label = this.instructions.labels.find((l) => l.id === labelId);
      if (label) this.styleAnnotation(shapeId, label);
    };
    core.utilities.HistoryMemo.DefaultHistoryMemo.push({
      id: `annex-delete-${shapeId}`,
      restoreMemo: (undo?: boolean) => (undo ? add() : remove()),
    });
    remove();
    tools.utilities.triggerAnnotationRenderForViewportIds([this.viewer.viewportId]);
    for (const fn of this.selectListeners) fn(undefined);
    this.changed();
    return true;
  }

  setShapeAttribute(shapeId: string, attributeId: string, value: AttributeValue): void {
    const cur = this.attributes.get(shapeId) ?? {};
    this.attributes.set(shapeId, { ...cur, [attributeId]: value });
    this.changed();
  }

  setClassification(classificationId: string, target: string, value: AttributeValue): void {
    this.classifications = {
      ...this.classifications,
      [classificationId]: { ...(this.classifications[classificationId] ?? {}), [target]: value },
    };
    this.changed();
  }

  undo(): void {
    core.utilities.HistoryMemo.DefaultHistoryMemo.undo();
    this.allSlicesDirty = true;
    this.viewer.viewport.render();
    this.changed();
  }

  redo(): void {
    core.utilities.HistoryMemo.DefaultHistoryMemo.redo();
    this.allSlicesDirty = true;
    this.viewer.viewport.render();
    this.changed();
  }

  private shapes(): Shape[] {
    const out: Shape[] = [];
    const all = (tools.annotation.state.getAllAnnotations() ?? []) as unknown as CsAnnotation[];
    for (const a of all) {
      const uid = a.annotationUID;
      const kind = KIND_FOR_TOOL.get(a.metadata.toolName);
      const labelId = uid ? this.labelOf.get(uid) : undefined;
      const imageId = a.metadata.referencedImageId;
      const ref = imageId ? this.byImageId.get(imageId) : undefined;
      if (!uid || !kind || !labelId || !imageId || !ref) continue;
      const world =
        (kind === 'freehand' || kind === 'polyline'
          ? (a.data.contour?.polyline ?? a.data.polyline)
          : a.data.handles?.points) ?? [];
      let points = world.map((p) => {
        const [x, y] = core.utilities.worldToImageCoords(imageId, p as core.Types.Point3) ?? [
          Number.NaN,
          Number.NaN,
        ];
        return [Math.round(x * 100) / 100, Math.round(y * 100) / 100] as [number, number];
      });
      if (kind === 'bbox' && points.length >= 2) {
        const xs = points.map((p) => p[0]);
        const ys = points.map((p) => p[1]);
        points = [
          [Math.min(...xs), Math.min(...ys)],
          [Math.max(...xs), Math.max(...ys)],
        ];
      }
      if (kind === 'point') points = points.slice(0, 1);
      if (kind === 'length') points = points.slice(0, 2);
      if (kind === 'angle') points = points.slice(0, 3);
      out.push({
        id: uid,
        labelId,
        kind,
        image: { seriesUid: this.seriesUid, sopInstanceUid: ref.sopInstanceUid, frame: ref.frame },
        points,
        attributes: this.attributes.get(uid) ?? {},
      });
    }
    return out;
  }

  private masks(): Mask[] {
    if (!this.segmentationId) return [];
    const segImageIds = this.labelmapImageIds();
    const byLabel = new Map<string, Mask>();
    segImageIds.forEach((segId, i) => {
      const image = core.cache.getImage(segId);
      const ref = this.viewer.series[i];
      if (!image || !ref) return;
      let runs = this.runsCache.get(i);
      if (!runs || this.allSlicesDirty || this.dirtySlices.has(i)) {
        const pixels = pixelsOf(image);
        runs = new Map([...this.segmentIndex.values()].map((idx) => [idx, encodeRuns(pixels, idx)]));
        this.runsCache.set(i, runs);
      }
      for (const [labelId, idx] of this.segmentIndex) {
        const r = runs.get(idx);
        if (!r || isEmpty(r)) continue;
        let mask = byLabel.get(labelId);
        if (!mask) {
          mask = { labelId, rows: image.rows, columns: image.columns, slices: [], attributes: {} };
          byLabel.set(labelId, mask);
        }
        mask.slices.push({
          image: { seriesUid: this.seriesUid, sopInstanceUid: ref.sopInstanceUid, frame: ref.frame },
          runs: r,
        });
      }
    });
    this.dirtySlices.clear();
    this.allSlicesDirty = false;
    // Label order, as in the instructions.
    return [...this.segmentIndex.keys()].flatMap((id) => byLabel.get(id) ?? []);
  }

  private labelmapImageIds(): string[] {
    const ids = this.segmentationId ? tools.segmentation.getLabelmapImageIds(this.segmentationId) : undefined;
    return Array.isArray(ids) ? ids : ids ? [ids] : [];
  }

  doc(): AnnotationDoc {
    return {
      shapes: this.shapes(),
      masks: this.masks(),
      classifications: structuredClone(this.classifications),
    };
  }

  /** Draws a saved revision back: shapes as Cornerstone annotations, masks into the labelmap. */
  async restore(doc: AnnotationDoc): Promise<void> {
    this.restoring = true;
    try {
      this.classifications = structuredClone(doc.classifications);
      for (const shape of doc.shapes) this.restoreShape(shape);
      if (doc.masks.length > 0) await this.restoreMasks(doc.masks);
      this.allSlicesDirty = true;
      this.viewer.viewport.render();
    } finally {
      this.restoring = false;
    }
  }

  private restoreShape(shape: Shape): void {
    const label = this.instructions.labels.find((l) => l.id === shape.labelId);
    const ref = this.viewer.series.find(
      (s) => s.sopInstanceUid === shape.image.sopInstanceUid && s.frame === shape.image.frame,
    );
    if (!label || !ref || shape.points.length === 0) return;
    const imageId = ref.imageId;
    const w = (p: readonly [number, number]) =>
      core.utilities.imageToWorldCoords(imageId, [p[0], p[1]]) as core.Types.Point3;
    const opts = { annotationUID: shape.id, referencedImageId: imageId };
    const vpId = this.viewer.viewportId;
    switch (shape.kind) {
      case 'bbox': {
        const [[x0, y0], [x1, y1]] = [shape.points[0], shape.points[1] ?? shape.points[0]] as [
          [number, number],
          [number, number],
        ];
        tools.RectangleROITool.hydrate(vpId, [w([x0, y0]), w([x1, y0]), w([x0, y1]), w([x1, y1])], opts);
        break;
      }
      case 'point':
        tools.ProbeTool.hydrate(vpId, [w(shape.points[0] as [number, number])], opts);
        break;
      case 'polygon':
        tools.SplineROITool.hydrate(vpId, shape.points.map(w), {
          ...opts,
          splineType: tools.SplineROITool.SplineTypes.Linear,
        });
        break;
      case 'length':
      case 'angle': {
        // Hydrated through the label's tool instance, so the annotation carries its tool name.
        const toolInstance = this.viewer.group.getToolInstance(
          shape.kind === 'length' ? 'LabelLength' : 'LabelAngle',
        );
        if (shape.kind === 'length')
          tools.LengthTool.hydrate(vpId, shape.points.map(w), { ...opts, toolInstance });
        else tools.AngleTool.hydrate(vpId, shape.points.map(w), { ...opts, toolInstance });
        break;
      }
      case 'polyline':
      case 'freehand': {
        const plane = core.metaData.get('imagePlaneModule', imageId) as
          | { frameOfReferenceUID?: string }
          | undefined;
        tools.annotation.state.addAnnotation(
          {
            annotationUID: shape.id,
            highlighted: false,
            invalidated: true,
            isLocked: false,
            isVisible: true,
            autoGenerated: false,
            metadata: {
              toolName: shape.kind === 'polyline' ? 'LabelPolyline' : tools.PlanarFreehandROITool.toolName,
              referencedImageId: imageId,
              FrameOfReferenceUID: plane?.frameOfReferenceUID ?? '',
            },
            data: {
              handles: { points: [], activeHandleIndex: null },
              contour: { polyline: shape.points.map(w), closed: shape.kind !== 'polyline' },
              label: label.name,
              cachedStats: {},
            },
          } as unknown as Parameters<typeof tools.annotation.state.addAnnotation>[0],
          this.viewer.element,
        );
        break;
      }
    }
    this.labelOf.set(shape.id, label.id);
    this.attributes.set(shape.id, { ...shape.attributes });
    this.styleAnnotation(shape.id, label);
  }

  private async restoreMasks(masks: Mask[]): Promise<void> {
    await this.ensureSegmentation();
    const segImageIds = this.labelmapImageIds();
    const indexOf = new Map(this.viewer.series.map((s, i) => [`${s.sopInstanceUid}/${s.frame}`, i]));
    for (const m of masks) {
      const seg = this.segmentIndex.get(m.labelId);
      if (seg === undefined) continue;
      for (const s of m.slices) {
        const i = indexOf.get(`${s.image.sopInstanceUid}/${s.image.frame}`);
        const image = i === undefined ? undefined : core.cache.getImage(segImageIds[i] as string);
        if (!image) continue;
        decodeRuns(s.runs, seg, pixelsOf(image));
      }
    }
    tools.segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(
      this.segmentationId as string,
    );
  }

  destroy(): void {
    if (this.maskTimer) clearTimeout(this.maskTimer);
    for (const off of this.offs) off();
    if (this.segmentationId) tools.segmentation.removeSegmentation(this.segmentationId);
  }
}

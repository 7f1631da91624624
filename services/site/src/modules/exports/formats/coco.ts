import type { AnnotationDoc, AttributeValue, Instructions, Mask, Shape } from '@annex/annotation-model';
import type { CocoInfo, CocoRle } from './coco-schema.ts';

/*
 * Pixel convention. COCO puts (0, 0) at the top-left CORNER of the top-left pixel; pixel (c, r) covers
 * [c, c+1) x [r, r+1) and its centre is (c + 0.5, r + 0.5). Annex points use the same continuous
 * convention (the viewer's tools floor a point to find its pixel), so points are written as they are:
 * no 0.5 shift. Masks are per-pixel and need no convention beyond row/column order.
 */

export interface AnnexCocoCategory {
  id: number;
  name: string;
  /** The label's category meaning (SEG Segmented Property Category), else 'annex'. */
  supercategory: string;
  annex_label_id: string;
  code?: { scheme: string; value: string; meaning: string };
}

export interface AnnexCocoImage {
  id: number;
  width: number;
  height: number;
  file_name: string;
  dicom_sop_instance_uid: string;
  dicom_frame: number;
}

export interface AnnexCocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  segmentation: number[][] | CocoRle;
  area: number;
  bbox: [number, number, number, number];
  iscrowd: 0 | 1;
  attributes: Record<string, AttributeValue>;
  /** The pseudonym of the task whose final label set this came from. */
  task: string;
}

export interface AnnexCocoDataset {
  info: CocoInfo;
  licenses: { id: number; name: string; url: string }[];
  images: AnnexCocoImage[];
  annotations: AnnexCocoAnnotation[];
  categories: AnnexCocoCategory[];
}

export interface CocoImageInput {
  sopInstanceUid: string;
  /** 1-based frame number, as in the annotation document. */
  frame: number;
  rows: number;
  columns: number;
  /** Where the rendered frame lies in the bundle (PNG); without it the entry names the DICOM instance. */
  fileName?: string;
}

export interface CocoInput {
  instructions: Instructions;
  images: readonly CocoImageInput[];
  /** One final label set per task; `task` is the task's pseudonym, written on each annotation. */
  labelSets: readonly { task: string; doc: AnnotationDoc }[];
  info?: Partial<CocoInfo>;
}

/** Why an annotation was left out: a shape kind COCO has no place for, or a defect of the input. */
export type SkipReason =
  | 'polyline'
  | 'point'
  | 'length'
  | 'angle'
  | 'unknown-label'
  | 'unknown-image'
  | 'degenerate'
  | 'empty-mask'
  | 'size-mismatch';

export interface CocoResult {
  coco: AnnexCocoDataset;
  skipped: Partial<Record<SkipReason, number>>;
}

const CATEGORY_TOOLS = new Set(['bbox', 'polygon', 'freehand', 'mask']);
const imageKey = (sop: string, frame: number) => `${sop}/${frame}`;

/** Twice-signed shoelace area of a closed ring, made positive. */
export function polygonArea(points: readonly (readonly [number, number])[]): number {
  let twice = 0;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i]!;
    const [xj, yj] = points[j]!;
    twice += xj * yi - xi * yj;
  }
  return Math.abs(twice) / 2;
}

function bounds(points: readonly (readonly [number, number])[]): [number, number, number, number] {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const [x, y] of points) {
    if (x < x0) x0 = x;
    if (y < y0) y0 = y;
    if (x > x1) x1 = x;
    if (y > y1) y1 = y;
  }
  return [x0, y0, x1 - x0, y1 - y0];
}

/**
 * Turns Annex row-major runs (zeros first) of one rows x columns frame into COCO's uncompressed RLE:
 * column-major (Fortran) order, zeros first. Also gives the pixel count and the pixels' bounding box.
 * Returns null when the runs do not cover the frame exactly.
 */
export function runsToCocoRle(
  runs: readonly number[],
  rows: number,
  columns: number,
): { counts: number[]; area: number; bbox: [number, number, number, number] } | null {
  const n = rows * columns;
  const pixels = new Uint8Array(n);
  let at = 0;
  let area = 0;
  for (let i = 0; i < runs.length; i++) {
    const len = runs[i]!;
    if (at + len > n) return null;
    if (i % 2 === 1) {
      pixels.fill(1, at, at + len);
      area += len;
    }
    at += len;
  }
  if (at !== n) return null;
  const counts: number[] = [];
  let value = 0;
  let run = 0;
  let c0 = columns;
  let c1 = -1;
  let r0 = rows;
  let r1 = -1;
  for (let c = 0; c < columns; c++) {
    for (let r = 0, i = c; r < rows; r++, i += columns) {
      const v = pixels[i]!;
      if (v !== value) {
        counts.push(run);
        run = 0;
        value = v;
      }
      run++;
      if (v === 1) {
        if (c < c0) c0 = c;
        c1 = c;
        if (r < r0) r0 = r;
        if (r > r1) r1 = r;
      }
    }
  }
  counts.push(run);
  const bbox: [number, number, number, number] =
    area === 0 ? [0, 0, 0, 0] : [c0, r0, c1 - c0 + 1, r1 - r0 + 1];
  return { counts, area, bbox };
}

/** Unions the row-major runs of several masks of one label on one frame (rare: a label painted twice). */
function unionRuns(all: readonly (readonly number[])[], n: number): number[] {
  if (all.length === 1) return [...all[0]!];
  const pixels = new Uint8Array(n);
  for (const runs of all) {
    let at = 0;
    for (let i = 0; i < runs.length; i++) {
      if (i % 2 === 1) pixels.fill(1, at, Math.min(n, at + runs[i]!));
      at += runs[i]!;
    }
  }
  const out: number[] = [];
  let value = 0;
  let run = 0;
  for (let i = 0; i < n; i++) {
    if (pixels[i] !== value) {
      out.push(run);
      run = 0;
      value = pixels[i]!;
    }
    run++;
  }
  out.push(run);
  return out;
}

const copyAttributes = (a: Record<string, AttributeValue>) => structuredClone(a);

/**
 * Builds a COCO dataset (cocodataset.org/#format-data) from final label sets: boxes, polygons and
 * freehand outlines as polygon annotations, masks as uncompressed RLE (iscrowd 1, one per label, frame
 * and task). Shapes COCO cannot hold (polylines, points, lengths, angles) are counted in `skipped`.
 */
export function toCoco(input: CocoInput): CocoResult {
  const skipped: Partial<Record<SkipReason, number>> = {};
  const skip = (reason: SkipReason) => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
  };

  const categories: AnnexCocoCategory[] = [];
  const categoryOf = new Map<string, number>();
  for (const label of input.instructions.labels) {
    if (!CATEGORY_TOOLS.has(label.tool)) continue;
    const id = categories.length + 1;
    categoryOf.set(label.id, id);
    categories.push({
      id,
      name: label.name,
      supercategory: label.category?.meaning ?? 'annex',
      annex_label_id: label.id,
      ...(label.code ? { code: { ...label.code } } : {}),
    });
  }

  const images: AnnexCocoImage[] = [];
  const imageOf = new Map<string, AnnexCocoImage>();
  for (const img of input.images) {
    const key = imageKey(img.sopInstanceUid, img.frame);
    if (imageOf.has(key)) continue;
    const entry: AnnexCocoImage = {
      id: images.length + 1,
      width: img.columns,
      height: img.rows,
      file_name: img.fileName ?? `${img.sopInstanceUid}_${img.frame}.dcm`,
      dicom_sop_instance_uid: img.sopInstanceUid,
      dicom_frame: img.frame,
    };
    images.push(entry);
    imageOf.set(key, entry);
  }

  const annotations: AnnexCocoAnnotation[] = [];
  const push = (a: Omit<AnnexCocoAnnotation, 'id'>) => annotations.push({ id: annotations.length + 1, ...a });

  for (const { task, doc } of input.labelSets) {
    for (const shape of doc.shapes) {
      const converted = shapeAnnotation(shape);
      if (typeof converted === 'string') {
        skip(converted);
        continue;
      }
      const category = categoryOf.get(shape.labelId);
      if (category === undefined) {
        skip('unknown-label');
        continue;
      }
      const image = imageOf.get(imageKey(shape.image.sopInstanceUid, shape.image.frame));
      if (!image) {
        skip('unknown-image');
        continue;
      }
      push({
        image_id: image.id,
        category_id: category,
        ...converted,
        iscrowd: 0,
        attributes: copyAttributes(shape.attributes),
        task,
      });
    }
    for (const group of maskGroups(doc.masks, skip)) {
      const category = categoryOf.get(group.labelId);
      if (category === undefined) {
        skip('unknown-label');
        continue;
      }
      const image = imageOf.get(group.key);
      if (!image) {
        skip('unknown-image');
        continue;
      }
      if (image.height !== group.rows || image.width !== group.columns) {
        skip('size-mismatch');
        continue;
      }
      const runs = unionRuns(group.runs, group.rows * group.columns);
      const rle = runsToCocoRle(runs, group.rows, group.columns);
      if (!rle) {
        skip('size-mismatch');
        continue;
      }
      if (rle.area === 0) {
        skip('empty-mask');
        continue;
      }
      push({
        image_id: image.id,
        category_id: category,
        segmentation: { size: [group.rows, group.columns], counts: rle.counts },
        area: rle.area,
        bbox: rle.bbox,
        iscrowd: 1,
        attributes: copyAttributes(group.attributes),
        task,
      });
    }
  }

  const info: CocoInfo = {
    year: input.info?.year ?? new Date().getUTCFullYear(),
    version: input.info?.version ?? '1.0',
    description: input.info?.description ?? 'Annex label export',
    contributor: input.info?.contributor ?? 'Annex',
    url: input.info?.url ?? '',
    date_created: input.info?.date_created ?? new Date().toISOString(),
  };
  return { coco: { info, licenses: [], images, annotations, categories }, skipped };
}

type ShapeGeometry = Pick<AnnexCocoAnnotation, 'segmentation' | 'area' | 'bbox'>;

function shapeAnnotation(shape: Shape): ShapeGeometry | SkipReason {
  switch (shape.kind) {
    case 'bbox': {
      if (shape.points.length < 2) return 'degenerate';
      const [x, y, w, h] = bounds(shape.points);
      if (!(w > 0 && h > 0)) return 'degenerate';
      // The rectangle as a polygon too, as COCO's own box-only results are loaded (pycocotools loadRes).
      return { bbox: [x, y, w, h], area: w * h, segmentation: [[x, y, x + w, y, x + w, y + h, x, y + h]] };
    }
    case 'polygon':
    case 'freehand': {
      // COCO polygons need three points (pycocotools refuses fewer than six numbers).
      if (shape.points.length < 3) return 'degenerate';
      const area = polygonArea(shape.points);
      if (!(area > 0)) return 'degenerate';
      return { bbox: bounds(shape.points), area, segmentation: [shape.points.flat()] };
    }
    default:
      return shape.kind;
  }
}

interface MaskGroup {
  labelId: string;
  key: string;
  rows: number;
  columns: number;
  runs: number[][];
  attributes: Record<string, AttributeValue>;
}

/** One group per label and frame of one document, so a frame's label is one annotation. */
function maskGroups(masks: readonly Mask[], skip: (reason: SkipReason) => void): MaskGroup[] {
  const groups = new Map<string, MaskGroup>();
  for (const mask of masks) {
    for (const slice of mask.slices) {
      const key = imageKey(slice.image.sopInstanceUid, slice.image.frame);
      const id = `${mask.labelId}\0${key}`;
      const g = groups.get(id);
      if (g && (g.rows !== mask.rows || g.columns !== mask.columns)) skip('size-mismatch');
      else if (g) g.runs.push(slice.runs);
      else
        groups.set(id, {
          labelId: mask.labelId,
          key,
          rows: mask.rows,
          columns: mask.columns,
          runs: [slice.runs],
          attributes: mask.attributes,
        });
    }
  }
  return [...groups.values()];
}

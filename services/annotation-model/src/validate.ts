import type { AnnotationDoc, AttributeValue, MaskSlice } from './document.ts';
import type { AttributeDef, Instructions } from './instructions.ts';

/** One reason a document does not satisfy its instructions; `path` points into the document. */
export interface ValidationProblem {
  code:
    | 'UNKNOWN_LABEL'
    | 'WRONG_TOOL'
    | 'REQUIRED_LABEL_MISSING'
    | 'REQUIRED_ATTRIBUTE_MISSING'
    | 'ATTRIBUTE_INVALID'
    | 'UNKNOWN_ATTRIBUTE'
    | 'OUTSIDE_IMAGE'
    | 'UNKNOWN_IMAGE'
    | 'BAD_GEOMETRY'
    | 'MASK_SIZE'
    | 'REQUIRED_CLASSIFICATION_MISSING'
    | 'UNKNOWN_CLASSIFICATION';
  path: string;
  message: string;
}

/** Rows/columns/frames of each image the task covers, keyed by the SOP instance UID the annotator sees. */
export type ImageSizes = Map<string, { rows: number; columns: number; frames: number }>;

const POINT_COUNT: Record<string, [number, number]> = {
  bbox: [2, 2],
  point: [1, 1],
  length: [2, 2],
  angle: [3, 3],
  polygon: [3, 10_000],
  polyline: [2, 10_000],
  freehand: [3, 10_000],
};

// Which shape kinds a label's tool allows (freehand draws polygons; length/angle are measurements).
const KINDS_FOR_TOOL: Record<string, string[]> = {
  bbox: ['bbox'],
  polygon: ['polygon', 'freehand'],
  freehand: ['freehand', 'polygon'],
  polyline: ['polyline'],
  point: ['point'],
  length: ['length'],
  angle: ['angle'],
  mask: [],
};

function attributeProblem(def: AttributeDef, value: AttributeValue): string | undefined {
  if (value === null) return undefined;
  switch (def.type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'number':
      if (typeof value !== 'number') return 'must be a number';
      if (def.min !== undefined && value < def.min) return `must be at least ${def.min}`;
      if (def.max !== undefined && value > def.max) return `must be at most ${def.max}`;
      return undefined;
    case 'select':
      return typeof value === 'string' && def.options?.includes(value)
        ? undefined
        : 'must be one of the options';
    case 'multiselect':
      return Array.isArray(value) && value.every((v) => def.options?.includes(v))
        ? undefined
        : 'must be options from the list';
    case 'text':
      return typeof value === 'string' ? undefined : 'must be text';
  }
}

function checkAttributes(
  defs: AttributeDef[],
  values: Record<string, AttributeValue>,
  path: string,
  forSubmit: boolean,
  problems: ValidationProblem[],
) {
  const byId = new Map(defs.map((d) => [d.id, d]));
  for (const key of Object.keys(values)) {
    if (!byId.has(key))
      problems.push({
        code: 'UNKNOWN_ATTRIBUTE',
        path: `${path}.${key}`,
        message: `no attribute "${key}" in the instructions`,
      });
  }
  for (const def of defs) {
    // A conditional attribute only counts when its condition holds.
    if (def.showIf && values[def.showIf.attribute] !== def.showIf.equals) continue;
    const value = values[def.id];
    if (
      value === undefined ||
      value === null ||
      value === '' ||
      (Array.isArray(value) && value.length === 0)
    ) {
      if (forSubmit && def.required) {
        problems.push({
          code: 'REQUIRED_ATTRIBUTE_MISSING',
          path: `${path}.${def.id}`,
          message: `"${def.label}" needs an answer`,
        });
      }
      continue;
    }
    const problem = attributeProblem(def, value);
    if (problem)
      problems.push({
        code: 'ATTRIBUTE_INVALID',
        path: `${path}.${def.id}`,
        message: `"${def.label}" ${problem}`,
      });
  }
}

const runsTotal = (slice: MaskSlice) => slice.runs.reduce((a, b) => a + b, 0);

/**
 * Checks a document against its instructions. Every save is checked for shape (labels exist, tools
 * match, geometry inside the image, answers valid); `forSubmit` also requires the required labels,
 * attributes and classifications.
 */
export function validateDocument(
  doc: AnnotationDoc,
  instructions: Instructions,
  images: ImageSizes,
  forSubmit: boolean,
): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const labels = new Map(instructions.labels.map((l) => [l.id, l]));
  const imageOf = (sop: string, frame: number, path: string) => {
    const size = images.get(sop);
    if (!size || frame > size.frames) {
      problems.push({
        code: 'UNKNOWN_IMAGE',
        path,
        message: 'refers to an image that is not part of this task',
      });
      return undefined;
    }
    return size;
  };

  for (const [i, shape] of doc.shapes.entries()) {
    const path = `shapes[${i}]`;
    const label = labels.get(shape.labelId);
    if (!label) {
      problems.push({
        code: 'UNKNOWN_LABEL',
        path,
        message: `no label "${shape.labelId}" in the instructions`,
      });
      continue;
    }
    if (!KINDS_FOR_TOOL[label.tool]?.includes(shape.kind)) {
      problems.push({
        code: 'WRONG_TOOL',
        path,
        message: `label "${label.name}" is drawn with ${label.tool}, not ${shape.kind}`,
      });
      continue;
    }
    const [min, max] = POINT_COUNT[shape.kind]!;
    if (shape.points.length < min || shape.points.length > max) {
      problems.push({
        code: 'BAD_GEOMETRY',
        path,
        message: `a ${shape.kind} needs ${min === max ? min : `${min} or more`} points`,
      });
    }
    const size = imageOf(shape.image.sopInstanceUid, shape.image.frame, `${path}.image`);
    if (size && shape.points.some(([x, y]) => x < 0 || y < 0 || x > size.columns || y > size.rows)) {
      problems.push({ code: 'OUTSIDE_IMAGE', path, message: 'has points outside the image' });
    }
    checkAttributes(label.attributes, shape.attributes, `${path}.attributes`, forSubmit, problems);
  }

  for (const [i, mask] of doc.masks.entries()) {
    const path = `masks[${i}]`;
    const label = labels.get(mask.labelId);
    if (!label) {
      problems.push({
        code: 'UNKNOWN_LABEL',
        path,
        message: `no label "${mask.labelId}" in the instructions`,
      });
      continue;
    }
    if (label.tool !== 'mask') {
      problems.push({
        code: 'WRONG_TOOL',
        path,
        message: `label "${label.name}" is not a mask label`,
      });
      continue;
    }
    mask.slices.forEach((slice, j) => {
      const size = imageOf(slice.image.sopInstanceUid, slice.image.frame, `${path}.slices[${j}]`);
      if (
        size &&
        (size.rows !== mask.rows ||
          size.columns !== mask.columns ||
          runsTotal(slice) !== mask.rows * mask.columns)
      ) {
        problems.push({
          code: 'MASK_SIZE',
          path: `${path}.slices[${j}]`,
          message: 'the mask does not match the image size',
        });
      }
    });
    checkAttributes(label.attributes, mask.attributes, `${path}.attributes`, forSubmit, problems);
  }

  const classDefs = new Map(instructions.classifications.map((c) => [c.id, c]));
  for (const [id, targets] of Object.entries(doc.classifications)) {
    const def = classDefs.get(id);
    if (!def) {
      problems.push({
        code: 'UNKNOWN_CLASSIFICATION',
        path: `classifications.${id}`,
        message: `no classification "${id}"`,
      });
      continue;
    }
    for (const [target, value] of Object.entries(targets)) {
      const problem = attributeProblem({ ...def, required: def.required } as AttributeDef, value);
      if (problem)
        problems.push({
          code: 'ATTRIBUTE_INVALID',
          path: `classifications.${id}.${target}`,
          message: `"${def.label}" ${problem}`,
        });
    }
  }

  if (forSubmit) {
    for (const label of instructions.labels) {
      if (!label.required) continue;
      const present =
        doc.shapes.some((s) => s.labelId === label.id) ||
        doc.masks.some((m) => m.labelId === label.id && m.slices.some((s) => s.runs.length > 1));
      if (!present)
        problems.push({
          code: 'REQUIRED_LABEL_MISSING',
          path: 'labels',
          message: `label "${label.name}" is required`,
        });
    }
    for (const def of instructions.classifications) {
      // The study-level answer is keyed "study" or by the study's UID (as the viewer writes it).
      const answered = Object.values(doc.classifications[def.id] ?? {}).some((v) => v !== null && v !== '');
      if (def.required && def.level === 'study' && !answered) {
        problems.push({
          code: 'REQUIRED_CLASSIFICATION_MISSING',
          path: `classifications.${def.id}`,
          message: `"${def.label}" needs an answer`,
        });
      }
    }
  }
  return problems;
}

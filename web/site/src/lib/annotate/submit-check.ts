import type { AnnotationDoc, AttributeDef, AttributeValue, Instructions } from '../api/tasks.ts';

/** What the instructions still require, in words an annotator can act on. Empty means submittable. */
export function missingForSubmit(instructions: Instructions, doc: AnnotationDoc, studyUid: string): string[] {
  const missing: string[] = [];
  for (const label of instructions.labels) {
    const count =
      label.tool === 'mask'
        ? doc.masks.filter((m) => m.labelId === label.id && m.slices.some((s) => s.runs.length > 1)).length
        : doc.shapes.filter((s) => s.labelId === label.id).length;
    if (label.required && count === 0) missing.push(`Draw at least one "${label.name}"`);
  }
  doc.shapes.forEach((shape) => {
    const label = instructions.labels.find((l) => l.id === shape.labelId);
    if (!label) return;
    for (const a of label.attributes) {
      if (a.required && !answered(a, shape.attributes[a.id])) {
        missing.push(
          `Answer "${a.label}" for ${label.name} on image ${shape.image.sopInstanceUid.slice(-6)}`,
        );
      }
    }
  });
  for (const c of instructions.classifications) {
    if (!c.required) continue;
    const answers = doc.classifications[c.id] ?? {};
    if (c.level === 'study' && !answered(c, answers[studyUid] ?? answers.study)) {
      missing.push(`Answer "${c.label}" for the study`);
    }
    if (c.level === 'series' && !Object.values(answers).some((v) => answered(c, v))) {
      missing.push(`Answer "${c.label}" for the series`);
    }
    if (c.level === 'image' && !Object.values(answers).some((v) => answered(c, v))) {
      missing.push(`Answer "${c.label}" for at least one image`);
    }
  }
  return missing;
}

export function answered(
  def: Pick<AttributeDef, 'type' | 'min' | 'max'>,
  v: AttributeValue | undefined,
): boolean {
  if (v === undefined || v === null) return false;
  switch (def.type) {
    case 'text':
    case 'select':
      return typeof v === 'string' && v.trim() !== '';
    case 'multiselect':
      return Array.isArray(v) && v.length > 0;
    case 'boolean':
      return typeof v === 'boolean';
    case 'number':
      return (
        typeof v === 'number' &&
        Number.isFinite(v) &&
        (def.min === undefined || v >= def.min) &&
        (def.max === undefined || v <= def.max)
      );
  }
}

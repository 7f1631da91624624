import { type DicomJson, getNumbers, getString, Tag } from '../dicomweb/dicom-json.ts';

export interface WindowPreset {
  id: string;
  label: string;
  /** Window width, in output units (HU for CT). */
  width: number;
  /** Window center (level). */
  center: number;
  /** Keyboard shortcut digit, shown in the help overlay. */
  key?: string;
}

// Values radiologists expect on a PACS workstation (OHIF and common CT reading practice).
export const CT_PRESETS: readonly WindowPreset[] = [
  { id: 'lung', label: 'Lung', width: 1500, center: -600, key: '1' },
  { id: 'mediastinum', label: 'Mediastinum', width: 350, center: 50, key: '2' },
  { id: 'abdomen', label: 'Abdomen', width: 400, center: 40, key: '3' },
  { id: 'liver', label: 'Liver', width: 150, center: 30, key: '4' },
  { id: 'bone', label: 'Bone', width: 2000, center: 300, key: '5' },
  { id: 'brain', label: 'Brain', width: 80, center: 40, key: '6' },
  { id: 'subdural', label: 'Subdural', width: 250, center: 75, key: '7' },
];

/**
 * Presets for a series: the fixed CT set for CT; for other modalities the windows the modality
 * wrote into the header (WindowCenter/WindowWidth, with their explanations), since MR and
 * others have no absolute scale.
 */
export function presetsFor(modality: string | undefined, sample?: DicomJson): WindowPreset[] {
  if (modality === 'CT') return [...CT_PRESETS];
  if (!sample) return [];
  const centers = getNumbers(sample, Tag.WindowCenter) ?? [];
  const widths = getNumbers(sample, Tag.WindowWidth) ?? [];
  const explanations = sample[Tag.WindowCenterWidthExplanation]?.Value?.map(String) ?? [];
  const out: WindowPreset[] = [];
  for (let i = 0; i < Math.min(centers.length, widths.length); i++) {
    const width = widths[i] as number;
    const center = centers[i] as number;
    if (!(width > 0)) continue;
    const label = explanations[i]?.trim() || `Window ${i + 1}`;
    out.push({ id: `header-${i}`, label, width, center, key: String(i + 1) });
  }
  return out.slice(0, 9);
}

export function modalityOf(ds: DicomJson | undefined): string | undefined {
  return ds ? getString(ds, Tag.Modality) : undefined;
}

/**
 * Linear VOI LUT of PS3.3 C.11.2.1.2.1 applied to a modality value (stored × slope + intercept), giving 0..255.
 * DICOM's definition (c − 0.5, w − 1) is used so results match other viewers to the grey level.
 */
export function windowLinear(value: number, center: number, width: number): number {
  const w = Math.max(width, 1);
  const low = center - 0.5 - (w - 1) / 2;
  const high = center - 0.5 + (w - 1) / 2;
  if (value <= low) return 0;
  if (value > high) return 255;
  return Math.round(((value - (center - 0.5)) / (w - 1) + 0.5) * 255);
}

/** The attributes that say whether pixel data may carry burned-in text. */
export interface BurnedInAttributes {
  burnedInAnnotation?: string;
  modality?: string;
  sopClassUid?: string;
  imageType?: string;
  conversionType?: string;
}

export interface BurnedInRisk {
  risk: boolean;
  /** Stable reason codes, for the report and for refusing to serve. */
  reasons: string[];
}

const SOP = '1.2.840.10008.5.1.4.1.1.';
const ULTRASOUND = [`${SOP}6.1`, `${SOP}3.1`, `${SOP}6.2`, `${SOP}6`, `${SOP}3`];
const XA_RF = [`${SOP}12.1`, `${SOP}12.2`, `${SOP}12.1.1`, `${SOP}12.2.1`, `${SOP}12.3`];
const PROJECTION = [
  `${SOP}1`,
  `${SOP}1.1`,
  `${SOP}1.1.1`,
  `${SOP}1.2`,
  `${SOP}1.2.1`,
  `${SOP}1.3`,
  `${SOP}1.3.1`,
];

/**
 * Burned-in text risk (PS3.15 E.3.1 Clean Pixel Data): Burned In Annotation YES; ultrasound, secondary capture,
 * video/photo and screen captures (operators type on them); XA/RF (acquisition stations overlay patient
 * data); projection radiography that does not state Burned In Annotation NO (CR/DX/MG often carry markers
 * and labels). Everything else is trusted to have text only in attributes.
 */
export function burnedInRisk(a: BurnedInAttributes): BurnedInRisk {
  const reasons: string[] = [];
  const bia = a.burnedInAnnotation?.trim().toUpperCase();
  const modality = a.modality?.trim().toUpperCase() ?? '';
  const sop = a.sopClassUid?.trim() ?? '';
  const imageType = a.imageType?.toUpperCase() ?? '';
  if (bia === 'YES') reasons.push('burned-in-annotation-yes');
  if (modality === 'US' || ULTRASOUND.includes(sop)) reasons.push('ultrasound');
  if (sop.startsWith(`${SOP}7`) || a.conversionType) reasons.push('secondary-capture');
  if (modality === 'OT' || modality === 'XC' || modality === 'ES' || sop.startsWith(`${SOP}77.1`)) {
    reasons.push('photo-or-video');
  }
  if (imageType.includes('SCREEN SHOT') || imageType.includes('SCREENSHOT')) reasons.push('screen-capture');
  if (modality === 'XA' || modality === 'RF' || XA_RF.includes(sop)) reasons.push('xa-rf');
  const projection = ['CR', 'DX', 'MG', 'IO', 'PX'].includes(modality) || PROJECTION.includes(sop);
  if (projection && bia !== 'NO') reasons.push('projection-radiograph-without-burned-in-no');
  return { risk: reasons.length > 0, reasons };
}

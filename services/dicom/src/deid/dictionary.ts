import { createRequire } from 'node:module';

/** Tag (gggg<<16 | eeee) -> VR and keyword, from dcmjs's data dictionary (needed for implicit VR). */
export interface DictEntry {
  vr: string;
  keyword: string;
}

const byTag = new Map<number, DictEntry>();
// dcmjs ships no types; only its dictionary is used here.
const dcmjs = createRequire(import.meta.url)('dcmjs') as {
  data: { DicomMetaDictionary: { nameMap: Record<string, { tag: string; vr: string }> } };
};
const nameMap = dcmjs.data.DicomMetaDictionary.nameMap;
for (const [keyword, e] of Object.entries(nameMap)) {
  const m = /^\(([0-9A-Fa-f]{4}),([0-9A-Fa-f]{4})\)$/.exec(e.tag);
  if (!m) continue;
  // 'ox' (OB or OW) only occurs for pixel-like data; OW is the implicit VR LE reading.
  const vr = e.vr === 'ox' ? 'OW' : e.vr.length === 2 ? e.vr : 'UN';
  byTag.set(((Number.parseInt(m[1]!, 16) << 16) | Number.parseInt(m[2]!, 16)) >>> 0, { vr, keyword });
}

export function lookupTag(tag: number): DictEntry | undefined {
  const group = tag >>> 16;
  // Repeating groups (curves 50xx, overlays 60xx) are listed once, under their first group.
  if ((group & 0xff01) === 0x5000 || (group & 0xff01) === 0x6000) {
    return byTag.get((((group & 0xff00) << 16) | (tag & 0xffff)) >>> 0);
  }
  return byTag.get(tag);
}

export function tagHex(tag: number): string {
  return tag.toString(16).toUpperCase().padStart(8, '0');
}

const labels = new Map<number, string>();

/** "(gggg,eeee)", memoised: every report path is built from these. */
export function tagLabel(tag: number): string {
  let label = labels.get(tag);
  if (label === undefined) {
    const h = tagHex(tag);
    label = `(${h.slice(0, 4)},${h.slice(4)})`;
    if (labels.size < 65536) labels.set(tag, label);
  }
  return label;
}

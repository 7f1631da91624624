import { dcmjs } from '../synthetic/dcmjs-module.ts';

export interface DictionaryEntry {
  vr: string;
  keyword: string;
}

interface DcmjsDictionaryEntry {
  vr: string;
  name: string;
}
const source = (
  dcmjs.data.DicomMetaDictionary as unknown as { dictionary: Record<string, DcmjsDictionaryEntry> }
).dictionary;

// dcmjs writes ambiguous VRs in lower case: "xs" (US or SS), "ox" (OB or OW), "lt" (US or OW), "up" (UL).
const AMBIGUOUS: Record<string, string> = { xs: 'US', ox: 'OW', lt: 'OW', up: 'UL', na: 'UN' };

const cache = new Map<number, DictionaryEntry | null>();

const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');

/** "(0010,0010)"-style name of a tag number (group * 0x10000 + element); safe to put in error messages. */
export function tagName(tag: number): string {
  return `(${hex4(Math.floor(tag / 0x10000))},${hex4(tag % 0x10000)})`;
}

/** "00100010": the key PS3.18 DICOM JSON uses. */
export function tagHex(tag: number): string {
  return tag.toString(16).toUpperCase().padStart(8, '0');
}

/**
 * The data dictionary entry of a standard tag (dcmjs's dictionary, cached per tag). Private and unknown tags
 * give undefined: implicit VR files then read them as UN, which is what PS3.5 prescribes for a reader that does
 * not know the private dictionary.
 */
export function lookupTag(tag: number): DictionaryEntry | undefined {
  const cached = cache.get(tag);
  if (cached !== undefined) return cached ?? undefined;
  const group = Math.floor(tag / 0x10000);
  let entry: DictionaryEntry | null = null;
  if (group % 2 === 0) {
    const key = tagName(tag);
    let found = source[key];
    // Repeating groups (overlays 60xx, curves 50xx) are keyed with "xx" in the dictionary.
    if (!found && ((group >= 0x6000 && group <= 0x60ff) || (group >= 0x5000 && group <= 0x50ff))) {
      found = source[`(${hex4(group).slice(0, 2)}xx,${hex4(tag % 0x10000)})`];
    }
    if (found) {
      const vr =
        found.vr.length === 2 && found.vr === found.vr.toUpperCase()
          ? found.vr
          : (AMBIGUOUS[found.vr] ?? 'UN');
      entry = { vr: vr.split(' ')[0] ?? 'UN', keyword: found.name };
    } else if (tag % 0x10000 === 0) {
      entry = { vr: 'UL', keyword: 'GroupLength' };
    }
  } else if (tag % 0x10000 >= 0x0010 && tag % 0x10000 <= 0x00ff) {
    entry = { vr: 'LO', keyword: 'PrivateCreator' };
  }
  cache.set(tag, entry);
  return entry ?? undefined;
}

import { dcmjs } from '../../synthetic/dcmjs-module.ts';
import { lookupTag } from '../dictionary.ts';
import { TABLE_E1_1 } from '../generated/table-e1-1.ts';
import type { PhiValues } from '../phi-values.ts';
import { emptyPhiValues } from '../phi-values.ts';

/** The fake identity planted everywhere (test data, not a person). */
export const PLANTED = {
  name: 'Quintavalle^Rosamund^Ottilie^Mrs.^Jr.',
  display: 'Rosamund Quintavalle',
  id: 'MRN90817263',
  birthDate: '19610312',
  address: '42 Wrenfield Lane, Dunmoor 40721',
  phone: '+1-555-303-8812',
};

type Dict = Record<string, { vr: string; Value?: unknown[] }>;

/** Containers for the nested copy: standard sequences Table E.1-1 does not list, so they are kept and recursed. */
export const OUTER_CONTAINER = '00189346'; // CTDI Phantom Type Code Sequence
export const INNER_CONTAINER = '0040A170'; // Purpose of Reference Code Sequence

let uidCounter = 0;
const uid = () => `1.2.826.0.1.3680043.9.7433.${++uidCounter}`;

/** A value carrying the planted PHI, consistent with the VR (so a reader accepts it). */
function plantedValue(vr: string): unknown[] | undefined {
  const text = (max: number) => [`${PLANTED.display} ${PLANTED.id} ${PLANTED.birthDate}`.slice(0, max)];
  switch (vr) {
    case 'PN':
      return [{ Alphabetic: PLANTED.name }];
    case 'SH':
      return [PLANTED.id];
    case 'LO':
      return text(64);
    case 'LT':
    case 'ST':
    case 'UT':
    case 'UC':
      return [
        `Patient ${PLANTED.display}, ${PLANTED.address}, tel ${PLANTED.phone}, born 12 March 1961 (${PLANTED.id})`,
      ];
    case 'DA':
      return [PLANTED.birthDate];
    case 'DT':
      return [`${PLANTED.birthDate}101500`];
    case 'TM':
      return ['101500'];
    case 'UI':
      return [uid()];
    case 'AE':
      return ['QUINTAVALLE'];
    case 'CS':
      return ['QUINTAVALLE'];
    case 'AS':
      return ['063Y'];
    case 'DS':
      return ['61.0312'];
    case 'IS':
      return ['19610312'];
    case 'US':
      return [1961];
    case 'UR':
      return ['http://hospital.example/quintavalle'];
    case 'OB':
    case 'UN':
      return [new TextEncoder().encode(`${PLANTED.name}\\${PLANTED.birthDate}\\${PLANTED.id} `).buffer];
    default:
      return undefined;
  }
}

/** An item that itself carries PHI, for planted sequences. */
function phiItem(): Dict {
  return {
    '00100010': { vr: 'PN', Value: [{ Alphabetic: PLANTED.name }] },
    '00100020': { vr: 'LO', Value: [PLANTED.id] },
    '00100030': { vr: 'DA', Value: [PLANTED.birthDate] },
    '00081155': { vr: 'UI', Value: [uid()] },
  };
}

/** Every concrete-tag row of Table E.1-1 with a value that carries PHI. */
export function plantedAttributes(): Dict {
  const d: Dict = {};
  for (const [tag] of TABLE_E1_1) {
    if (!/^[0-9A-F]{8}$/.test(tag) || tag.startsWith('0002')) continue;
    const entry = lookupTag(Number.parseInt(tag, 16) >>> 0);
    if (!entry) continue;
    if (entry.vr === 'SQ') {
      d[tag] = { vr: 'SQ', Value: [phiItem()] };
      continue;
    }
    const value = plantedValue(entry.vr);
    if (value) d[tag] = { vr: entry.vr, Value: value };
  }
  return d;
}

export interface PhiEverywhereOptions {
  sopClassUid?: string;
  transferSyntaxUid?: string;
}

/**
 * A DICOM object with PHI planted in every attribute Table E.1-1 gives an action to, at the top level and again
 * nested two sequences deep; in a vendor private group (name, date, and the same as UN); in overlay and curve
 * groups; and in a retained-safe private attribute next to an unsafe one. Written by dcmjs, not by our writer.
 */
export function phiEverywhere(opts: PhiEverywhereOptions = {}): { file: Buffer; phi: PhiValues } {
  const top = plantedAttributes();
  const nested = plantedAttributes();
  const ts = opts.transferSyntaxUid ?? '1.2.840.10008.1.2.1';
  const sopInstance = uid();
  const dict: Dict = {
    ...top,
    '00080005': { vr: 'CS', Value: ['ISO_IR 100'] },
    '00080016': { vr: 'UI', Value: [opts.sopClassUid ?? '1.2.840.10008.5.1.4.1.1.2'] },
    '00080018': { vr: 'UI', Value: [sopInstance] },
    '00080060': { vr: 'CS', Value: ['CT'] },
    [OUTER_CONTAINER]: {
      vr: 'SQ',
      Value: [
        { '00080100': { vr: 'SH', Value: ['113691'] }, [INNER_CONTAINER]: { vr: 'SQ', Value: [nested] } },
      ],
    },
    '00090010': { vr: 'LO', Value: ['ACME HIDDEN PHI 1.0'] },
    '00091001': { vr: 'LO', Value: [PLANTED.name] },
    '00091002': { vr: 'DA', Value: [PLANTED.birthDate] },
    '00091003': { vr: 'UN', Value: [new TextEncoder().encode(`${PLANTED.name}\\${PLANTED.id}`).buffer] },
    '00190010': { vr: 'LO', Value: ['SIEMENS MR HEADER'] },
    '0019100C': { vr: 'IS', Value: ['800'] },
    '0019100D': { vr: 'CS', Value: ['QUINTAVALLE ROSAMUND'] },
    '60000010': { vr: 'US', Value: [16] },
    '60000011': { vr: 'US', Value: [16] },
    '60000040': { vr: 'CS', Value: ['G'] },
    '60000050': { vr: 'SS', Value: [1, 1] },
    '60000100': { vr: 'US', Value: [1] },
    '60000102': { vr: 'US', Value: [0] },
    '60003000': { vr: 'OW', Value: [new Uint8Array(32).fill(0xff).buffer] },
    '60004000': { vr: 'LT', Value: [`Overlay by ${PLANTED.display}`] },
    '50000030': { vr: 'SH', Value: [PLANTED.id] },
    '00280010': { vr: 'US', Value: [4] },
    '00280011': { vr: 'US', Value: [4] },
    '00280002': { vr: 'US', Value: [1] },
    '00280004': { vr: 'CS', Value: ['MONOCHROME2'] },
    '00280100': { vr: 'US', Value: [16] },
    '00280101': { vr: 'US', Value: [16] },
    '00280102': { vr: 'US', Value: [15] },
    '00280103': { vr: 'US', Value: [0] },
    '7FE00010': { vr: 'OW', Value: [new Uint16Array(16).fill(7).buffer] },
  };
  // Marking attributes are the engine's: plant none, so the test sees them added.
  for (const t of ['00120062', '00120063', '00120064', '00280303']) delete dict[t];
  const meta: Dict = {
    '00020001': { vr: 'OB', Value: [new Uint8Array([0, 1]).buffer] },
    '00020002': { vr: 'UI', Value: [dict['00080016']!.Value![0]] },
    '00020003': { vr: 'UI', Value: [sopInstance] },
    '00020010': { vr: 'UI', Value: [ts] },
    '00020012': { vr: 'UI', Value: ['1.2.826.0.1.3680043.9.7433.0'] },
    '00020016': { vr: 'AE', Value: ['QUINTAVALLE'] },
  };
  const dicomDict = new dcmjs.data.DicomDict(meta);
  dicomDict.dict = dict as never;
  const file = Buffer.from(dicomDict.write({ allowInvalidVRLength: true }));
  const phi = emptyPhiValues();
  phi.names.push(PLANTED.name);
  phi.ids.push(PLANTED.id);
  phi.dates.push(PLANTED.birthDate);
  phi.addresses.push(PLANTED.address);
  phi.phones.push(PLANTED.phone);
  phi.other.push('QUINTAVALLE');
  return { file, phi };
}

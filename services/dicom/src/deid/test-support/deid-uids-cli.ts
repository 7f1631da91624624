// Test helper: de-identifies the file named on the command line in a fresh process and prints the new
// SOP Instance, Study and Series UIDs and the patient pseudonym (all already de-identified values).
import { readFileSync } from 'node:fs';
import { readPart10 } from '../binary/read-part10.ts';
import { deidentify } from '../deidentify.ts';
import { decodeText } from '../text-values.ts';

const [file, secret] = process.argv.slice(2);
const out = deidentify(readFileSync(file!), { profile: 'annotator-view', secret: secret! });
const top = new Map(readPart10(out.buffer).dataset.map((e) => [e.tag, e]));
const str = (tag: number) => decodeText(top.get(tag)?.value ?? new Uint8Array(0), 'latin1');
process.stdout.write(JSON.stringify([str(0x00080018), str(0x0020000d), str(0x0020000e), str(0x00100020)]));

import { formatDa } from './human-date.ts';
import type { PersonName } from './person-name.ts';
import { type Random, seededRandom } from './random.ts';
import { syntheticUid } from './uid.ts';

/** A fake patient: every value is invented from the seed, but shaped like real PHI. */
export interface SyntheticPatient {
  seed: string;
  name: PersonName;
  birthName: PersonName;
  motherMaidenName: PersonName;
  id: string;
  issuerOfId: string;
  otherIds: string[];
  birthDate: string;
  sex: 'M' | 'F';
  address: string;
  phone: string;
  sopInstanceUid: string;
}

// Components are long and spelled unusually on purpose: canary checks search for them as substrings,
// so short or common tokens ("Li", "Jr") would match unrelated text and make those checks flaky.
const FAMILY = [
  'Hargreave',
  'Okonkwo-Baird',
  'Vasquez-Lindqvist',
  'Thornbury',
  'Abernathy',
  'Kowalczykowa',
  'Delacroix-Haines',
  'Fitzwilliam',
  'Nakashimura',
  'Oyelaran',
  'Brannigan',
  'Castellanos',
  'Wetherby',
  'Rasmussenova',
  'Quillfeather',
  'Szymanowska',
];
const GIVEN = [
  'Ottoline',
  'Bartholomew',
  'Marisol',
  'Evander',
  'Philippa',
  'Leopoldine',
  'Cassius',
  'Theodora',
  'Ignatius',
  'Rosalind',
  'Fenwick',
  'Araminta',
  'Lysander',
  'Seraphina',
];
const MIDDLE = ['Winifred', 'Augustin', 'Perpetua', 'Cornelius', 'Hyacinth', 'Montgomery', 'Clementine'];
const PREFIX = ['Mrs.', 'Mr.', 'Ms.', 'Dr.', 'Prof.', 'Rev.'];
const MALE_PREFIX = ['Mr.', 'Dr.', 'Prof.', 'Rev.'];
const FEMALE_PREFIX = ['Mrs.', 'Ms.', 'Dr.', 'Prof.'];
const SUFFIX = ['Jr.', 'Sr.', 'III.', 'Esq.', 'Ph.D.'];
const STREETS = ['Larkspur Crescent', 'Quarry Hill Road', 'Millbrook Lane', 'Tannery Row', 'Fenwick Parade'];
const CITIES = ['Upper Wyvernton', 'Ashcombe Regis', 'Port Halloran', 'Saint Evrard', 'Kestrelmoor'];

export function makePersonName(rng: Random, sex?: 'M' | 'F'): PersonName {
  const given = rng.pick(GIVEN);
  return {
    family: rng.pick(FAMILY),
    given,
    middle: rng.pick(MIDDLE),
    prefix: rng.pick(sex === 'M' ? MALE_PREFIX : sex === 'F' ? FEMALE_PREFIX : PREFIX),
    suffix: rng.pick(SUFFIX),
  };
}

export function makePatient(seed: string | number = 1): SyntheticPatient {
  const key = `patient:${seed}`;
  const rng = seededRandom(key);
  const sex = rng.next() < 0.5 ? 'M' : 'F';
  const name = makePersonName(rng, sex);
  const birthName = { ...name, family: rng.pick(FAMILY) };
  const motherMaidenName = { ...makePersonName(rng, 'F'), prefix: 'Mrs.' };
  const birthDate = formatDa(rng.int(1932, 2004), rng.int(1, 12), rng.int(1, 28));
  return {
    seed: String(seed),
    name,
    birthName,
    motherMaidenName,
    id: `MRN${rng.digits(8)}`,
    issuerOfId: `HOSP-${rng.pick(['NORTH', 'WEST', 'CENTRAL'])}-${rng.digits(3)}`,
    otherIds: [`NHS${rng.digits(10)}`, `INS-${rng.digits(4)}-${rng.digits(5)}`],
    birthDate,
    sex,
    address: `${rng.int(11, 987)} ${rng.pick(STREETS)}, ${rng.pick(CITIES)} ${rng.digits(5)}`,
    phone: `+1-555-${rng.digits(3)}-${rng.digits(4)}`,
    sopInstanceUid: syntheticUid(key, 'patient-sop'),
  };
}

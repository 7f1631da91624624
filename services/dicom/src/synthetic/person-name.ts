/** A DICOM PN with all five components, so de-identification can be checked component by component. */
export interface PersonName {
  family: string;
  given: string;
  middle: string;
  prefix: string;
  suffix: string;
}

export function toDicomPersonName(name: PersonName): string {
  return [name.family, name.given, name.middle, name.prefix, name.suffix].join('^');
}

/** The order people write names in free text, which is where de-identifiers most often miss them. */
export function toDisplayName(name: PersonName): string {
  return `${name.prefix} ${name.given} ${name.middle} ${name.family} ${name.suffix}`;
}

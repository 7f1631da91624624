/** Action codes of PS3.15 Table E.1-1, including the combined codes resolved by IOD attribute type. */
export type E11Action = 'D' | 'Z' | 'X' | 'K' | 'C' | 'U' | 'X/Z' | 'X/D' | 'Z/D' | 'X/Z/D' | 'X/Z/U*';

export type E11OptionColumn =
  | 'rtnSafePrivOpt'
  | 'rtnUIDsOpt'
  | 'rtnDevIdOpt'
  | 'rtnInstIdOpt'
  | 'rtnPatCharsOpt'
  | 'rtnLongFullDatesOpt'
  | 'rtnLongModifDatesOpt'
  | 'cleanDescOpt'
  | 'cleanStructContOpt'
  | 'cleanGraphOpt';

/** [tag as GGGGEEEE (may contain X for pattern rows), attribute name, basic profile action, option overrides] */
export type E11Row = readonly [string, string, string, Partial<Record<E11OptionColumn, string>>];

/** IOD attribute types: 1, 1C, 2, 2C (Type 3 attributes are not listed). */
export interface IodAttributeTypes {
  iod: string;
  types: Readonly<Record<string, '1' | '1C' | '2' | '2C'>>;
}
